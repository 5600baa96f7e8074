"""The clients generated from openapi/openapi.json work against the live service: the Python one
(openapi-python-client) with one typed class per kind, ETags and problems, and the TypeScript one
(@hey-api/openapi-ts, fetch runtime) driving UTF-16 offsets from plain Node (openapi/clients/ts-smoke.ts).

The generators are pinned and installed by `make clients` (pip extra `clients`, openapi/clients/package-lock.json);
when one is missing or cannot be installed this test fails with the reason, it is not skipped."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.live_server import create_key, live_server

GENERATE = Path(__file__).resolve().parents[1] / "openapi" / "clients" / "generate.py"

TEXT = "Officials in Riga said on Monday that about 4,500 tonnes of grain had left the port. The owner has denied this."


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both clients, generated into a fresh directory (concurrent test sessions do not share build/clients)."""
    out = tmp_path_factory.mktemp("clients")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(GENERATE), "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        pytest.fail(
            f"generating the clients failed (run `make clients` to install the pinned generators):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    print(f"\nclients generated in {time.monotonic() - started:.1f}s\n{result.stdout}")
    return out


@pytest.fixture(scope="module")
def fm(clients: Path) -> SimpleNamespace:
    """The generated Python package's API modules and models."""
    sys.path.insert(0, str(clients / "python"))
    try:
        package = importlib.import_module("factmark_client")
        api = {
            name: importlib.import_module(f"factmark_client.api.{group}.{name}")
            for group, names in {
                "articles": ("create_article", "get_article", "delete_article"),
                "annotations": (
                    "create_annotations",
                    "list_annotations",
                    "get_annotation",
                    "update_annotation",
                    "delete_annotation",
                ),
            }.items()
            for name in names
        }
        models = importlib.import_module("factmark_client.models")
    finally:
        sys.path.remove(str(clients / "python"))
    assert Path(package.__file__).is_relative_to(clients), "imported a stale factmark_client from elsewhere"
    return SimpleNamespace(**api, **{name: getattr(models, name) for name in models.__all__}, package=package)


@pytest.fixture(scope="module")
def live(migrated: str) -> Iterator[tuple[str, str]]:
    """A `factmark serve` process on the test database and a write key for it."""
    key = create_key(migrated, "Client Desk")
    with live_server(migrated) as (base, _):
        yield base, key


