-- A rating belongs to the words it was given for: when re-anchoring changes the words of a reviewed claim or
-- of a figure, the annotation needs review (and leaves ClaimReview) until a person confirms or re-rates it.
-- `anchor_approximate` says whether the last relocation was approximate (the quote changed) or exact.

ALTER TABLE annotations
    ADD COLUMN anchor_approximate boolean NOT NULL DEFAULT false,
    ADD COLUMN needs_review       boolean NOT NULL DEFAULT false,
    ADD COLUMN previous_quote     text;

ALTER TABLE annotation_history
    ADD COLUMN anchor_approximate boolean NOT NULL DEFAULT false;
