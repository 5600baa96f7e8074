"""Precision and recall of claim matching at both thresholds, and recall@1, per split of the corpus."""

from __future__ import annotations

from collections import Counter

from bench.claims.corpus import TOPICS, Pair, Split, pairs, split_of
from service.domain.claims.features import ClaimFeatures, features
from service.domain.claims.matching import MATCH_THRESHOLD, SUGGEST_THRESHOLD, score_pair


def _precision_recall(scored: list[tuple[Pair, float]], threshold: float) -> tuple[float, float, int, int]:
    tp = sum(1 for pair, score in scored if pair.same and score >= threshold)
    fp = sum(1 for pair, score in scored if not pair.same and score >= threshold)
    positives = sum(1 for pair, _ in scored if pair.same)
    return (tp / (tp + fp) if tp + fp else 1.0), tp / positives, tp, fp


def recall_at_1(split: Split, cache: dict[str, ClaimFeatures]) -> tuple[float, list[str]]:
    """Each claim of a split's paraphrase clusters asks for its best match among every other claim of the
    corpus (both splits, negatives included); a hit when that is a member of its own cluster."""
    every = [(i, text) for i, topic in enumerate(TOPICS) for text in (topic.claim, *topic.same)]
    every += [(i, text) for i, topic in enumerate(TOPICS) for _, text in topic.different]
    clusters = {i: {topic.claim, *topic.same} for i, topic in enumerate(TOPICS)}
    hits, misses = 0, []
    queries = [(i, text) for i, topic in enumerate(TOPICS) if split_of(i) == split for text in clusters[i]]
    for topic, query in queries:
        best = max((t for _, t in every if t != query), key=lambda t: score_pair(cache[query], cache[t]).score)
        if best in clusters[topic]:
            hits += 1
        else:
            misses.append(f"{query!r} -> {best!r}")
    return hits / len(queries), misses


def report(verbose: bool = False) -> list[tuple[str, str]]:
    everything = pairs()
    texts = {p.a for p in everything} | {p.b for p in everything}
    cache = {text: features(text) for text in texts}
    rows: list[tuple[str, str]] = []
    for split in ("tuning", "held-out"):
        scored = [(p, score_pair(cache[p.a], cache[p.b]).score) for p in everything if p.split == split]
        kinds = Counter(p.kind for p, _ in scored)
        rows.append((f"{split}: pairs", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))))
        for name, threshold in (("match", MATCH_THRESHOLD), ("suggest", SUGGEST_THRESHOLD)):
            precision, recall, tp, fp = _precision_recall(scored, threshold)
            rows.append((f"{split}: at {name} ({threshold})", f"precision {precision:.3f} recall {recall:.3f} "
                         f"(true positives {tp}, false positives {fp})"))  # fmt: skip
        r1, misses = recall_at_1(split, cache)  # type: ignore[arg-type]
        rows.append((f"{split}: recall@1", f"{r1:.3f}"))
        if verbose:
            for pair, score in scored:
                wrong = (score >= MATCH_THRESHOLD) != pair.same
                if wrong or (pair.same and score < MATCH_THRESHOLD) or (not pair.same and score >= SUGGEST_THRESHOLD):
                    print(f"  {split} {pair.kind:10} {score:.3f} {pair.a!r} | {pair.b!r}")
            for miss in misses:
                print("  recall@1 miss", miss)
    return rows
