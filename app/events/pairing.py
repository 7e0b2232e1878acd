"""Which block of a text goes with which block of its translation, for pages read in two languages.

Translators mostly keep the paragraphs and headings of the original, and then the pairing is
one to one. Where they did not (two paragraphs merged, one split, a heading added or left out),
the blocks are aligned by their lengths, the way translated sentences are aligned
(Gale and Church, 1993): a paragraph and its translation are of proportionate length, so a
long paragraph on one side pairs with two shorter ones on the other.
"""
from dataclasses import dataclass, field

from ..i18n import I18nText
from ..markup import Block, blocks

# How an alignment may advance: blocks taken from the first text, then from the second.
MOVES = ((1, 1), (2, 1), (1, 2), (1, 0), (0, 1))
MERGE = 0.3  # two blocks against one costs this much more than one against one
ALONE = 1.0  # a block with nothing beside it (worse than any pair of similar length)
MIXED = 2.0  # a heading beside something that is not a heading


@dataclass(frozen=True)
class Row:
    """What stands side by side: blocks of the first text, and their translation."""

    first: tuple[Block, ...]
    second: tuple[Block, ...]


@dataclass(frozen=True)
class PairedText:
    """A text in two languages, row by row; each side says which language it really is in
    (a missing translation falls back to the event's main language)."""

    first_lang: str
    second_lang: str
    rows: list[Row] = field(default_factory=list)


def pair_text(text: I18nText, first: str, second: str, main: str) -> PairedText:
    """The text in `first` and in `second`, paired block by block."""
    one, other = text.get(first, main), text.get(second, main)
    return PairedText(one.lang, other.lang, pair_blocks(blocks(one.text), blocks(other.text)))


def pair_blocks(first: tuple[Block, ...], second: tuple[Block, ...]) -> list[Row]:
    """Pair two texts' blocks: section by section (a heading and what follows it) when both have
    the same headings, block by block within a section of as many blocks on both sides; where the
    counts differ, by length (see `align`)."""
    one, other = sections(first), sections(second)
    if len(one) != len(other) or any(a[0].heading != b[0].heading for a, b in zip(one, other)):
        return align(first, second)
    rows: list[Row] = []
    for a, b in zip(one, other):
        rows += [Row((x,), (y,)) for x, y in zip(a, b)] if len(a) == len(b) else align(a, b)
    return rows


def sections(found: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """The blocks cut before each heading (what comes before the first heading is a section too)."""
    cut: list[list[Block]] = []
    for block in found:
        if block.heading or not cut:
            cut.append([block])
        else:
            cut[-1].append(block)
    return [tuple(section) for section in cut]


def align(first, second) -> list[Row]:
    """The cheapest way through both texts in order, one or two blocks at a time on each side."""
    # How much longer the translation runs, within reason: a passage left untranslated must not
    # make every other paragraph look mismatched.
    ratio = min(max((sum(b.length for b in second) or 1) / (sum(b.length for b in first) or 1), 0.5), 2.0)
    n, m = len(first), len(second)
    cost = {(0, 0): 0.0}
    step: dict[tuple[int, int], tuple[int, int]] = {}
    for i in range(n + 1):
        for j in range(m + 1):
            if (i, j) not in cost:
                continue
            for di, dj in MOVES:
                if i + di > n or j + dj > m:
                    continue
                total = cost[(i, j)] + move_cost(first[i:i + di], second[j:j + dj], ratio)
                if total < cost.get((i + di, j + dj), float("inf")):
                    cost[(i + di, j + dj)], step[(i + di, j + dj)] = total, (di, dj)
    rows, at = [], (n, m)
    while at != (0, 0):
        di, dj = step[at]
        rows.append(Row(tuple(first[at[0] - di:at[0]]), tuple(second[at[1] - dj:at[1]])))
        at = (at[0] - di, at[1] - dj)
    return rows[::-1]


def move_cost(a: tuple[Block, ...], b: tuple[Block, ...], ratio: float) -> float:
    """How unlikely it is that `b` translates `a`: their lengths' difference, relative to their size."""
    if not a or not b:
        return ALONE
    x, y = sum(block.length for block in a) * ratio, sum(block.length for block in b)
    cost = abs(x - y) / max(x + y, 1)
    if len(a) + len(b) > 2:
        cost += MERGE
    if any(block.heading for block in a + b) and not (len(a) == len(b) == 1 and a[0].heading and b[0].heading):
        cost += MIXED
    return cost
