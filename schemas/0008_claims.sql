-- Claims across articles (docs/claims.md): full-text search over a claim's statement, quote and claimant in its
-- article's language, the figures it states however written, and confirmed "same claim" links between claims.

-- The text search configuration of a BCP 47 language tag: the stemmer of every language PostgreSQL 14 ships,
-- `simple` (no stemming, no stop words) for any other or none.
CREATE FUNCTION factmark_search_config(language text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE lower(split_part(coalesce(language, ''), '-', 1))
    WHEN 'ar' THEN 'arabic' WHEN 'da' THEN 'danish' WHEN 'nl' THEN 'dutch' WHEN 'en' THEN 'english'
    WHEN 'fi' THEN 'finnish' WHEN 'fr' THEN 'french' WHEN 'de' THEN 'german' WHEN 'el' THEN 'greek'
    WHEN 'hu' THEN 'hungarian' WHEN 'id' THEN 'indonesian' WHEN 'ga' THEN 'irish' WHEN 'it' THEN 'italian'
    WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali' WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian'
    WHEN 'nn' THEN 'norwegian' WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian'
    WHEN 'es' THEN 'spanish' WHEN 'sv' THEN 'swedish' WHEN 'ta' THEN 'tamil' WHEN 'tr' THEN 'turkish'
    ELSE 'simple' END;

-- The configuration itself. Written out as constants (not `name::regconfig`, a catalog lookup) so that the
-- generated column below depends only on its row; the stored name is text, not regconfig, which pg_upgrade
-- cannot carry in a user table.
CREATE FUNCTION factmark_regconfig(config text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE config
    WHEN 'arabic' THEN 'arabic'::regconfig WHEN 'danish' THEN 'danish'::regconfig
    WHEN 'dutch' THEN 'dutch'::regconfig WHEN 'english' THEN 'english'::regconfig
    WHEN 'finnish' THEN 'finnish'::regconfig WHEN 'french' THEN 'french'::regconfig
    WHEN 'german' THEN 'german'::regconfig WHEN 'greek' THEN 'greek'::regconfig
    WHEN 'hungarian' THEN 'hungarian'::regconfig WHEN 'indonesian' THEN 'indonesian'::regconfig
    WHEN 'irish' THEN 'irish'::regconfig WHEN 'italian' THEN 'italian'::regconfig
    WHEN 'lithuanian' THEN 'lithuanian'::regconfig WHEN 'nepali' THEN 'nepali'::regconfig
    WHEN 'norwegian' THEN 'norwegian'::regconfig WHEN 'portuguese' THEN 'portuguese'::regconfig
    WHEN 'romanian' THEN 'romanian'::regconfig WHEN 'russian' THEN 'russian'::regconfig
    WHEN 'spanish' THEN 'spanish'::regconfig WHEN 'swedish' THEN 'swedish'::regconfig
    WHEN 'tamil' THEN 'tamil'::regconfig WHEN 'turkish' THEN 'turkish'::regconfig
    ELSE 'simple'::regconfig END;

-- The distinct values of the numbers in a text: service/domain/claims/numbers.py `number_values`, the same two
-- patterns (digits with groups, decimals and scales; runs of number words), kept in step by
-- tests/store/test_claim_figures.py. Linear in the text: two regex scans and one pass over each word run.
CREATE FUNCTION factmark_figures(body text) RETURNS float8[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
    space constant text := '[ \t\n\r\f\v\u00a0\u202f\u2009]';
    digits constant text := '(?<![\w.,])(?<![[:alpha:]]-)(\d{1,3}(?:[, \u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)(?:\.(\d+))?'
        '(?:(k|m|bn)|' || space || '(bn)|' || space || '+(hundred|thousand|million|billion|trillion))?(?!\w)';
    word constant text := '(?:seventeen|thirteen|fourteen|eighteen|nineteen|thousand|trillion|fifteen|'
        'seventy|hundred|million|billion|sixteen|eleven|twelve|twenty|thirty|eighty|ninety|three|seven|eight|'
        'forty|fifty|sixty|zero|four|five|nine|one|two|six|ten)';
    spelled text := '(?<![\w-])((?:a' || space || '+(?=hundred|thousand|million|billion|trillion))?' || word
        || '(?:(?:' || space || '+and' || space || '+|(?:' || space || '|-)+)' || word || ')*)(?![\w-])';
    found float8[] := '{}';
    m text[];
    value numeric;
    total numeric;
    current numeric;
    small constant jsonb := '{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
        "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
        "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}';
    scales constant jsonb := '{"thousand": 1000, "million": 1000000, "billion": 1000000000,
        "trillion": 1000000000000}';
    w text;
BEGIN
    FOR m IN SELECT regexp_matches(body, digits, 'gi') LOOP
        value := (regexp_replace(m[1], '\D', '', 'g') || coalesce('.' || m[2], ''))::numeric;
        IF coalesce(m[3], m[4]) IS NOT NULL THEN
            value := value * CASE lower(coalesce(m[3], m[4])) WHEN 'k' THEN 1000 WHEN 'm' THEN 1000000
                                                              ELSE 1000000000 END;
        ELSIF m[5] IS NOT NULL THEN
            value := value * CASE lower(m[5]) WHEN 'hundred' THEN 100 ELSE (scales ->> lower(m[5]))::numeric END;
        END IF;
        found := found || value::float8;
    END LOOP;
    FOR m IN SELECT regexp_matches(regexp_replace(body, digits, '#', 'gi'), spelled, 'gi') LOOP
        total := 0;
        current := 0;
        FOREACH w IN ARRAY regexp_split_to_array(lower(m[1]), '(?:' || space || '|-)+') LOOP
            IF small ? w THEN
                current := current + (small ->> w)::numeric;
            ELSIF w = 'hundred' THEN
                current := greatest(current, 1) * 100;
            ELSIF scales ? w THEN
                total := total + greatest(current, 1) * (scales ->> w)::numeric;
                current := 0;
            END IF;
        END LOOP;
        found := found || (total + current)::float8;
    END LOOP;
    RETURN ARRAY(SELECT DISTINCT f FROM unnest(found) AS f ORDER BY f);
END
$$;

-- A claim's configuration, copied from its article's language when the claim is written and whenever the
-- language changes (triggers below), so that the generated column reads only its own row.
ALTER TABLE annotations ADD COLUMN search_config text NOT NULL DEFAULT 'simple';
UPDATE annotations a SET search_config = factmark_search_config(ar.language)
FROM articles ar
WHERE a.kind = 'claim' AND ar.tenant_id = a.tenant_id AND ar.id = a.article_id;

-- Statement (weight A), the quote when the statement words it differently (B), the claimant (C); at most the
-- first 10,000 code points of each (the longest statement; a quote may be a whole article).
ALTER TABLE annotations ADD COLUMN claim_document tsvector GENERATED ALWAYS AS (
    CASE WHEN kind = 'claim' THEN
        setweight(to_tsvector(factmark_regconfig(search_config), left(coalesce(statement, quote), 10000)), 'A')
        || setweight(to_tsvector(factmark_regconfig(search_config),
                                 CASE WHEN statement IS DISTINCT FROM quote AND statement IS NOT NULL
                                      THEN left(quote, 10000) ELSE '' END), 'B')
        || setweight(to_tsvector(factmark_regconfig(search_config), coalesce(claimant, '')), 'C')
    END
) STORED;
-- Every number in the statement and quote, as values: "12,000", "12k" and "twelve thousand" are all 12000.
ALTER TABLE annotations ADD COLUMN claim_figures float8[] GENERATED ALWAYS AS (
    CASE WHEN kind = 'claim' THEN
        factmark_figures(left(coalesce(statement, quote), 10000) || ' . ' || left(quote, 10000))
    END
) STORED;

CREATE INDEX annotations_claim_document ON annotations USING gin (claim_document) WHERE kind = 'claim';
CREATE INDEX annotations_claim_figures ON annotations USING gin (claim_figures) WHERE kind = 'claim';
-- The configurations a tenant's claims use (a loose index scan finds them) and the newest-first listing.
CREATE INDEX annotations_claim_configs ON annotations (tenant_id, search_config) WHERE kind = 'claim';

CREATE FUNCTION factmark_set_claim_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_config := coalesce(
        (SELECT factmark_search_config(language) FROM articles WHERE tenant_id = NEW.tenant_id AND id = NEW.article_id),
        'simple');
    RETURN NEW;
END
$$;
CREATE TRIGGER annotations_claim_config BEFORE INSERT ON annotations
    FOR EACH ROW WHEN (NEW.kind = 'claim') EXECUTE FUNCTION factmark_set_claim_config();

-- Runs while the article row is locked by its update: article before annotations, the service's lock order.
CREATE FUNCTION factmark_article_language_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE annotations SET search_config = factmark_search_config(NEW.language)
    WHERE tenant_id = NEW.tenant_id AND article_id = NEW.id AND kind = 'claim'
      AND search_config <> factmark_search_config(NEW.language);
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_language_changed AFTER UPDATE OF language ON articles
    FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language) EXECUTE FUNCTION factmark_article_language_changed();

-- OR and AND over a set of tsqueries (a search's words, its required phrase groups); NULLs are skipped.
CREATE AGGREGATE factmark_tsquery_or(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);
CREATE AGGREGATE factmark_tsquery_and(tsquery) (SFUNC = tsquery_and, STYPE = tsquery);

-- Same-claim links a person confirmed; a claim's group is every claim reachable through them. Each link is
-- stored once, the smaller id first. Deleting either claim deletes the link.
CREATE TABLE claim_links (
    tenant_id   uuid NOT NULL,
    claim_id    uuid NOT NULL,
    other_id    uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text,                         -- the API key that confirmed it
    PRIMARY KEY (tenant_id, claim_id, other_id),
    FOREIGN KEY (tenant_id, claim_id) REFERENCES annotations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, other_id) REFERENCES annotations (tenant_id, id) ON DELETE CASCADE,
    CHECK (claim_id < other_id)
);
CREATE INDEX claim_links_by_other ON claim_links (tenant_id, other_id, claim_id);
