"""`python -m bench.claims [--claims N] [--rounds N] [--verbose]`: claim-matching quality on the labelled corpus
(precision and recall at both thresholds, recall@1, per split), then search and matching latency over N generated
claims (default 100,000) in PostgreSQL: DATABASE_URL when set, else an embedded server in a temporary directory."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.claims.latency import load, measure
from bench.claims.quality import report


async def _latency(url: str, claims: int, rounds: int) -> list[tuple[str, str]]:
    connection = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        tenant_id = await load(connection, claims)
        loaded = time.perf_counter() - started
    finally:
        await connection.close()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        figures = await measure(pool, tenant_id, rounds)
    finally:
        await pool.close()
    rows = [(f"load {claims:,} claims (COPY, triggers, generated columns, GIN)", f"{loaded:.1f} s")]
    for name, (p50, p95) in figures.items():
        rows.append((f"{name} ({claims:,} claims, {rounds} requests)", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"))
    rows.append(("load average (1, 5, 15 min) at the end", " ".join(f"{x:.1f}" for x in os.getloadavg())))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.claims")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--verbose", action="store_true", help="print every pair on the wrong side of a threshold")
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    rows = report(args.verbose)
    if not args.quality_only:
        url = os.environ.get("DATABASE_URL")
        data_dir = None
        server = None
        if url is None:
            import pgserver

            data_dir = Path(tempfile.mkdtemp(prefix="factmark-claims-bench-"))
            server = pgserver.get_server(data_dir, cleanup_mode="stop")
            url = server.get_uri()
        try:
            rows += asyncio.run(_latency(url, args.claims, args.rounds))
        finally:
            if server is not None:
                server.cleanup()
            if data_dir is not None:
                shutil.rmtree(data_dir, ignore_errors=True)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
