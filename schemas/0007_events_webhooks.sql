-- The change feed (an outbox written in each write's own transaction), webhook endpoints with their deliveries
-- and attempts, and short-lived tokens for EventSource streams. Every primary key leads with tenant_id.

CREATE SEQUENCE events_id_seq;

CREATE TABLE events (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             bigint NOT NULL DEFAULT nextval('events_id_seq'),
    -- The writing transaction's id: the feed hands out only rows older than the oldest transaction still
    -- running, in (xid, id) order, so a row committing late never lands behind a cursor (docs/events.md).
    xid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    type           text NOT NULL,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    article_id     uuid,
    annotation_id  uuid,
    revision       integer,
    data           json NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
ALTER SEQUENCE events_id_seq OWNED BY events.id;
CREATE INDEX events_feed ON events (tenant_id, xid, id);
CREATE INDEX events_of_article ON events (tenant_id, article_id, xid, id) WHERE article_id IS NOT NULL;
CREATE INDEX events_by_age ON events (occurred_at);

CREATE TABLE webhook_endpoints (
    tenant_id                 uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                        uuid NOT NULL,
    url                       text NOT NULL,
    event_types               text[] NOT NULL DEFAULT '{}',   -- empty: every type
    description               text,
    enabled                   boolean NOT NULL DEFAULT true,
    disabled_reason           text,
    -- Signing secrets in the Standard Webhooks form (whsec_<base64>); HMAC needs the secret itself, so it is
    -- stored as it is. During a rotation's overlap both the new and the previous secret sign each delivery.
    secret                    text NOT NULL,
    previous_secret           text,
    previous_secret_until     timestamptz,
    failing_since             timestamptz,                   -- first failure since the last success
    version                   integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- One row per (endpoint, event): written in the event's own transaction, claimed by a worker with
-- FOR UPDATE SKIP LOCKED. `next_attempt_at` doubles as the lease of an attempt in flight.
CREATE TABLE webhook_deliveries (
    tenant_id        uuid NOT NULL,
    endpoint_id      uuid NOT NULL,
    event_id         bigint NOT NULL,
    event_xid        xid8 NOT NULL,
    article_id       uuid,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    PRIMARY KEY (tenant_id, endpoint_id, event_id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (tenant_id, endpoint_id, article_id, event_xid, event_id)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (tenant_id, event_id);

CREATE TABLE webhook_attempts (
    tenant_id        uuid NOT NULL,
    endpoint_id      uuid NOT NULL,
    event_id         bigint NOT NULL,
    attempt          integer NOT NULL,
    attempted_at     timestamptz NOT NULL,
    status_code      integer,
    duration_ms      double precision NOT NULL,
    error            text,
    next_attempt_at  timestamptz,
    PRIMARY KEY (tenant_id, endpoint_id, event_id, attempt),
    FOREIGN KEY (tenant_id, endpoint_id, event_id)
        REFERENCES webhook_deliveries (tenant_id, endpoint_id, event_id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_recent ON webhook_attempts (tenant_id, endpoint_id, attempted_at DESC);

-- Tokens an EventSource (which cannot send headers) passes as `?access_token=`; a hash is stored, like keys.
CREATE TABLE stream_tokens (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           text NOT NULL,
    secret_hash  bytea NOT NULL,
    key_id       text NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX stream_tokens_id ON stream_tokens (id);
