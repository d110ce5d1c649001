-- Who drew it, and the vectors writer adaptation compares new drawings with, per model.
ALTER TABLE samples ADD COLUMN writer TEXT;
CREATE INDEX samples_by_writer ON samples (writer, id) WHERE writer IS NOT NULL;
CREATE TABLE adaptation_vectors (
    sample_id INTEGER NOT NULL,
    model TEXT NOT NULL,
    vectors BLOB NOT NULL,
    PRIMARY KEY (sample_id, model)
);
