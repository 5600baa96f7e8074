"""Search and matching latency over generated claims in PostgreSQL: rows written with COPY (articles, then claims,
through the real triggers and generated columns of schemas/0008_claims.sql), then timed through the same store
functions and rerank as the endpoints (`GET /v1/claims`, `GET /v1/annotations/{id}/matches`), minus HTTP."""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import anyio
import asyncpg

from service.domain.claims.candidates import MAX_CANDIDATES, candidate_query, rerank
from service.domain.claims.query import parse_query
from service.domain.offsets import OffsetUnit
from service.store import annotations as annotation_store
from service.store import claims as claim_store
from service.store import keys as key_store
from service.store.migrations import migrate

# A newsroom's vocabulary, roughly: 120 places, 40 actors, 80 kinds of thing counted with their verbs, numbers of
# many sizes and written several ways, dates. A word like "troops" is in about 1 claim in 80, a place in 1 in 120.
PLACES = [
    "Riga", "Tallinn", "Vilnius", "Kyiv", "Kharkiv", "Odesa", "Warsaw", "Gdansk", "Berlin", "Hamburg", "Paris",
    "Lyon", "Madrid", "Seville", "Rome", "Milan", "Athens", "Patras", "Tbilisi", "Yerevan", "Helsinki", "Oslo",
    "Stockholm", "Copenhagen", "Lisbon", "Porto", "Dublin", "Cork", "Prague", "Brno", "Vienna", "Graz", "Budapest",
    "Bucharest", "Sofia", "Belgrade", "Zagreb", "Ljubljana", "Bratislava", "Chisinau", "Minsk", "Moscow", "Kursk",
    "Belgorod", "Dnipro", "Lviv", "Kherson", "Mariupol", "Donetsk", "Luhansk", "Sevastopol", "Istanbul", "Ankara",
    "Izmir", "Nicosia", "Valletta", "Naples", "Turin", "Marseille", "Toulouse", "Bordeaux", "Lille", "Brussels",
    "Antwerp", "Amsterdam", "Rotterdam", "Utrecht", "Cologne", "Munich", "Frankfurt", "Leipzig", "Dresden",
    "Krakow", "Wroclaw", "Poznan", "Lodz", "Kaunas", "Klaipeda", "Tartu", "Narva", "Turku", "Tampere", "Bergen",
    "Gothenburg", "Malmo", "Aarhus", "Odense", "Glasgow", "Edinburgh", "Cardiff", "Belfast", "Manchester",
    "Liverpool", "Leeds", "Bristol", "Seoul", "Busan", "Pyongyang", "Tokyo", "Osaka", "Beijing", "Shanghai",
    "Taipei", "Manila", "Jakarta", "Hanoi", "Bangkok", "Delhi", "Mumbai", "Dhaka", "Karachi", "Kabul", "Tehran",
    "Baghdad", "Cairo", "Tunis", "Algiers", "Lagos", "Nairobi",
]  # fmt: skip
ACTORS = [
    "Russian", "Ukrainian", "Polish", "German", "French", "British", "North Korean", "Chinese", "Turkish", "Latvian",
    "Estonian", "Lithuanian", "Swedish", "Finnish", "Norwegian", "Spanish", "Italian", "Greek", "Georgian", "Czech",
    "Slovak", "Hungarian", "Romanian", "Bulgarian", "Serbian", "Croatian", "Austrian", "Dutch", "Belgian", "Danish",
    "Irish", "Portuguese", "Japanese", "Korean", "Indian", "Iranian", "Egyptian", "Kenyan", "Nigerian", "American",
]  # fmt: skip
_NOUNS = [
    "troops", "soldiers", "refugees", "migrants", "homes", "jobs", "drones", "missiles", "tanks", "vessels",
    "flights", "protesters", "students", "doctors", "nurses", "teachers", "workers", "farmers", "voters", "tourists",
    "tonnes of grain", "tonnes of steel", "barrels of oil", "litres of fuel", "hectares of forest", "schools",
    "hospital beds", "buses", "trains", "cars", "apartments", "shops", "factories", "bridges", "kilometres of road",
    "vaccines", "tests", "prisoners", "hostages", "journalists", "officials", "police officers", "firefighters",
    "volunteers", "children", "pensioners", "households", "companies", "banks", "loans", "euros", "dollars",
    "wind turbines", "solar panels", "electric cars", "charging points", "trees", "sheep", "cattle", "fish",
    "containers", "passengers", "cyclists", "patients", "beds", "ambulances", "tickets", "visas", "permits",
    "complaints", "arrests", "fines", "lawsuits", "votes", "seats", "signatures", "donations", "meals", "books",
]  # fmt: skip
_VERBS = [
    "were deployed to", "arrived in", "left", "crossed into", "were destroyed near", "will be cut in",
    "were shot down over", "were evacuated from", "docked in", "were sent to", "reached", "went on strike in",
    "were added in", "closed in", "were bought for", "were cancelled at", "gathered in", "enrolled in",
    "were pledged to", "were recorded in", "were lost in", "were built in", "were seized in", "were counted in",
]  # fmt: skip
THINGS = [(noun, verb) for index, noun in enumerate(_NOUNS) for verb in _VERBS[index % 3 :: 8]]
APPROX = ["", "", "about ", "around ", "roughly ", "nearly ", "more than ", "at least ", "some "]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
CLAIMANTS = ["the ministry", "officials", "the mayor", "police", "the agency", "a spokesman", None, None]
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 12: "twelve", 20: "twenty", 40: "forty"}


