"""Email: composed in the recipient's language, written to the outbox table in the same
transaction as the change that causes it, and delivered afterwards by the sender."""
from .compose import link, queue, render_message
from .models import OutboxMessage

__all__ = ["link", "queue", "render_message", "OutboxMessage"]
