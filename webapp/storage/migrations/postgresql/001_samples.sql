-- Saved drawings and the vectors writer adaptation keeps for them, as SQLite's schema 3 holds them.
CREATE TABLE samples (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at TEXT NOT NULL,
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    prediction INTEGER NOT NULL CHECK (prediction BETWEEN 0 AND 9),
    probabilities TEXT NOT NULL,
    model TEXT NOT NULL,
    image_png BYTEA NOT NULL,
    input_png BYTEA NOT NULL,
    strokes TEXT NOT NULL,
    stroke_count INTEGER NOT NULL DEFAULT 0,
    writer TEXT
);
CREATE INDEX samples_mistakes ON samples (id) WHERE label != prediction;
CREATE INDEX samples_by_writer ON samples (writer, id) WHERE writer IS NOT NULL;
CREATE TABLE adaptation_vectors (
    sample_id BIGINT NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vectors BYTEA NOT NULL,
    PRIMARY KEY (sample_id, model)
);
