"""Content bodies are CommonMark with raw HTML switched off: hosts write text, never markup."""
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@lru_cache(maxsize=256)
def render(text: str) -> Markup:
    """HTML for a content text; any markup in it comes out escaped."""
    return Markup(_markdown.render(text))
