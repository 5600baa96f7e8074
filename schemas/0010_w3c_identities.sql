-- What a W3C Web Annotation client said about an annotation's identity, kept as it was sent (Web Annotation
-- Protocol §5.1): its `canonical` IRI, which the server must never change, and `via`, the IRIs it was known
-- by before (the client's own `id` lands there). Only annotations written as W3C documents have a row.

CREATE TABLE w3c_identities (
    tenant_id      uuid NOT NULL,
    annotation_id  uuid NOT NULL,
    canonical      text,
    via            text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, annotation_id),
    FOREIGN KEY (tenant_id, annotation_id) REFERENCES annotations (tenant_id, id) ON DELETE CASCADE
);
