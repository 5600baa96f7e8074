"""msgspec Structs of the change feed, the event stream, webhooks and their deliveries (the API's wire types
for events, beside service/wire.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from service.domain.events import EventType
from service.wire import Url

EventTypes = Annotated[list[EventType], Meta(max_length=len(EventType), description="Empty: every type.")]
Description = Annotated[str, Meta(max_length=500)]


class Event(Struct, kw_only=True):
    """One change: `data` is the resource as a GET answered it right after the change (deletes: ids only)."""

    id: str
    """The event's id: stable, unique, the receiver's idempotency key (`webhook-id`)."""
    type: EventType
    occurred_at: datetime
    article_id: UUID | None
    annotation_id: UUID | None
    revision: int | None
    """The article's revision the change refers to."""
    data: dict[str, Any]


class EventPage(Struct, kw_only=True):
    items: list[Event]
    next_cursor: str
    """Always present: pass it as `after` to read on from here (no event skipped or repeated)."""


class StreamToken(Struct, kw_only=True):
    token: str
    """Pass as `?access_token=` to GET /v1/events/stream (EventSource cannot send an Authorization header)."""
    expires_at: datetime
    """Until when a stream may be opened with it; an open stream stays open."""


class WebhookInput(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    url: Url
    event_types: EventTypes = msgspec.field(default_factory=list)
    description: Description | None = None
    enabled: bool = True


class WebhookPatch(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    url: Url | UnsetType = UNSET
    event_types: EventTypes | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    enabled: bool | UnsetType = UNSET
    """Setting `true` again re-enables an endpoint that was disabled after failing."""


class SecretRotation(Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    overlap_seconds: Annotated[int, Meta(ge=0, le=7 * 24 * 3600)] = 24 * 3600
    """How long the previous secret keeps signing beside the new one."""


class Webhook(Struct, kw_only=True):
    id: UUID
    url: str
    event_types: list[EventType]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    previous_secret_until: datetime | None
    """While set and in the future, deliveries carry a signature with the previous secret too."""
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(Webhook, kw_only=True):
    secret: str
    """The signing secret (`whsec_…`, Standard Webhooks): shown here once, never again."""


class WebhookPage(Struct, kw_only=True):
    items: list[Webhook]


class DeliveryAttempt(Struct, kw_only=True):
    event_id: str
    event_type: EventType
    attempt: int
    attempted_at: datetime
    status_code: int | None
    duration_ms: float
    error: str | None
    next_attempt_at: datetime | None
    """When the next attempt is due; null once delivered or given up."""
    state: str
    """The delivery's state now: pending, delivered or failed."""


class DeliveryPage(Struct, kw_only=True):
    items: list[DeliveryAttempt]
    next_cursor: str | None


class TestDelivery(Struct, kw_only=True):
    event_id: str