def _number(generator: random.Random) -> str:
    digits = generator.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 20, 25, 30, 40, 45, 50, 60, 75, 80, 90])
    value = digits * 10 ** generator.randint(0, 5)
    style = generator.random()
    if value >= 1000 and value % 1000 == 0 and style < 0.2:
        return f"{value // 1000}k"
    if value % 1000 == 0 and value // 1000 in _WORDS and style < 0.35:
        return f"{_WORDS[value // 1000]} thousand"
    return f"{value:,}"


def claim_text(generator: random.Random) -> str:
    thing, verb = generator.choice(THINGS)
    month, year = generator.choice(MONTHS), generator.randint(2000, 2026)
    when = generator.choice([f"in {month}", f"in {year}", "on Monday", "last week", "overnight", f"in {month} {year}"])
    text = f"{generator.choice(APPROX)}{_number(generator)} {generator.choice(ACTORS)} {thing} {verb} "
    text += f"{generator.choice(PLACES)} {when}"
    return text[0].upper() + text[1:]


async def load(connection: asyncpg.Connection, claims: int, per_article: int = 5, seed: int = 7) -> uuid.UUID:
    """A tenant with `claims` claims over claims / per_article English articles, written with COPY."""
    generator = random.Random(seed)
    await migrate(connection)
    tenant_id = await key_store.ensure_tenant(connection, f"Claims bench {uuid.uuid4().hex[:8]}")
    now = datetime.now(UTC)
    articles = []
    for index in range(claims // per_article):
        published = now - timedelta(hours=index)
        url = f"https://bench.example.com/{tenant_id.hex[:8]}/{index}"
        articles.append((tenant_id, uuid.uuid4(), url, url, f"Story {index}", "en", published, now, now))
    await connection.copy_records_to_table(
        "articles", records=articles,
        columns=("tenant_id", "id", "url", "canonical_url", "title", "language", "published_at", "created_at",
                 "updated_at"),
    )  # fmt: skip
    rows = []
    for article in articles:
        for _ in range(per_article):
            text = claim_text(generator)
            rows.append((tenant_id, uuid.uuid4(), article[1], "claim", 0, len(text), 0, len(text), text, "", "",
                         1, now, now, generator.choice(CLAIMANTS), "unverified"))  # fmt: skip
    await connection.copy_records_to_table(
        "annotations", records=rows,
        columns=("tenant_id", "id", "article_id", "kind", "start_cp", "end_cp", "start_utf16", "end_utf16", "quote",
                 "prefix", "suffix", "anchor_revision", "created_at", "updated_at", "claimant", "verdict"),
    )  # fmt: skip
    await connection.execute("VACUUM ANALYZE annotations")
    await connection.execute("VACUUM ANALYZE articles")
    return tenant_id


def _queries(generator: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        thing, _ = generator.choice(THINGS)
        out.append(generator.choice([
            f"{_number(generator)} {thing.split()[0]}",
            f"{generator.choice(ACTORS)} {thing} {generator.choice(PLACES)}",
            f'"{thing}" {generator.choice(PLACES)} -{generator.choice(PLACES)}',
            f"{generator.choice(PLACES)} {generator.choice(MONTHS)}",
        ]))  # fmt: skip
    return out


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


async def measure(pool: asyncpg.Pool, tenant_id: uuid.UUID, rounds: int = 200) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of a search page (20 hits, read as the endpoint reads them: tsqueries, the page with its
    annotations, suggested verdicts), of a claim's matches (and of its
    two halves: the candidates' SQL and the rerank), and, as the same-run baseline, of reading one annotation
    by primary key (what the machine's load adds to any statement)."""
    generator = random.Random(11)
    sample = await pool.fetch(
        "SELECT id FROM annotations WHERE tenant_id = $1 AND kind = 'claim' ORDER BY random() LIMIT $2",
        tenant_id,
        rounds,
    )
    baseline = []
    for row in sample:
        start = time.perf_counter()
        await annotation_store.fetch_annotations_by_ids(pool, tenant_id, [row["id"]], OffsetUnit.CODEPOINT)
        baseline.append(time.perf_counter() - start)
    search_times = []
    for q in _queries(generator, rounds):
        start = time.perf_counter()
        rows = await claim_store.search_claims(pool, tenant_id, parse_query(q), claim_store.ClaimFilter(), None, 21)
        await claim_store.fetch_group_reviews(pool, tenant_id, [r["id"] for r in rows])  # suggested verdicts
        search_times.append(time.perf_counter() - start)
    match_times, sql_times, rerank_times = [], [], []
    for row in sample:
        start = time.perf_counter()
        source = await claim_store.fetch_claim_text(pool, tenant_id, row["id"])
        assert source is not None
        where = claim_store.ClaimFilter(other_than_article=source["article_id"])
        sql_start = time.perf_counter()
        candidates = await claim_store.fetch_candidates(
            pool, tenant_id, candidate_query(source["statement"]), where, MAX_CANDIDATES
        )
        rerank_start = time.perf_counter()
        texts = [(c["id"], c["statement"]) for c in candidates]
        await anyio.to_thread.run_sync(rerank, source["statement"], texts, 10)
        rerank_end = time.perf_counter()
        await claim_store.fetch_group_ids(pool, tenant_id, row["id"])
        match_times.append(time.perf_counter() - start)
        sql_times.append(rerank_start - sql_start)
        rerank_times.append(rerank_end - rerank_start)
    return {
        "baseline: one annotation by primary key": _percentiles(baseline),
        "search": _percentiles(search_times),
        "matching": _percentiles(match_times),
        "  of which candidates (SQL)": _percentiles(sql_times),
        "  of which rerank (Python, worker thread)": _percentiles(rerank_times),
    }
