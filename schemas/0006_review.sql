-- Suggestions: a machine annotation waits for a person's decision. `review` is pending until accepted or
-- rejected by PATCH; a person's own annotations are accepted from the start (so every existing row is).
ALTER TABLE annotations
    ADD COLUMN review text NOT NULL DEFAULT 'accepted'
        CONSTRAINT annotations_review_check CHECK (review IN ('pending', 'accepted', 'rejected'));
