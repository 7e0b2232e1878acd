"""The emails of registration, composed in the delegate's language and queued in the outbox."""
from .. import mail
from ..events.models import Event
from .links import link_token
from .models import Registration


def queue_link(event: Event, registration: Registration, template: str = "registration_link",
               next_path: str | None = None) -> None:
    """The delegate's private link (`registration_received` on registering, `registration_link`
    when asked again); `next_path` brings them back to the page they were on."""
    link = mail.link("registration.follow_link", lang=registration.language, token=link_token(registration),
                     next=next_path)
    mail.queue(registration.email, template, registration.language, event=event, registration=registration, link=link)
