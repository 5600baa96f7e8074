"""The offline packages weighed for the suggestion engine (docs/decisions.md, Suggestions): load time, resident
memory after one call, median time on a ~920-word story, and a 256 KiB one-letter text. Not a dependency:
run it in a scratch virtualenv after `pip install pysbd text2num quantulum3 spacy`, as
`python bench/suggestions/packages.py pysbd|text2num|quantulum3|spacy`."""

from __future__ import annotations

import signal
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

STORY = (
    "Ukraine's military intelligence service said on Monday that around 12,000 North Korean troops had arrived "
    'in Russia. "We have seen three generals," a U.S. official said. Pyongyang has denied this. Prices rose '
    "4.5% in March, according to the statistics office, and the government pledged $2 billion. "
) * 20


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def _load(name: str) -> Callable[[str], Any]:
    if name == "pysbd":
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        return segmenter.segment
    if name == "text2num":
        from text_to_num import alpha2digit

        return lambda text: alpha2digit(text, "en")
    if name == "quantulum3":
        from quantulum3 import parser

        return parser.parse
    if name == "spacy":
        import spacy
        from spacy.matcher import Matcher

        nlp = spacy.blank("en")
        matcher = Matcher(nlp.vocab)
        matcher.add("SAID", [[{"LOWER": "said"}]])
        return lambda text: matcher(nlp(text))
    raise SystemExit(f"unknown package {name!r}")


def main(name: str) -> None:
    before = _rss_mib()
    started = time.perf_counter()
    run = _load(name)
    loaded = time.perf_counter() - started
    run(STORY)
    after = _rss_mib()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        run(STORY)
        runs.append(time.perf_counter() - started)
    print(
        f"{name}: {len(STORY.split())} words, load {loaded * 1000:.0f} ms, +{after - before:.1f} MiB, "
        f"median {statistics.median(runs) * 1000:.1f} ms"
    )
    signal.alarm(60)
    started = time.perf_counter()
    run("a" * (256 * 1024))
    print(f"  256 KiB of one letter: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
