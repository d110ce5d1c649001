-- Writers who own their name: the name as first saved, the form names are compared in (so that lookalike
-- spellings are one writer), and a hash of the secret key that proves a request comes from them.
CREATE TABLE writers (
    skeleton TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
