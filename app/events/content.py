"""Loading an event from its content folder: `event.toml` for the facts, `PAGE.LANG.md` for the pages,
`visa-letter.LANG.md` for the body of its visa invitation letters (printed in English)."""
import tomllib
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from ..i18n import I18nText
from .models import Event, Page


class ContentError(ValueError):
    """The content folder is incomplete or malformed."""


def read_event(folder: Path) -> Event:
    """Build an Event (not yet added) from the content folder."""
    facts = tomllib.loads((folder / "event.toml").read_text(encoding="utf-8"))
    e = facts["event"]
    ZoneInfo(e["timezone"])  # fail early on a misspelt zone
    event = Event(
        slug=e["slug"],
        main_language=e["main_language"],
        name=I18nText(e["name"]),
        theme=I18nText(e["theme"]),
        city=I18nText(e["city"]),
        hosted_by=I18nText(e["hosted_by"]),
        starts_on=_date(e["starts_on"]),
        ends_on=_date(e["ends_on"]),
        timezone=e["timezone"],
        registration_closes_on=_date(e["registration_closes_on"]),
        contact_email=e["contact_email"],
        visa_letter_text=I18nText({path.name.split(".")[-2]: path.read_text(encoding="utf-8")
                                   for path in sorted(folder.glob("visa-letter.*.md"))}),
    )
    if event.ends_on < event.starts_on:
        raise ContentError("the event ends before it starts")
    for position, page in enumerate(facts.get("pages", [])):
        bodies = {
            path.name.split(".")[-2]: path.read_text(encoding="utf-8")
            for path in sorted(folder.glob(f"{page['slug']}.*.md"))
        }
        if event.main_language not in bodies:
            raise ContentError(f"{page['slug']}.{event.main_language}.md is missing")
        event.pages.append(
            Page(
                slug=page["slug"],
                position=position,
                title=I18nText(page["title"]),
                body=I18nText(bodies),
            )
        )
    return event


def _date(value) -> date:
    if isinstance(value, date):
        return value
    raise ContentError(f"not a date: {value!r}")
