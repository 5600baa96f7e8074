-- Each annotation's JSON document, stored beside its columns in both offset units, so that a read passes
-- stored documents through instead of rendering 38 columns a row (docs/performance.md: a cold page of 200
-- annotations took 3.5 ms of PostgreSQL's CPU to render). A BEFORE trigger renders them on every INSERT
-- (COPY included) and UPDATE, whatever the write path, so they cannot drift from the columns.
-- The document is the wire Struct of service/wire.py, field for field (tests/store/test_annotation_documents.py
-- checks it against the Structs and against the rendering of service/store/annotations.py, which reads earlier
-- revisions); a change to those Structs needs a migration that replaces factmark_annotation_document.

-- One composite type per kind, named and ordered as the wire Struct: row_to_json of a ROW cast to it is a plain
-- expression (no subquery, so no query per call in the trigger) and writes compact JSON with these names.
CREATE TYPE factmark_anchor_document AS (status text, revision integer, confidence double precision, approximate boolean);
CREATE TYPE factmark_claim_document AS (
    "kind" text, "statement" text, "claimant" text, "verdict" text, "verdict_explanation" text, "review_url" text,
    "reviewed_at" text, "id" uuid, "article_id" uuid, "start" integer, "end" integer, "quote" text, "prefix" text,
    "suffix" text, "tags" text[], "note" text, "author" text, "origin" text, "confidence" double precision,
    "anchor" factmark_anchor_document, "needs_review" boolean, "previous_quote" text, "review" text, "version"
    integer, "created_at" text, "updated_at" text
);
CREATE TYPE factmark_attribution_document AS (
    "kind" text, "source" text, "source_type" text, "cue" text, "claim_id" uuid, "id" uuid, "article_id" uuid,
    "start" integer, "end" integer, "quote" text, "prefix" text, "suffix" text, "tags" text[], "note" text,
    "author" text, "origin" text, "confidence" double precision, "anchor" factmark_anchor_document, "needs_review"
    boolean, "previous_quote" text, "review" text, "version" integer, "created_at" text, "updated_at" text
);
CREATE TYPE factmark_denial_document AS (
    "kind" text, "denier" text, "cue" text, "target_id" uuid, "id" uuid, "article_id" uuid, "start" integer, "end"
    integer, "quote" text, "prefix" text, "suffix" text, "tags" text[], "note" text, "author" text, "origin" text,
    "confidence" double precision, "anchor" factmark_anchor_document, "needs_review" boolean, "previous_quote"
    text, "review" text, "version" integer, "created_at" text, "updated_at" text
);
CREATE TYPE factmark_figure_document AS (
    "kind" text, "value" double precision, "unit" text, "approximate" boolean, "qualifier" text, "subject" text,
    "id" uuid, "article_id" uuid, "start" integer, "end" integer, "quote" text, "prefix" text, "suffix" text,
    "tags" text[], "note" text, "author" text, "origin" text, "confidence" double precision, "anchor"
    factmark_anchor_document, "needs_review" boolean, "previous_quote" text, "review" text, "version" integer,
    "created_at" text, "updated_at" text
);

CREATE FUNCTION factmark_annotation_document(a annotations, start_at integer, end_at integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE a.kind
        WHEN 'claim' THEN row_to_json(ROW(
            a.kind, coalesce(a.statement, a.quote), a.claimant, a.verdict, a.verdict_explanation, a.review_url,
            to_char(a.reviewed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.id, a.article_id, start_at,
            end_at, a.quote, a.prefix, a.suffix, a.tags, a.note, a.author, a.origin, a.confidence,
            ROW(a.anchor_status, a.anchor_revision, a.anchor_confidence,
            a.anchor_approximate)::factmark_anchor_document, a.needs_review, a.previous_quote, a.review, a.version,
            to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(a.updated_at AT TIME
            ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )::factmark_claim_document)
        WHEN 'attribution' THEN row_to_json(ROW(
            a.kind, a.source, a.source_type, a.cue, a.claim_id, a.id, a.article_id, start_at, end_at, a.quote,
            a.prefix, a.suffix, a.tags, a.note, a.author, a.origin, a.confidence, ROW(a.anchor_status,
            a.anchor_revision, a.anchor_confidence, a.anchor_approximate)::factmark_anchor_document, a.needs_review,
            a.previous_quote, a.review, a.version, to_char(a.created_at AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(a.updated_at AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )::factmark_attribution_document)
        WHEN 'denial' THEN row_to_json(ROW(
            a.kind, a.denier, a.cue, a.target_id, a.id, a.article_id, start_at, end_at, a.quote, a.prefix, a.suffix,
            a.tags, a.note, a.author, a.origin, a.confidence, ROW(a.anchor_status, a.anchor_revision,
            a.anchor_confidence, a.anchor_approximate)::factmark_anchor_document, a.needs_review, a.previous_quote,
            a.review, a.version, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )::factmark_denial_document)
        WHEN 'figure' THEN row_to_json(ROW(
            a.kind, a.value, a.unit, a.approximate, a.qualifier, a.subject, a.id, a.article_id, start_at, end_at,
            a.quote, a.prefix, a.suffix, a.tags, a.note, a.author, a.origin, a.confidence, ROW(a.anchor_status,
            a.anchor_revision, a.anchor_confidence, a.anchor_approximate)::factmark_anchor_document, a.needs_review,
            a.previous_quote, a.review, a.version, to_char(a.created_at AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(a.updated_at AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )::factmark_figure_document)
    END;
END $$;

CREATE FUNCTION factmark_render_annotation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.document_cp := factmark_annotation_document(NEW, NEW.start_cp, NEW.end_cp)::text;
    NEW.document_utf16 := factmark_annotation_document(NEW, NEW.start_utf16, NEW.end_utf16)::text;
    RETURN NEW;
END $$;

-- text, not json: a page joins them with string_agg, and a json value becomes text through its output and
-- input functions (ten times the cost of the join itself, measured on 200 documents).
ALTER TABLE annotations ADD COLUMN document_cp text, ADD COLUMN document_utf16 text;

UPDATE annotations a SET document_cp = factmark_annotation_document(a, a.start_cp, a.end_cp)::text,
                         document_utf16 = factmark_annotation_document(a, a.start_utf16, a.end_utf16)::text;

ALTER TABLE annotations ALTER COLUMN document_cp SET NOT NULL, ALTER COLUMN document_utf16 SET NOT NULL;

-- Two documents of ~700 bytes each take a typical row past the default 2 kB TOAST threshold, and documents moved
-- out of line cost every page read a TOAST fetch each; rows up to a page stay inline (long quotes still go).
ALTER TABLE annotations SET (toast_tuple_target = 8160);

CREATE TRIGGER annotations_rendered BEFORE INSERT OR UPDATE ON annotations
    FOR EACH ROW EXECUTE FUNCTION factmark_render_annotation();
