"""`python -m bench [section ...]`: run the benchmarks (all by default) and print one table.

Sections: read, lookup, peers, scaling, write, servers, slowloris, breakdown, w3c, anchoring; `profile` prints a
pyinstrument report of the read path instead. Options: --warmup S, --seconds S, --connections N. DATABASE_URL,
when set, names the PostgreSQL to use (its tables get bench data); else an embedded one runs in a temporary
directory."""

from __future__ import annotations

import argparse
import asyncio
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.suite import SECTIONS, Context, Settings, table


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return f"{cores} cores, {cpu}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="section", help=", ".join([*SECTIONS, "profile"]))
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per measurement")
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds measured per measurement")
    parser.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per pair (strict, hot)")
    args = parser.parse_args(argv)
    if unknown := set(args.sections) - {*SECTIONS, "profile"}:
        parser.error(
            f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join([*SECTIONS, 'profile'])}"
        )
    chosen = args.sections or list(SECTIONS)
    began = time.monotonic()
    print(f"Factmark benchmarks: {_machine()}", flush=True)
    logs = Path(tempfile.mkdtemp(prefix="factmark-bench-logs-"))
    settings = Settings(
        warmup=args.warmup,
        seconds=args.seconds,
        connections=args.connections,
        rounds=args.rounds,
        memory_all_workers=chosen == ["scaling"],
    )
    ctx = Context(settings, logs)
    try:
        if "profile" in chosen:
            from bench.breakdown import profile

            ctx.service()
            print(asyncio.run(profile(ctx.database.url, ctx.token, ctx.article_id)))
            return
        for name in chosen:
            print(f"… {name}", file=sys.stderr, flush=True)
            SECTIONS[name](ctx)
    finally:
        ctx.close()
        if any("ERRORS" in row.note or "FAILED" in row.note for row in ctx.rows):
            print(f"server logs kept in {logs}", file=sys.stderr)
        else:
            shutil.rmtree(logs)
    print()
    print(table(ctx.rows))
    print(
        f"\n{len(chosen)} section(s) in {time.monotonic() - began:.0f} s; wrk -t1 -c{args.connections}, "
        f"warm-up {args.warmup:g} s + {args.seconds:g} s measured per figure; server and load share the machine."
    )


if __name__ == "__main__":
    main()