def test_python_client_drives_the_service_with_typed_kinds(fm: SimpleNamespace, live: tuple[str, str]) -> None:
    base, key = live
    client = fm.package.AuthenticatedClient(base_url=base, token=key, raise_on_unexpected_status=True)
    claim_id = uuid.uuid4()
    body = fm.ArticleInput(
        url=f"https://clients.example/{uuid.uuid4()}",
        title="Grain leaves Riga port",
        text=TEXT,
        annotations=[
            fm.ClaimInput(
                kind="claim",
                id=claim_id,
                quote="about 4,500 tonnes of grain had left the port",
                verdict=fm.Verdict.MOSTLY_TRUE,
                review_url="https://factcheck.example.org/riga-grain",
            ),
            fm.AttributionInput(
                kind="attribution",
                start=0,
                end=22,
                source="Officials in Riga",
                source_type=fm.SourceType.GOVERNMENT,
                cue="said",
                claim_id=claim_id,
            ),
            fm.DenialInput(kind="denial", quote="has denied this", denier="The owner", target_id=claim_id),
            fm.FigureInput(
                kind="figure",
                quote="about 4,500 tonnes",
                value=4500,
                unit="tonnes",
                approximate=True,
                qualifier=fm.Qualifier.ABOUT,
                subject="grain",
            ),
        ],
    )
    created = fm.create_article.sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    article = created.parsed
    assert isinstance(article, fm.Article)
    assert created.headers["location"].endswith(str(article.id)) and created.headers["etag"]
    by_kind = {type(annotation): annotation for annotation in article.annotations}
    assert set(by_kind) == {fm.Claim, fm.Attribution, fm.Denial, fm.Figure}, "one typed class per kind"
    claim, attribution = by_kind[fm.Claim], by_kind[fm.Attribution]
    denial, figure = by_kind[fm.Denial], by_kind[fm.Figure]
    assert claim.id == claim_id and claim.verdict is fm.Verdict.MOSTLY_TRUE
    assert claim.statement == claim.quote == "about 4,500 tonnes of grain had left the port"
    assert attribution.quote == "Officials in Riga said" and attribution.claim_id == claim_id
    assert attribution.source_type is fm.SourceType.GOVERNMENT
    assert denial.denier == "The owner" and denial.target_id == claim_id
    assert figure.value == 4500 and figure.approximate is True and figure.qualifier is fm.Qualifier.ABOUT
    for annotation in article.annotations:
        assert TEXT[annotation.start : annotation.end] == annotation.quote
        assert isinstance(annotation.anchor, fm.Anchor) and annotation.anchor.status is fm.AnchorStatus.ANCHORED

    # List, whole and filtered by kind.
    page = fm.list_annotations.sync_detailed(article.id, client=client).parsed
    assert isinstance(page, fm.AnnotationPage) and page.next_cursor is None
    assert [type(a) for a in page.items] == [fm.Attribution, fm.Figure, fm.Claim, fm.Denial], "text order"
    figures = fm.list_annotations.sync_detailed(article.id, client=client, kind=[fm.Kind.FIGURE]).parsed
    assert [a.id for a in figures.items] == [figure.id]

    # A batch through createAnnotations (a list body), then one annotation (an object body).
    batch = fm.create_annotations.sync_detailed(
        article.id,
        client=client,
        body=[
            fm.FigureInput(kind="figure", quote="4,500 tonnes", value=4500, unit="tonnes"),
            fm.ClaimInput(kind="claim", quote="The owner has denied this"),
        ],
    )
    assert batch.status_code == 201 and isinstance(batch.parsed, fm.AnnotationBatch)
    assert [type(a) for a in batch.parsed.items] == [fm.Figure, fm.Claim]
    single = fm.create_annotations.sync_detailed(
        article.id, client=client, body=fm.DenialInput(kind="denial", quote="denied", denier="The owner")
    )
    assert single.status_code == 201 and isinstance(single.parsed, fm.Denial)

    # PATCH with If-Match: the ETag of the read; then the same, now stale, ETag answers 412 as a Problem.
    read = fm.get_annotation.sync_detailed(claim.id, client=client)
    assert isinstance(read.parsed, fm.Claim) and read.parsed.version == claim.version
    etag = read.headers["etag"]
    patch = fm.AnnotationPatch(
        verdict=fm.Verdict.FALSE, verdict_explanation="The port log shows 3,100 tonnes.", tags=["port"]
    )
    patched = fm.update_annotation.sync_detailed(claim.id, client=client, body=patch, if_match=etag)
    assert patched.status_code == 200, patched.content
    assert isinstance(patched.parsed, fm.Claim)
    assert patched.parsed.verdict is fm.Verdict.FALSE and patched.parsed.tags == ["port"]
    assert patched.parsed.version == claim.version + 1 and patched.headers["etag"] != etag
    stale = fm.update_annotation.sync_detailed(
        claim.id, client=client, body=fm.AnnotationPatch(note="a lost update"), if_match=etag
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, fm.Problem) and stale.parsed.status == 412
    assert stale.headers["content-type"].startswith("application/problem+json")

    # A validation problem names the field.
    mismatch = fm.create_annotations.sync_detailed(
        article.id,
        client=client,
        body=fm.FigureInput(kind="figure", start=38, end=56, quote="about 4,800 tonnes", value=4800),
    )
    assert mismatch.status_code == 422 and isinstance(mismatch.parsed, fm.Problem)
    assert [(e.pointer, e.actual) for e in mismatch.parsed.errors] == [("/quote", "about 4,500 tonnes")]

    # Delete, then it is gone.
    deleted = fm.delete_annotation.sync_detailed(denial.id, client=client)
    assert deleted.status_code == 204
    gone = fm.get_annotation.sync_detailed(denial.id, client=client)
    assert gone.status_code == 404 and isinstance(gone.parsed, fm.Problem)
    remaining = fm.list_annotations.sync_detailed(article.id, client=client).parsed
    assert denial.id not in {a.id for a in remaining.items} and len(remaining.items) == 6
    assert fm.delete_article.sync_detailed(article.id, client=client).status_code == 204


def test_typescript_client_round_trips_utf16_offsets_from_node(clients: Path, live: tuple[str, str]) -> None:
    base, key = live
    result = subprocess.run(
        ["node", str(clients / "ts-dist" / "ts-smoke.js")],
        env={**os.environ, "FACTMARK_URL": base, "FACTMARK_KEY": key},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"ts-smoke failed:\n{result.stdout}\n{result.stderr}"
    assert "checks passed" in result.stdout, result.stdout
    print(result.stdout)
