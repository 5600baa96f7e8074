-- Every change that alters an API key's verdict or an article's rendered annotations is announced with
-- pg_notify on the channel `factmark_changes`, delivered at commit to every replica that LISTENs (each
-- holds per-process caches of keys and rendered pages). Triggers rather than application code, so that
-- no write path (API, CLI, re-anchoring, cascades, a DBA's UPDATE) can forget to announce.
-- Payloads: `key:<api key id>`, `tenant:<tenant id>`, `article:<tenant id>:<article id>`.
-- Identical payloads in one transaction are folded into one notification by PostgreSQL.

CREATE FUNCTION factmark_notify_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('factmark_changes', 'key:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION factmark_notify_key();

-- A tenant's organisation name is part of every principal and of every W3C creator.
CREATE FUNCTION factmark_notify_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('factmark_changes', 'tenant:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER tenants_changed AFTER UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION factmark_notify_tenant();

-- Statement-level with transition tables: a batch of 5,000 annotations costs one query, not 5,000 calls.
CREATE FUNCTION factmark_notify_articles_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('factmark_changes', 'article:' || tenant_id || ':' || article_id)
    FROM (SELECT DISTINCT tenant_id, article_id FROM changed_rows) AS touched;
    RETURN NULL;
END $$;

CREATE TRIGGER annotations_inserted AFTER INSERT ON annotations
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_articles_of_rows();
CREATE TRIGGER annotations_updated AFTER UPDATE ON annotations
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_articles_of_rows();
CREATE TRIGGER annotations_deleted AFTER DELETE ON annotations
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_articles_of_rows();

-- The article's URL and revision appear in W3C renderings (target source) and positions.
CREATE FUNCTION factmark_notify_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('factmark_changes', 'article:' || OLD.tenant_id || ':' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER articles_changed AFTER UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION factmark_notify_article();

-- TRUNCATE fires no row triggers: every cache starts over.
CREATE FUNCTION factmark_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('factmark_changes', 'all');
    RETURN NULL;
END $$;

CREATE TRIGGER tenants_truncated AFTER TRUNCATE ON tenants FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_all();
CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_all();
CREATE TRIGGER articles_truncated AFTER TRUNCATE ON articles FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_all();
CREATE TRIGGER annotations_truncated AFTER TRUNCATE ON annotations
    FOR EACH STATEMENT EXECUTE FUNCTION factmark_notify_all();
