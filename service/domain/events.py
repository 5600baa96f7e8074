"""What a change event is: its types, the event a write records, and the feed's cursor position."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass


class EventType(enum.StrEnum):
    ARTICLE_CREATED = "article.created"
    ARTICLE_UPDATED = "article.updated"
    ARTICLE_DELETED = "article.deleted"
    ARTICLE_TEXT_REVISED = "article.text_revised"
    ANNOTATION_CREATED = "annotation.created"
    ANNOTATION_UPDATED = "annotation.updated"
    ANNOTATION_DELETED = "annotation.deleted"
    WEBHOOK_DISABLED = "webhook.disabled"
    WEBHOOK_TEST = "webhook.test"


EVENT_TYPES = frozenset(EventType)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event a write records in its own transaction: `data` is the resource's JSON as a GET answers it
    (for a delete, its ids only)."""

    type: EventType
    data: bytes
    article_id: uuid.UUID | None = None
    annotation_id: uuid.UUID | None = None
    revision: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the feed: after the event with transaction id `xid` and id `id` ((0, 0): the start).
    `occurred_at` (Unix seconds) of that event tells a cursor older than the retention period."""

    xid: int
    id: int
    occurred_at: float | None = None


START = Position(0, 0, None)


def deleted_data(resource_id: uuid.UUID, article_id: uuid.UUID | None = None) -> bytes:
    """The `data` of a delete event: ids only."""
    if article_id is None:
        return b'{"id":"%s"}' % str(resource_id).encode()
    return b'{"id":"%s","article_id":"%s"}' % (str(resource_id).encode(), str(article_id).encode())
