"""The labelled corpus: news-style stories with their spans marked inline, parsed into text and labels.

Markup (nestable): `[[c1|text]]` a claim with label id c1; `[[a>c1|text]]` an attribution of claim c1;
`[[d>c1|text]]` a denial of claim c1 (`[[d|text]]`: of no labelled claim); `[[f=4500|text]]` a figure of
value 4500. The text of a story is the file with the markup taken out, byte for byte otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
SPLITS = ("tuning", "heldout", "heldout2")
_KINDS = {"c": "claim", "a": "attribution", "d": "denial", "f": "figure"}
_HEADER = re.compile(r"(?P<kind>[cadf])(?:(?P<id>\d+)|>(?P<link>c\d+)|=(?P<value>-?[\d.]+(?:e\d+)?))?")


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int
    label_id: str | None = None
    link: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class Story:
    name: str
    split: str
    text: str
    labels: tuple[Label, ...]


def parse(marked: str, name: str = "", split: str = "") -> Story:
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int]] = []
    labels: list[Label] = []
    i = 0
    while i < len(marked):
        if marked.startswith("[[", i):
            bar = marked.index("|", i)
            stack.append((marked[i + 2 : bar], length))
            i = bar + 1
        elif marked.startswith("]]", i) and stack:
            header, start = stack.pop()
            match = _HEADER.fullmatch(header)
            if match is None:
                raise ValueError(f"{name}: bad label header {header!r}")
            kind = _KINDS[match["kind"]]
            value = float(match["value"]) if match["value"] else None
            label_id = f"c{match['id']}" if match["id"] else None
            labels.append(Label(kind, start, length, label_id, match["link"], value))
            i += 2
        else:
            out.append(marked[i])
            length += 1
            i += 1
    if stack:
        raise ValueError(f"{name}: unclosed label {stack[-1][0]!r}")
    return Story(name, split, "".join(out), tuple(sorted(labels, key=lambda label: (label.start, label.end))))


def load(split: str) -> list[Story]:
    return [
        parse(path.read_text(encoding="utf-8"), path.stem, split) for path in sorted((CORPUS / split).glob("*.txt"))
    ]
