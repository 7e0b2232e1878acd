"""Dates and times in the reader's language, from Babel's locale data."""
from datetime import date

from babel.dates import format_interval
from flask_babel import format_date, get_locale, gettext as _


def date_range(start: date, end: date) -> str:
    """The event's dates as a sentence: «May 25 – 26, 2017», «2017 оны тавдугаар сарын 25–26»."""
    locale = get_locale()
    if start == end:
        return format_date(start, "long")
    if start.year == end.year:
        days = format_interval(start, end, "MMMMd", locale=locale)
        return _("%(days)s, %(year)s", days=days, year=start.year)
    return format_interval(start, end, "yMMMMd", locale=locale)

