"""The newsletter's confirmation email (double opt-in), in the subscriber's language."""
from .. import mail
from ..events.models import Event
from .links import token_for
from .models import Subscriber


def queue_confirmation(event: Event, subscriber: Subscriber) -> None:
    """Ask the subscriber to confirm; every message carries a one-click unsubscribe (RFC 8058)."""
    unsubscribe_url = mail.link("newsletter.unsubscribe", lang=subscriber.language,
                              token=token_for(subscriber, "unsubscribe"))
    confirm_url = mail.link("newsletter.confirm", lang=subscriber.language,
                          token=token_for(subscriber, "confirm"))
    mail.queue(subscriber.email, "newsletter_confirm", subscriber.language,
               headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
               event=event, confirm_url=confirm_url, unsubscribe_url=unsubscribe_url)
