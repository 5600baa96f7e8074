"""`python -m bench.suggestions [--misses]`: the suggestion engine's quality on the labelled corpus (tuning
and held-out splits), its speed and its resident memory. See docs/suggestions.md."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

from bench.suggestions.corpus import SPLITS, load
from bench.suggestions.score import KINDS, score
from service.domain.suggestions import Engine, load_lexicon

# BBC citron on PARC 3.0, exact match (the published reference the issue names).
CITRON = {"cue": 82.3, "source": 82.0, "content": 59.3}


# Resident memory of a fresh interpreter before and after importing the engine and loading its lexicon.
_MEMORY_PROBE = """
def rss():
    with open('/proc/self/status', encoding='ascii') as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith('VmRSS:'))
before = rss()
from service.domain.suggestions import Engine, load_lexicon
engine = Engine(load_lexicon('en'))
engine.suggest('The ministry said 12 people died.')
print(before, rss())
"""


def _engine_memory() -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], check=True, capture_output=True, text=True)
    before, after = out.stdout.split()
    return float(before), float(after)


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    show_misses = "--misses" in sys.argv
    engine = Engine(load_lexicon("en"))
    # Each split, then both held-out splits together (the figures to believe).
    held_out = [story for split in SPLITS if split != "tuning" for story in load(split)]
    for split, stories in [*((split, load(split)) for split in SPLITS), ("all held-out", held_out)]:
        result = score(engine, stories)
        labels = sum(len(s.labels) for s in stories)
        print(f"\n== {split}: {len(stories)} stories, {labels} labels")
        print(f"{'kind':<12} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}   n")
        for kind in KINDS:
            ep, er, ef = result.exact[kind].prf()
            op, orr, of = result.overlap[kind].prf()
            n = result.overlap[kind].labelled
            print(f"{kind:<12} {ep:8.2f} {er:6.2f} {ef:6.2f}   {op:9.2f} {orr:6.2f} {of:6.2f}   {n}")
        print(f"figure value accuracy (matched figures): {result.values_right}/{result.values_matched}")
        for kind in ("attribution", "denial"):
            print(f"link accuracy {kind} -> claim: {result.links_right[kind]}/{result.links_judged[kind]}")
        if show_misses:
            print("\n".join(result.misses))
    print(
        "\nreference, BBC citron on PARC 3.0 (exact match F1): "
        + ", ".join(f"{name} {value}" for name, value in CITRON.items())
    )
    # Speed: a 1,000-word story, median of 50 runs in process.
    story = " ".join(s.text for s in load("tuning"))
    words = story.split()
    thousand = " ".join(words[:1000])
    runs = []
    for _ in range(50):
        started = time.perf_counter()
        engine.suggest(thousand)
        runs.append(time.perf_counter() - started)
    print(f"\n1,000-word story: median {statistics.median(runs) * 1000:.1f} ms (50 runs)")
    size = 2 * 1024 * 1024
    adversarial = {
        "one long word": "a" * size,
        "one repeated letter with spaces": "a " * (size // 2),
        "emoji": "🇺🇦" * (size // 2),
        "stories repeated": (story + "\n") * (size // (len(story) + 1)),
    }
    for name, text in adversarial.items():
        started = time.perf_counter()
        found = engine.suggest(text, max_items=5000)
        print(f"2 MiB {name}: {time.perf_counter() - started:.2f} s, {len(found)} suggestions (the first 5,000)")
    started = time.perf_counter()
    found = engine.suggest(adversarial["stories repeated"])
    print(f"2 MiB stories repeated, every suggestion: {time.perf_counter() - started:.2f} s, {len(found)} suggestions")
    before, loaded = _engine_memory()
    print(
        f"\nresident memory of a fresh interpreter: {before:.1f} MiB, {loaded:.1f} MiB with the engine loaded "
        f"(+{loaded - before:.1f} MiB); this process after the 2 MiB runs: {_rss_mib():.1f} MiB, "
        f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
