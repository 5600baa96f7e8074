"""Whether two claims state the same thing: a score from 0 to 1 with the reasons that make it up, and two
thresholds as in Meedan Check, a lower one to suggest a possible match and a higher one to call it a match.

score = (sum of the `points` of the agreement reasons) x (product of the `factor` of the conflict reasons).
Agreement: wording (rapidfuzz token measures over canonical words), figures (same value and unit, within
APPROXIMATE_TOLERANCE when either is approximate) and names. Conflicts, each a checkable detail that makes it
another claim: a different figure for the same unit, a denial on one side only, different names (another
place or person), a different year, month or weekday. Thresholds and weights: docs/claims.md (tuned on the
TUNING split of bench/claims, measured on HELD-OUT)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from rapidfuzz import fuzz

from service.domain.claims.features import ClaimFeatures, Figure

SUGGEST_THRESHOLD: Final = 0.5
MATCH_THRESHOLD: Final = 0.7
# Two figures agree when equal, or when either is approximate and they differ by at most this fraction.
APPROXIMATE_TOLERANCE: Final = 0.1
WORDING_WEIGHT: Final = 0.6
FIGURE_WEIGHT: Final = 0.2
NAME_WEIGHT: Final = 0.2
# A figure on one side only: half the figure points (a paraphrase may leave a number out).
ONE_SIDED_FIGURES: Final = 0.5
FIGURE_CONFLICT: Final = 0.3
NEGATION_CONFLICT: Final = 0.3
NAME_CONFLICT: Final = 0.5
DATE_CONFLICT: Final = 0.4

Level = Literal["match", "suggest"]
ReasonKind = Literal["wording", "figures", "names", "figure_conflict", "names_differ", "negation", "date_differs"]


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    """wording, figures, names (agreement: `points`), or figure_conflict, negation, names_differ, date_differs
    (conflict: `factor`)."""
    detail: str
    points: float | None = None
    factor: float | None = None


@dataclass(frozen=True, slots=True)
class MatchScore:
    score: float
    level: Level | None
    reasons: tuple[Reason, ...]


def level_of(score: float) -> Level | None:
    if score >= MATCH_THRESHOLD:
        return "match"
    return "suggest" if score >= SUGGEST_THRESHOLD else None


def _agree(a: Figure, b: Figure) -> bool:
    if a.unit is not None and b.unit is not None and a.unit != b.unit:
        return False
    if a.value == b.value:
        return True
    if not (a.approximate or b.approximate):
        return False
    return abs(a.value - b.value) <= APPROXIMATE_TOLERANCE * max(abs(a.value), abs(b.value))


def _figures(a: ClaimFeatures, b: ClaimFeatures) -> tuple[float, list[str], list[str]]:
    """(agreement 0-1, shared figures, conflicting pairs). At most 50 figures a side are compared (50 x 50)."""
    left, right = a.figures[:50], b.figures[:50]
    shared = [f"{x.text} = {y.text}" for x in left for y in right if _agree(x, y)]
    matched_left = sum(any(_agree(x, y) for y in right) for x in left)
    matched_right = sum(any(_agree(x, y) for x in left) for y in right)
    conflicts = []
    single = len(left) == len(right) == 1
    for x in left:
        if any(_agree(x, y) for y in right):
            continue
        # Another value for the same unit, or each claim's only figure another value whatever it counts
        # ("eighteen protesters" / "81 people"), unless that figure agrees with another of this claim's.
        rivals = [
            y
            for y in right
            if (y.unit == x.unit or (single and y.value != x.value)) and not any(_agree(y, z) for z in left)
        ]
        if rivals:
            conflicts.append(f"{x.text} vs {rivals[0].text}" + (f" {x.unit}" if x.unit else ""))
    # The same value counting different things ("19 miners" / "19 workers") agrees by half.
    loose_pairs = [
        (x, next(y for y in right if y.value == x.value))
        for x in left
        if not any(_agree(x, y) for y in right) and any(x.value == y.value for y in right)
    ]
    shared += [f"{x.text} = {y.text} (but {x.unit or 'no unit'} / {y.unit or 'no unit'})" for x, y in loose_pairs]
    loose = 0.5 * len(loose_pairs)
    agreement = (min(matched_left, matched_right) + loose) / max(len(left), len(right))
    return agreement, shared, conflicts


def _names(a: ClaimFeatures, b: ClaimFeatures) -> tuple[float, list[str], list[str], list[str]]:
    """(overlap 0-1, shared, only in a, only in b): a name matches one sharing a canonical word with it. At most
    50 names a side are compared (50 x 50 set intersections)."""
    a_names, b_names = list(zip(a.name_texts, a.names))[:50], list(zip(b.name_texts, b.names))[:50]
    shared = [text for text, words in a_names if any(words & other for _, other in b_names)]
    only_a = [text for text, words in a_names if not any(words & other for _, other in b_names)]
    only_b = [text for text, words in b_names if not any(words & other for _, other in a_names)]
    total = len(shared) + len(only_a) + len(only_b)
    return (len(shared) / total if total else 0.0), shared, only_a, only_b


def _date_conflicts(a: ClaimFeatures, b: ClaimFeatures) -> list[str]:
    out = []
    for label, left, right in (("year", a.years, b.years), ("month", a.months, b.months),
                               ("day", a.weekdays, b.weekdays)):  # fmt: skip
        if left and right and not left & right:
            out.append(f"{label} {', '.join(sorted(map(str, left)))} vs {', '.join(sorted(map(str, right)))}")
    return out


def score_pair(a: ClaimFeatures, b: ClaimFeatures) -> MatchScore:
    """How surely `b` states what `a` states. Cost: rapidfuzz over the two word lists (each at most a few hundred
    words) plus the bounded figure and name comparisons."""
    reasons: list[Reason] = []
    has_figures = bool(a.figures or b.figures)
    has_names = bool(a.names or b.names)
    wording_weight = WORDING_WEIGHT + (0 if has_figures else FIGURE_WEIGHT) + (0 if has_names else NAME_WEIGHT)
    left, right = " ".join(a.words[:300]), " ".join(b.words[:300])
    wording = (fuzz.token_set_ratio(left, right) + fuzz.token_sort_ratio(left, right)) / 200 if left and right else 0
    common = sorted(set(a.words) & set(b.words))
    reasons.append(
        Reason(
            "wording",
            f"wording {wording:.2f} (mean of token set and token sort similarity) x weight {wording_weight:.1f}; "
            f"shared words: {', '.join(common[:12]) or 'none'}",
            points=round(wording * wording_weight, 4),
        )
    )
    factor = 1.0
    if has_figures:
        if a.figures and b.figures:
            agreement, shared, conflicts = _figures(a, b)
            detail = f"shared figures: {'; '.join(shared)}" if shared else "no figure in common"
        else:
            agreement, conflicts = ONE_SIDED_FIGURES, []
            detail = "figures on one side only"
        reasons.append(
            Reason("figures", f"{detail} ({agreement:.2f} x weight {FIGURE_WEIGHT})", points=FIGURE_WEIGHT * agreement)
        )
        if conflicts:
            factor *= FIGURE_CONFLICT
            reasons.append(
                Reason("figure_conflict", f"different figures: {'; '.join(conflicts)}", factor=FIGURE_CONFLICT)
            )
    if has_names:
        overlap, shared_names, only_a, only_b = _names(a, b)
        detail = f"shared names: {', '.join(shared_names)}" if shared_names else "no name in common"
        reasons.append(
            Reason("names", f"{detail} ({overlap:.2f} x weight {NAME_WEIGHT})", points=NAME_WEIGHT * overlap)
        )
        if only_a and only_b:
            factor *= NAME_CONFLICT
            reasons.append(
                Reason(
                    "names_differ",
                    f"different names (another place or person?): {', '.join(only_a)} vs {', '.join(only_b)}",
                    factor=NAME_CONFLICT,
                )
            )
    if bool(a.negations) != bool(b.negations):
        denied = a.negations or b.negations
        factor *= NEGATION_CONFLICT
        reasons.append(
            Reason("negation", f"only one side denies or negates ({', '.join(denied)})", factor=NEGATION_CONFLICT)
        )
    for conflict in _date_conflicts(a, b):
        factor *= DATE_CONFLICT
        reasons.append(Reason("date_differs", f"different {conflict}", factor=DATE_CONFLICT))
    points = sum(r.points for r in reasons if r.points is not None)
    score = round(min(1.0, max(0.0, points * factor)), 4)
    return MatchScore(score, level_of(score), tuple(reasons))
