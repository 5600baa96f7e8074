-- Core model: tenants, API keys, articles with their text revisions and URLs, annotations.
-- Every primary key leads with tenant_id so the schema can be distributed by tenant.

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          text NOT NULL,              -- public part of the key, used to find it
    secret_hash bytea NOT NULL,             -- sha256 of the secret part
    scopes      text[] NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);

CREATE TABLE articles (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL,
    url           text NOT NULL,
    canonical_url text NOT NULL,
    alternate_urls text[] NOT NULL DEFAULT '{}',
    title         text,
    publisher     text,
    language      text,
    published_at  timestamptz,
    revision      integer NOT NULL DEFAULT 1,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX articles_by_creation ON articles (tenant_id, created_at DESC, id DESC);

-- The canonical form of every URL an article is known by (its url and alternate_urls): the lookup
-- index, and one article per canonical URL per tenant.
CREATE TABLE article_urls (
    tenant_id      uuid NOT NULL,
    canonical_url  text NOT NULL,
    article_id     uuid NOT NULL,
    PRIMARY KEY (tenant_id, canonical_url),
    FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX article_urls_by_article ON article_urls (tenant_id, article_id);

-- The texts of an article, revision 1 onwards; articles.revision names the current one.
CREATE TABLE article_revisions (
    tenant_id      uuid NOT NULL,
    article_id     uuid NOT NULL,
    revision       integer NOT NULL,
    text           text NOT NULL,
    length         integer NOT NULL,          -- in code points
    length_utf16   integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, article_id, revision),
    FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE annotations (
    tenant_id          uuid NOT NULL,
    id                 uuid NOT NULL,
    article_id         uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('claim', 'attribution', 'denial', 'figure')),
    start_cp           integer NOT NULL,
    end_cp             integer NOT NULL,
    start_utf16        integer NOT NULL,
    end_utf16          integer NOT NULL,
    quote              text NOT NULL,
    prefix             text NOT NULL,
    suffix             text NOT NULL,
    tags               text[] NOT NULL DEFAULT '{}',
    note               text,
    author             text,
    origin             text NOT NULL DEFAULT 'human',
    confidence         double precision,
    anchor_status      text NOT NULL DEFAULT 'anchored'
                       CHECK (anchor_status IN ('anchored', 'relocated', 'orphaned')),
    anchor_revision    integer NOT NULL,
    anchor_confidence  double precision NOT NULL DEFAULT 1,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- claim
    statement            text,
    claimant             text,
    verdict              text,
    verdict_explanation  text,
    review_url           text,
    reviewed_at          timestamptz,
    -- attribution, denial
    source       text,
    source_type  text,
    cue          text,
    claim_id     uuid,
    denier       text,
    target_id    uuid,
    -- figure
    value        double precision,
    unit         text,
    approximate  boolean,
    qualifier    text,
    subject      text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id) ON DELETE CASCADE,
    -- Links to claims; deleting a claim clears the links first (store/annotations.py).
    FOREIGN KEY (tenant_id, claim_id) REFERENCES annotations (tenant_id, id),
    FOREIGN KEY (tenant_id, target_id) REFERENCES annotations (tenant_id, id),
    CHECK (start_cp < end_cp)
);
CREATE INDEX annotations_by_position ON annotations (tenant_id, article_id, start_cp, end_cp, id);
CREATE INDEX annotations_by_claim ON annotations (tenant_id, claim_id) WHERE claim_id IS NOT NULL;
CREATE INDEX annotations_by_target ON annotations (tenant_id, target_id) WHERE target_id IS NOT NULL;
