"""Languages: which ones the portal speaks, how a request picks one, and how texts fall back."""
from .languages import init_app, negotiate_language, url_for_language
from .side_by_side import offers_side_by_side, second_language
from .text import I18nText, I18nTextType

__all__ = ["init_app", "negotiate_language", "url_for_language", "offers_side_by_side", "second_language",
           "I18nText", "I18nTextType"]
