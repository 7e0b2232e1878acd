"""Email: composed in the recipient's language, written to the outbox table in the same
transaction as the change that causes it, and delivered afterwards by the sender."""
from .compose import forget, link, queue, render_message, within_limits
from .models import OutboxMessage

__all__ = ["forget", "link", "queue", "within_limits", "render_message", "OutboxMessage"]
