"""Two stories a day apart that report the same three claims in different words, and helpers to store them."""

from __future__ import annotations

THURSDAY = (
    "SEOUL — Around 12,000 North Korean troops are in Russia, officials said on Thursday.\n\n"
    "The Kremlin denied that its drones entered Polish airspace.\n\n"
    "Separately, the port of Riga handled 4,500 tonnes of grain in March, the port authority said."
)
THURSDAY_CLAIMS = (
    "Around 12,000 North Korean troops are in Russia",
    "The Kremlin denied that its drones entered Polish airspace",
    "the port of Riga handled 4,500 tonnes of grain in March",
)
FRIDAY = (
    "KYIV — Roughly twelve thousand soldiers from North Korea have been deployed to Russia, "
    "according to intelligence officials.\n\n"
    "Moscow rejected claims that Russian drones had crossed into Poland’s airspace.\n\n"
    "In March, about 4 500 tonnes of grain passed through Riga’s port. "
    "Officials said no North Korean troops are in Belarus."
)
FRIDAY_CLAIMS = (
    "Roughly twelve thousand soldiers from North Korea have been deployed to Russia",
    "Moscow rejected claims that Russian drones had crossed into Poland’s airspace",
    "In March, about 4 500 tonnes of grain passed through Riga’s port",
    "no North Korean troops are in Belarus",
)


def story(url: str, text: str, quotes: tuple[str, ...], published_at: str, **extra: object) -> dict[str, object]:
    return {
        "url": url,
        "title": text.split("—")[1].split(",")[0].strip() if "—" in text else None,
        "language": "en",
        "published_at": published_at,
        "text": text,
        "annotations": [{"kind": "claim", "quote": quote, **extra} for quote in quotes],
    }


async def store(client, url: str, text: str, quotes: tuple[str, ...], published_at: str, **extra: object):
    response = await client.post("/v1/articles", json=story(url, text, quotes, published_at, **extra))
    assert response.status_code == 201, response.text
    article = response.json()
    by_quote = {a["quote"]: a for a in article["annotations"]}
    return article, [by_quote[q] for q in quotes]


async def two_stories(client):
    """(thursday article, its claims, friday article, its claims)."""
    thursday, t_claims = await store(
        client, "https://news.example.com/korea-troops", THURSDAY, THURSDAY_CLAIMS, "2026-11-26T08:00:00Z"
    )
    friday, f_claims = await store(
        client, "https://other.example.com/north-soldiers", FRIDAY, FRIDAY_CLAIMS, "2026-11-27T09:30:00Z"
    )
    return thursday, t_claims, friday, f_claims
