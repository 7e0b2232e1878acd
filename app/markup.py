"""Content bodies are CommonMark with raw HTML switched off: hosts write text, never markup."""
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@lru_cache(maxsize=256)
def render(text: str) -> Markup:
    """HTML for a content text; any markup in it comes out escaped."""
    return Markup(_markdown.render(text))


@dataclass(frozen=True)
class Block:
    """One top-level block of a text (a heading, a paragraph, a list, a quote…), rendered."""

    kind: str  # the block's markdown-it name: heading, paragraph, bullet_list, blockquote, fence…
    html: Markup
    length: int  # characters of its source, to weigh it against its translation

    @property
    def heading(self) -> bool:
        return self.kind == "heading"


@lru_cache(maxsize=256)
def blocks(text: str) -> tuple[Block, ...]:
    """The text's top-level blocks in order, each rendered on its own (link references still resolve)."""
    env: dict = {}
    tokens = _markdown.parse(text, env)
    lines = text.splitlines()
    found, start = [], None
    for index, token in enumerate(tokens):
        if token.level != 0:
            continue
        if start is None:
            start = index
        if token.nesting <= 0:  # a closing tag, or a block with none (a fence, a rule)
            first = tokens[start]
            source = "\n".join(lines[first.map[0]:first.map[1]]) if first.map else ""
            html = Markup(_markdown.renderer.render(tokens[start:index + 1], _markdown.options, env))
            found.append(Block(first.type.removesuffix("_open"), html, len(source.strip())))
            start = None
    return tuple(found)
