-- The first schema: one row per saved drawing.
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    prediction INTEGER NOT NULL CHECK (prediction BETWEEN 0 AND 9),
    probabilities TEXT NOT NULL,
    model TEXT NOT NULL,
    image_png BLOB NOT NULL,
    input_png BLOB NOT NULL,
    strokes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_mistakes ON samples (id) WHERE label != prediction;
