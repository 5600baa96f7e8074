-- Where each annotation stood in each earlier revision of its article's text: written when a new revision
-- re-anchors the article, so annotations can be read as they were (`?revision=n`) and an approximately
-- relocated annotation keeps its previous quote and offsets.

CREATE TABLE annotation_history (
    tenant_id          uuid NOT NULL,
    annotation_id      uuid NOT NULL,
    revision           integer NOT NULL,
    start_cp           integer NOT NULL,
    end_cp             integer NOT NULL,
    start_utf16        integer NOT NULL,
    end_utf16          integer NOT NULL,
    quote              text NOT NULL,
    prefix             text NOT NULL,
    suffix             text NOT NULL,
    anchor_status      text NOT NULL,
    anchor_revision    integer NOT NULL,
    anchor_confidence  double precision NOT NULL,
    PRIMARY KEY (tenant_id, annotation_id, revision),
    FOREIGN KEY (tenant_id, annotation_id) REFERENCES annotations (tenant_id, id) ON DELETE CASCADE
);
