-- Rooms for live demos: drawings sent to a room may have no label, and carry the room's code;
-- every drawing accepted, hidden or the room closed is an event, in order, that walls replay.
ALTER TABLE samples ALTER COLUMN label DROP NOT NULL;
ALTER TABLE samples ADD COLUMN room TEXT;
CREATE INDEX samples_by_room ON samples (room, id) WHERE room IS NOT NULL;
CREATE TABLE rooms (
    code TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE TABLE room_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX room_events_by_room ON room_events (room, id);
