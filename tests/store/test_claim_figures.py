"""The database reads numbers exactly as the domain does: factmark_figures (schemas/0008_claims.sql) against
service/domain/claims/numbers.py `number_values`, on fixed cases and a seeded random mix of number-like text."""

import random

from service.domain.claims.numbers import number_values

FIXED = [
    "around 12,000 North Korean troops", "twelve thousand soldiers", "12k", "12 000 troops", "12\u00a0000",
    "1.5 million people", "2.3 million", "$5bn and 5 bn", "in 2024, a hundred and twenty", "forty-five",
    "v2.12 build", "12,0000", "Twelve Thousand", "12 thousand", "11.2%", "€120m", "1,200,000 children",
    "nine thousand square kilometres", "24 F-35 jets", "Covid-19", "a-5", "é12", "", "no numbers here",
    "3.14159", "007", "10 000 000", "one of the",
]  # fmt: skip
PIECES = [
    "12", "12,000", "1.5", "000", "k", "m", "bn", " bn", " million", " thousand", " hundred", "twelve", "forty-five",
    "a hundred", " and ", "troops", " ", ",", ".", "-", "v2", "\u00a0", "\u202f", "2024", "seventy", "x", "ninety",
    "trillion", "1 200", "3,5", "K", "Million",
]  # fmt: skip


def _random_texts(count: int) -> list[str]:
    generator = random.Random(13)
    return ["".join(generator.choice(PIECES) for _ in range(generator.randint(1, 8))) for _ in range(count)]


async def test_sql_and_python_read_the_same_numbers(db):
    texts = FIXED + _random_texts(400)
    rows = await db.fetch("SELECT t, factmark_figures(t) AS f FROM unnest($1::text[]) AS t", texts)
    mismatches = [
        (row["t"], list(row["f"]), number_values(row["t"])) for row in rows if list(row["f"]) != number_values(row["t"])
    ]
    assert not mismatches, mismatches[:5]
