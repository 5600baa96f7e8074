"""Scores the engine's suggestions against the corpus labels: per kind precision/recall/F1 for exact-span and
overlap matching, figure value accuracy and link accuracy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.suggestions.corpus import Label, Story
from service.domain.suggestions import Engine, Suggestion

KINDS = ("claim", "attribution", "denial", "figure")


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """At least half of the longer span's characters are shared."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared * 2 >= max(a[1] - a[0], b[1] - b[0])


@dataclass
class Counts:
    true_positive: int = 0
    suggested: int = 0
    labelled: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.true_positive / self.suggested if self.suggested else 0.0
        r = self.true_positive / self.labelled if self.labelled else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Score:
    exact: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    overlap: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    values_right: int = 0
    values_matched: int = 0
    links_right: dict[str, int] = field(default_factory=lambda: {"attribution": 0, "denial": 0})
    links_judged: dict[str, int] = field(default_factory=lambda: {"attribution": 0, "denial": 0})
    misses: list[str] = field(default_factory=list)


def _match(labels: Sequence[Label], items: Sequence[Suggestion], exact: bool) -> dict[int, int]:
    """label index -> item index, one to one, greedily in text order."""
    used: set[int] = set()
    pairs: dict[int, int] = {}
    for li, label in enumerate(labels):
        for ii, item in enumerate(items):
            if ii in used or item.kind != label.kind:
                continue
            span, other = (label.start, label.end), (item.start, item.end)
            if (span == other) if exact else overlaps(span, other):
                pairs[li] = ii
                used.add(ii)
                break
    return pairs


def score(engine: Engine, stories: Sequence[Story]) -> Score:
    result = Score()
    for story in stories:
        items = engine.suggest(story.text)
        labels = story.labels
        for exact, table in ((True, result.exact), (False, result.overlap)):
            pairs = _match(labels, items, exact)
            for kind in KINDS:
                table[kind].suggested += sum(1 for item in items if item.kind == kind)
                table[kind].labelled += sum(1 for label in labels if label.kind == kind)
                table[kind].true_positive += sum(1 for li in pairs if labels[li].kind == kind)
            if exact:
                continue
            by_id = {label.label_id: li for li, label in enumerate(labels) if label.label_id}
            for li, ii in pairs.items():
                label, item = labels[li], items[ii]
                if label.kind == "figure" and label.value is not None:
                    result.values_matched += 1
                    result.values_right += math.isclose(item.fields["value"], label.value, rel_tol=1e-9)
                if label.kind in ("attribution", "denial") and label.link is not None:
                    result.links_judged[label.kind] += 1
                    wanted = pairs.get(by_id.get(label.link, -1))
                    right = wanted is not None and item.link == wanted
                    result.links_right[label.kind] += right
                    if not right:
                        got = items[item.link] if item.link is not None else None
                        linked = story.text[got.start : got.end] if got else None
                        quote = story.text[item.start : item.end]
                        result.misses.append(f"{story.name}: wrong link of {label.kind} {quote!r} -> {linked!r}")
            matched_items = set(pairs.values())
            for li, label in enumerate(labels):
                if li not in pairs:
                    result.misses.append(f"{story.name}: missed {label.kind} {story.text[label.start : label.end]!r}")
            for ii, item in enumerate(items):
                if ii not in matched_items:
                    result.misses.append(f"{story.name}: extra {item.kind} {story.text[item.start : item.end]!r}")
    return result
