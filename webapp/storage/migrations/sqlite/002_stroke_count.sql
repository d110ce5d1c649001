-- The number of strokes, so that a listing need not read them.
ALTER TABLE samples ADD COLUMN stroke_count INTEGER NOT NULL DEFAULT 0;
UPDATE samples SET stroke_count = json_array_length(strokes);
