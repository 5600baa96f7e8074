-- The plain list read's answer, stored (docs/performance.md, "Stored pages"): an article's annotations as
-- `GET …/annotations?limit=N` answers them when one page holds them all (review states listed by default, one
-- offset unit), kept in parts small enough to stay inside their heap rows. Reading them back is a few rows
-- and no TOAST; PostgreSQL spent more CPU reading one 140 kB value than 200 rows of documents (measured).
--
-- Kept exact by a generation per article, not by deleting pages: every statement that writes annotations
-- raises its articles' generation in its own transaction (triggers, so no write path can forget), a page is
-- stored with the generation read in the same snapshot as its rows, and a page is served only while its
-- generation is the article's. A page rendered before a write that commits first is thus never served, however
-- the two race.

CREATE TABLE annotation_page_generations (
    tenant_id  uuid NOT NULL,
    article_id uuid NOT NULL,
    generation bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, article_id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE annotation_page_parts (
    tenant_id  uuid NOT NULL,
    article_id uuid NOT NULL,
    unit       text NOT NULL,  -- the offset unit: 'codepoint' or 'utf16'
    part       integer NOT NULL,  -- 0, 1, …: the answer's bytes in order
    parts      integer NOT NULL,  -- how many the answer has
    generation bigint NOT NULL,
    matching   integer NOT NULL,  -- how many annotations the answer lists
    version    text NOT NULL,  -- the list's version (its ETag's part), as the rows gave it
    body       bytea NOT NULL,
    PRIMARY KEY (tenant_id, article_id, unit, part),
    -- Not on articles: the key-share lock a stored page takes would wait for every write holding the article
    -- FOR UPDATE. A generation's update (no key changed) lets it pass.
    FOREIGN KEY (tenant_id, article_id) REFERENCES annotation_page_generations (tenant_id, article_id)
        ON DELETE CASCADE
);
-- In line, uncompressed: a part is at most 7,600 bytes, so its row fits a heap page without TOAST.
ALTER TABLE annotation_page_parts ALTER COLUMN body SET STORAGE PLAIN;

-- Statement-level, in a fixed order (two transactions touching the same articles lock them alike). An article
-- being deleted (annotations removed by its cascade) gets no generation: its pages go with it.
CREATE FUNCTION factmark_outdate_pages_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotation_page_generations AS g (tenant_id, article_id)
    SELECT touched.tenant_id, touched.article_id
    FROM (SELECT DISTINCT tenant_id, article_id FROM changed_rows) AS touched
    WHERE EXISTS (SELECT FROM articles a WHERE a.tenant_id = touched.tenant_id AND a.id = touched.article_id)
    ORDER BY touched.tenant_id, touched.article_id
    ON CONFLICT (tenant_id, article_id) DO UPDATE SET generation = g.generation + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER annotations_inserted_outdate_pages AFTER INSERT ON annotations
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION factmark_outdate_pages_of_rows();
CREATE TRIGGER annotations_updated_outdate_pages AFTER UPDATE ON annotations
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION factmark_outdate_pages_of_rows();
CREATE TRIGGER annotations_deleted_outdate_pages AFTER DELETE ON annotations
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION factmark_outdate_pages_of_rows();

INSERT INTO annotation_page_generations (tenant_id, article_id)
SELECT DISTINCT tenant_id, article_id FROM annotations;

-- TRUNCATE fires no row or transition triggers: every stored page goes.
CREATE FUNCTION factmark_drop_all_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM annotation_page_parts;
    RETURN NULL;
END $$;

CREATE TRIGGER annotations_truncated_drop_pages AFTER TRUNCATE ON annotations
    FOR EACH STATEMENT EXECUTE FUNCTION factmark_drop_all_pages();
