"""The read path written the way most teams would: FastAPI, pydantic v2 response models with a
discriminated union, SQLAlchemy 2 async ORM on asyncpg, and a bearer-key dependency that looks the key up.

Run by uvicorn with the service's flags: `uvicorn bench.peers.fastapi_app:app`; DATABASE_URL names the
bench database. Same JSON shape as the service's `GET /v1/articles/{id}/annotations`."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import ARRAY, Boolean, DateTime, Float, Integer, LargeBinary, String, select
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service.domain.keys import parse_token, secret_matches


class Base(DeclarativeBase):
    pass


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    tenant_id: Mapped[uuid.UUID] = mapped_column(PgUUID, primary_key=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AnnotationRow(Base):
    __tablename__ = "annotations"
    tenant_id: Mapped[uuid.UUID] = mapped_column(PgUUID, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(PgUUID, primary_key=True)
    article_id: Mapped[uuid.UUID] = mapped_column(PgUUID)
    kind: Mapped[str] = mapped_column(String)
    start_cp: Mapped[int] = mapped_column(Integer)
    end_cp: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(String)
    prefix: Mapped[str] = mapped_column(String)
    suffix: Mapped[str] = mapped_column(String)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String))
    note: Mapped[str | None] = mapped_column(String)
    author: Mapped[str | None] = mapped_column(String)
    origin: Mapped[str] = mapped_column(String)
    confidence: Mapped[float | None] = mapped_column(Float)
    anchor_status: Mapped[str] = mapped_column(String)
    anchor_revision: Mapped[int] = mapped_column(Integer)
    anchor_confidence: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    statement: Mapped[str | None] = mapped_column(String)
    claimant: Mapped[str | None] = mapped_column(String)
    verdict: Mapped[str | None] = mapped_column(String)
    verdict_explanation: Mapped[str | None] = mapped_column(String)
    review_url: Mapped[str | None] = mapped_column(String)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(String)
    source_type: Mapped[str | None] = mapped_column(String)
    cue: Mapped[str | None] = mapped_column(String)
    claim_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID)
    denier: Mapped[str | None] = mapped_column(String)
    target_id: Mapped[uuid.UUID | None] = mapped_column(PgUUID)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String)
    approximate: Mapped[bool | None] = mapped_column(Boolean)
    qualifier: Mapped[str | None] = mapped_column(String)
    subject: Mapped[str | None] = mapped_column(String)


class Anchor(BaseModel):
    status: Literal["anchored", "relocated", "orphaned"]
    revision: int
    confidence: float


class AnnotationBase(BaseModel):
    id: uuid.UUID
    article_id: uuid.UUID
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    tags: list[str]
    note: str | None
    author: str | None
    origin: Literal["human", "machine"]
    confidence: float | None
    anchor: Anchor
    version: int
    created_at: datetime
    updated_at: datetime


class Claim(AnnotationBase):
    kind: Literal["claim"]
    statement: str
    claimant: str | None
    verdict: str
    verdict_explanation: str | None
    review_url: str | None
    reviewed_at: datetime | None


class Attribution(AnnotationBase):
    kind: Literal["attribution"]
    source: str
    source_type: str | None
    cue: str | None
    claim_id: uuid.UUID | None


class Denial(AnnotationBase):
    kind: Literal["denial"]
    denier: str
    cue: str | None
    target_id: uuid.UUID | None


class Figure(AnnotationBase):
    kind: Literal["figure"]
    value: float
    unit: str | None
    approximate: bool
    qualifier: str | None
    subject: str | None


Annotation = Annotated[Claim | Attribution | Denial | Figure, Field(discriminator="kind")]
MODELS: dict[str, type[AnnotationBase]] = {
    "claim": Claim,
    "attribution": Attribution,
    "denial": Denial,
    "figure": Figure,
}


class AnnotationPage(BaseModel):
    items: list[Annotation]
    next_cursor: str | None


def to_model(row: AnnotationRow) -> AnnotationBase:
    model = MODELS[row.kind]
    data = {name: getattr(row, name) for name in model.model_fields if name not in ("start", "end", "anchor")}
    if row.kind == "claim":
        data["statement"] = row.statement or row.quote
    return model(
        **data,
        start=row.start_cp,
        end=row.end_cp,
        anchor=Anchor(status=row.anchor_status, revision=row.anchor_revision, confidence=row.anchor_confidence),
    )


engine = create_async_engine(
    os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1),
    pool_size=10,  # the service's pool size, so both hold the same number of connections
    max_overflow=0,
)
Session = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def session() -> AsyncIterator[AsyncSession]:
    async with Session() as s:
        yield s


async def tenant(
    db: Annotated[AsyncSession, Depends(session)], authorization: Annotated[str, Header()] = ""
) -> uuid.UUID:
    scheme, _, token = authorization.partition(" ")
    parsed = parse_token(token.strip()) if scheme.lower() == "bearer" else None
    if parsed is None:
        raise HTTPException(401, "send an API key")
    key = await db.scalar(select(ApiKeyRow).where(ApiKeyRow.id == parsed[0]))
    if key is None or key.revoked_at is not None or not secret_matches(parsed[1], key.secret_hash):
        raise HTTPException(401, "unknown key")
    if "read" not in key.scopes:
        raise HTTPException(403, "needs the read scope")
    return key.tenant_id


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/articles/{article_id}/annotations", response_model=AnnotationPage)
async def list_annotations(
    article_id: uuid.UUID,
    tenant_id: Annotated[uuid.UUID, Depends(tenant)],
    db: Annotated[AsyncSession, Depends(session)],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AnnotationPage:
    rows = (
        await db.scalars(
            select(AnnotationRow)
            .where(AnnotationRow.tenant_id == tenant_id, AnnotationRow.article_id == article_id)
            .order_by(AnnotationRow.start_cp, AnnotationRow.end_cp, AnnotationRow.id)
            .limit(limit + 1)
        )
    ).all()
    if not rows:
        raise HTTPException(404, "no such article")
    return AnnotationPage(items=[to_model(row) for row in rows[:limit]], next_cursor=None)  # type: ignore[misc]
