-- Rooms for live demos: drawings sent to a room may have no label, and carry the room's code;
-- every drawing accepted, hidden or the room closed is an event, in order, that walls replay.
CREATE TABLE samples_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    label INTEGER CHECK (label BETWEEN 0 AND 9),
    prediction INTEGER NOT NULL CHECK (prediction BETWEEN 0 AND 9),
    probabilities TEXT NOT NULL,
    model TEXT NOT NULL,
    image_png BLOB NOT NULL,
    input_png BLOB NOT NULL,
    strokes TEXT NOT NULL,
    stroke_count INTEGER NOT NULL DEFAULT 0,
    writer TEXT,
    room TEXT
);
INSERT INTO samples_new (id, created_at, label, prediction, probabilities, model, image_png, input_png, strokes,
                         stroke_count, writer)
    SELECT id, created_at, label, prediction, probabilities, model, image_png, input_png, strokes, stroke_count, writer
    FROM samples;
-- Ids of deleted drawings are never given again.
DELETE FROM sqlite_sequence WHERE name = 'samples_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'samples_new', seq FROM sqlite_sequence WHERE name = 'samples';
DROP TABLE samples;
ALTER TABLE samples_new RENAME TO samples;
CREATE INDEX samples_mistakes ON samples (id) WHERE label != prediction;
CREATE INDEX samples_by_writer ON samples (writer, id) WHERE writer IS NOT NULL;
CREATE INDEX samples_by_room ON samples (room, id) WHERE room IS NOT NULL;
CREATE TABLE rooms (
    code TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE TABLE room_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX room_events_by_room ON room_events (room, id);
