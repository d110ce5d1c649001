"""The OpenAPI 3.1 description of Digit Pad's public API, built from the limits the code itself enforces.

``tests/test_api_description.py`` fails when a route exists that this lacks or the other way round, and
fuzzes every operation against it (schemathesis), so it cannot drift from the app unnoticed.
"""

from recognition.numbers import MAX_COMPONENTS, MAX_DIGITS
from recognition.numbers import MAX_STROKES as MAX_READ_STROKES
from recognition.pad import PAD_SIZE
from webapp.lab.routes import MAX_PAGE, MAX_PER_PAGE, SQLITE_MAX_ID
from webapp.rooms.store import ALPHABET, CODE_LENGTH
from webapp.web.body_limits import MAX_BODY
from webapp.web.parsing import MAX_POINTS, MAX_STROKES
from webapp.web.pictures import IMAGE_TYPES
from webapp.writers.names import NAME_LENGTH

ERROR_TEXT = {
    400: "The request is malformed: the message says what was expected.",
    401: "The admin token is missing or wrong.",
    403: "Refused: a write from another site, or no admin token is set on the server.",
    404: "There is no such thing.",
    413: f"The body is over {MAX_BODY // (1024 * 1024)} MB, or the image would decode to too many pixels; for a "
         f"number, more than {MAX_DIGITS} digits, {MAX_READ_STROKES} strokes or {MAX_COMPONENTS} separate marks.",
    415: "Not a PNG, JPEG or WebP image.",
    422: "The picture holds no digit (an empty pad), or no number.",
    429: "Too many requests (saves, drawings sent, unknown room codes or wrong admin tokens) from this address: "
         "wait the seconds in Retry-After.",
    503: "The model or the database cannot serve now, or the server is busy reading large pictures.",
}
"""What each error status means; every error answer is JSON ``{"error": "..."}``."""


def errors(*statuses):
    return {str(status): {"description": ERROR_TEXT[status],
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for status in statuses}


def json_answer(description, schema, status=200):
    return {str(status): {"description": description, "content": {"application/json": {"schema": schema}}}}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


PROBABILITIES = {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
                 "minItems": 10, "maxItems": 10, "description": "The probability of each digit 0-9, summing to 1."}
DIGIT = {"type": "integer", "minimum": 0, "maximum": 9}
DATA_URL = {"type": "string", "pattern": "^data:image/png;base64,", "description": "A PNG as a data URL."}
WRITER = {"type": "string", "minLength": NAME_LENGTH[0], "maxLength": NAME_LENGTH[1],
          "description": "Whose saved drawings to adapt to: letters, digits, spaces and -_.'"}
WRITER_KEY = {"type": "string", "description": "The writer's secret key, from the answer to their first save."}
WRITER_KEY_HEADER = {"name": "X-Writer-Key", "in": "header", "required": False, "schema": WRITER_KEY,
                     "description": "The writer's key, instead of the field writer_key."}
FLAG = {"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["", "0", "1", "true", "false", "yes", "no"]}]}
POINT = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"},
         "description": "[x, y] or [x, y, time in ms], in the picture's pixels."}
STROKES = {"type": "array", "maxItems": MAX_STROKES, "items": {"type": "array", "minItems": 1, "items": POINT},
           "description": f"Pen strokes, at most {MAX_STROKES} and {MAX_POINTS:,} points in all."}
ROOM_CODE = {"name": "code", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": f"^[{ALPHABET}{ALPHABET.lower()}]{{{CODE_LENGTH}}}$"},
             "description": f"The room's {CODE_LENGTH}-character code, in any case."}
SAMPLE_ID = {"type": "integer", "minimum": 1, "maximum": SQLITE_MAX_ID}
NOT_A_DIGIT = {"type": "boolean", "description": "True when the drawing does not look like a digit at all (a tap, a "
               "scribble, a doodle): show that instead of the digit, which is still the likeliest one. Always false "
               "when the model has no not-a-digit detector fitted to it (docs/not-a-digit.md)."}
TITLE = {"type": "string", "description": "The model's name in plain words, e.g. \"Average of 2 convolutional networks\"."}
ADMIN = [{}, {"adminToken": []}]
"""Open to clients on the server's own machine; others send the admin token."""

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"],
              "properties": {"error": {"type": "string"}, "request_id": {"type": "string"}}},
    "Reading": {"type": "object", "required": ["digit", "confidence", "probabilities"],
                "properties": {"digit": DIGIT, "confidence": {"type": "number"}, "probabilities": PROBABILITIES}},
    "Prediction": {
        "type": "object",
        "required": ["digit", "confidence", "probabilities", "not_a_digit", "input", "model", "adapted"],
        "properties": {
            "digit": DIGIT, "confidence": {"type": "number"}, "probabilities": PROBABILITIES, "not_a_digit": NOT_A_DIGIT,
            "input": {**DATA_URL, "description": "The 28×28 image the model read, white ink on black."},
            "model": {"type": "string"}, "adapted": {"type": "boolean"},
            "writer": {"type": "string"}, "writer_samples": {"type": "integer", "minimum": 0},
            "general": {**ref("Reading"), "description": "The general model's reading, when adapted."},
            "warning": {"type": "string"},
            "compare": {"type": "array", "items": {"allOf": [ref("Reading"), {
                "type": "object", "required": ["model", "title"],
                "properties": {"model": {"type": "string"}, "title": TITLE}}]}},
            "explanation": {"type": "object", "required": ["digit", "versus", "map"], "properties": {
                "digit": DIGIT, "versus": DIGIT,
                "map": {"type": "array", "minItems": 28, "maxItems": 28, "items": {
                    "type": "array", "minItems": 28, "maxItems": 28, "items": {"type": "number"}}}}},
            "steps": {"type": "array", "items": {"type": "object", "required": ["name", "image"], "properties": {
                "name": {"type": "string"}, "image": DATA_URL}}},
        }},
    "NumberReading": {"type": "object", "required": ["number", "confidence", "digits"], "properties": {
        "number": {"type": "string", "pattern": "^[0-9?]+$",
                   "description": "The digits read, left to right; ? for a part that is not a digit."},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1,
                       "description": "How sure the whole reading is: the product of the digits' confidences."},
        "digits": {"type": "array", "minItems": 1, "maxItems": MAX_DIGITS, "items": ref("NumberDigit")}}},
    "NumberDigit": {"type": "object", "required": ["digit", "confidence", "probabilities", "not_a_digit", "box", "input"],
                    "properties": {
        "digit": DIGIT, "confidence": {"type": "number"}, "probabilities": PROBABILITIES, "not_a_digit": NOT_A_DIGIT,
        "box": {"type": "array", "items": {"type": "integer"}, "minItems": 4, "maxItems": 4,
                "description": "[x0, y0, x1, y1] of the digit's ink in the picture's pixels as sent."},
        "input": {**DATA_URL, "description": "The 28×28 image the model read, white ink on black."}}},
    "ReadRequest": {"type": "object", "required": ["image"], "properties": {
        "image": ref("ImageField"),
        "strokes": {**STROKES, "description": STROKES["description"] + " They part the digits far better than "
                    "the picture alone; give them in the picture's pixels, as drawn."}}},
    "PredictOptions": {"type": "object", "properties": {
        "writer": WRITER, "writer_key": WRITER_KEY,
        "model": {"type": "string", "description": "A served model's name (GET /api/models)."},
        "models": {"type": "string", "enum": ["all"], "description": "Add every served model's reading."},
        "explain": FLAG, "steps": FLAG}},
    "ImageField": {"type": "string", "minLength": 1,
                   "description": "The picture as a data URL or plain base64 (PNG, JPEG, WebP)."},
    "SaveRequest": {"type": "object", "required": ["image", "label"], "properties": {
        "image": ref("ImageField"), "label": DIGIT, "strokes": STROKES, "writer": WRITER, "writer_key": WRITER_KEY}},
    "Saved": {"type": "object", "required": ["id", "prediction", "not_a_digit"],
              "properties": {"id": SAMPLE_ID, "prediction": DIGIT, "not_a_digit": NOT_A_DIGIT,
                             "writer_key": {**WRITER_KEY, "description": "Only when this save created the writer: "
                                                                         "keep it, it is not shown again."}}},
    "Sample": {"type": "object", "required": ["id", "created_at", "label", "prediction", "probabilities"],
               "properties": {
                   "id": SAMPLE_ID, "created_at": {"type": "string"}, "label": {**DIGIT, "type": ["integer", "null"]},
                   "prediction": DIGIT, "confidence": {"type": "number"}, "probabilities": PROBABILITIES,
                   "model": {"type": "string"}, "strokes": {"type": "integer", "minimum": 0},
                   "writer": {"type": ["string", "null"]}, "room": {"type": ["string", "null"]},
                   "image": DATA_URL, "input": DATA_URL}},
    "SampleList": {"type": "object", "required": ["samples", "page", "per_page", "total", "pages"], "properties": {
        "samples": {"type": "array", "items": ref("Sample")}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "total": {"type": "integer"}, "pages": {"type": "integer"},
        "next_before": {**SAMPLE_ID, "description": "Pass as before= for the next page, which does not shift."}}},
    "Writer": {"type": "object", "required": ["writer", "samples", "per_digit"], "properties": {
        "writer": {"type": "string"}, "samples": {"type": "integer"},
        "per_digit": {"type": "array", "items": {"type": "integer"}, "minItems": 10, "maxItems": 10}}},
    "Room": {"type": "object", "required": ["room", "join_url", "present_url"], "properties": {
        "room": {"type": "string"}, "join_url": {"type": "string", "format": "uri"},
        "present_url": {"type": "string", "format": "uri"}}},
    "RoomDrawing": {"type": "object", "required": ["image"], "properties": {
        "image": ref("ImageField"), "label": {**DIGIT, "type": ["integer", "null"]}, "strokes": STROKES,
        "writer": WRITER, "writer_key": WRITER_KEY}},
    "RoomStatus": {"type": "object", "required": ["room", "open", "prompt"], "properties": {
        "room": {"type": "string"}, "open": {"type": "boolean"},
        "prompt": {**DIGIT, "type": ["integer", "null"], "description": "The digit everyone is asked to draw."}}},
    "RoomSent": {"type": "object", "required": ["id", "digit", "confidence", "not_a_digit"], "properties": {
        "id": SAMPLE_ID, "digit": DIGIT, "confidence": {"type": "number"}, "not_a_digit": NOT_A_DIGIT,
        "writer_key": {**WRITER_KEY, "description": "Only when this drawing claimed a free name."}}},
    "ModelSummary": {"type": "object", "required": ["name", "title", "default"], "properties": {
        "name": {"type": "string"}, "title": TITLE, "architecture": {"type": ["string", "null"]},
        "parameters": {"type": ["integer", "null"]}, "mnist_test": {"type": ["number", "null"]},
        "drawn_test": {"type": "object", "additionalProperties": {"type": "number"}},
        "default": {"type": "boolean"}}},
    "Health": {"type": "object", "required": ["status", "model", "database"], "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]}, "model": {"type": "string"},
        "database": {"type": "string", "enum": ["ok", "unreachable"]}, "error": {"type": "string"}}},
    "ModelCard": {"type": "object", "required": ["name", "runtime"], "properties": {
        "name": {"type": "string"}, "runtime": {"type": "string", "enum": ["LiteRT", "Keras"]},
        "test_accuracy": {"type": "number"},
        "not_a_digit": {"type": "object", "description": "The not-a-digit detector fitted to this model and its "
                        "figures: shares flagged of unseen writers' digits, held-out doodle kinds and marks."}},
        "additionalProperties": True},
}

PICTURE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"allOf": [
            {"type": "object", "required": ["image"], "properties": {"image": ref("ImageField")}},
            ref("PredictOptions")]}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["image"], "properties": {
            "image": {"type": "string", "format": "binary"}, "writer": WRITER, "writer_key": WRITER_KEY,
            "model": {"type": "string"},
            "models": {"type": "string", "enum": ["all"]}, "explain": FLAG, "steps": FLAG}}},
        **{media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in IMAGE_TYPES},
    },
}
"""A picture as JSON (a data URL or base64), a multipart file field ``image``, or the raw image body."""

QUERY_OPTIONS = [
    {"name": name, "in": "query", "required": False, "schema": schema,
     "description": f"With a multipart or raw image body: {text}"}
    for name, schema, text in [
        ("writer", WRITER, "adapt to this writer's saved drawings (with their key; without it, the general answer)."),
        ("writer_key", WRITER_KEY, "the writer's key."),
        ("model", {"type": "string"}, "answer with this served model."),
        ("models", {"type": "string", "enum": ["all"]}, "add every served model's reading."),
        ("explain", FLAG, "add the evidence map."), ("steps", FLAG, "add the preprocessing's stages.")]]


def operations():
    """Every public path and its operations."""
    return {
        "/api/predict": {"post": {
            "tags": ["Reading digits"], "summary": "Read the digit in a picture",
            "description": f"The page sends its {PAD_SIZE}×{PAD_SIZE} pad as a PNG. The answer is the likeliest digit, "
                           "its probability, all ten, and the 28×28 input the model read.",
            "parameters": [*QUERY_OPTIONS, WRITER_KEY_HEADER], "requestBody": PICTURE_BODY,
            "responses": {**json_answer("The model's reading.", ref("Prediction")),
                          **errors(400, 413, 415, 422, 503)}}},
        "/api/read": {"post": {
            "tags": ["Reading digits"], "summary": "Read a whole number written in a picture",
            "description": "The picture comes as /api/predict takes it; in JSON it may come with the strokes that "
                           "drew it. The answer is the number and each digit, left to right, with its box and "
                           "the 28×28 input the model read.",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("ReadRequest")},
                "multipart/form-data": {"schema": {"type": "object", "required": ["image"], "properties": {
                    "image": {"type": "string", "format": "binary"}}}},
                **{media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in IMAGE_TYPES}}},
            "responses": {**json_answer("The number read.", ref("NumberReading")),
                          **errors(400, 413, 415, 422, 503)}}},
        "/api/models": {"get": {
            "tags": ["Models"], "summary": "The served models and how well each reads",
            "responses": json_answer("Every served model, the default first.",
                                     {"type": "array", "items": ref("ModelSummary")})}},
        "/api/model": {"get": {
            "tags": ["Models"], "summary": "The default model's card",
            "responses": {**json_answer("Architecture, accuracy, training command.", ref("ModelCard")),
                          **errors(503)}}},
        "/api/health": {"get": {
            "tags": ["Models"], "summary": "Whether the model is loaded and the database answers",
            "responses": {**json_answer("Ready.", ref("Health")),
                          **json_answer("The database cannot be reached.", ref("Health"), status=503)}}},
        "/api/samples": {
            "post": {"tags": ["Saved drawings"], "summary": "Save a labelled drawing",
                     "description": "Under a name: the first save creates the writer and answers with its key; "
                                    "later saves need it (403 without).",
                     "parameters": [WRITER_KEY_HEADER],
                     "requestBody": {"required": True,
                                     "content": {"application/json": {"schema": ref("SaveRequest")}}},
                     "responses": {**json_answer("Saved.", ref("Saved"), status=201),
                                   **errors(400, 403, 413, 415, 422, 429, 503)}},
            "get": {"tags": ["Saved drawings"], "summary": "List saved drawings, newest first",
                    "security": ADMIN,
                    "parameters": [
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                    "maximum": MAX_PAGE}},
                        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                        "maximum": MAX_PER_PAGE}},
                        {"name": "before", "in": "query", "schema": SAMPLE_ID},
                        {"name": "mistakes", "in": "query", "schema": FLAG},
                        {"name": "writer", "in": "query", "schema": WRITER}],
                    "responses": {**json_answer("One page.", ref("SampleList")), **errors(400, 401, 403, 429, 503)}}},
        "/api/samples/{sample_id}": {"delete": {
            "tags": ["Saved drawings"], "summary": "Delete a saved drawing", "security": ADMIN,
            "parameters": [{"name": "sample_id", "in": "path", "required": True, "schema": SAMPLE_ID}],
            "responses": {"204": {"description": "Deleted."}, **errors(401, 403, 404, 429, 503)}}},
        "/api/samples/export": {"get": {
            "tags": ["Saved drawings"], "summary": "Every labelled drawing as training data", "security": ADMIN,
            "responses": {"200": {"description": "A zip of digits.npz and strokes.json, streamed.",
                                  "content": {"application/zip": {"schema": {"type": "string",
                                                                             "format": "binary"}}}},
                          **errors(401, 403, 429, 503)}}},
        "/api/writers": {"get": {
            "tags": ["Writers"], "summary": "The writers who saved drawings", "security": ADMIN,
            "responses": {**json_answer("Each writer's drawings per digit.",
                                        {"type": "array", "items": ref("Writer")}), **errors(401, 403, 429, 503)}}},
        "/api/writers/{name}": {"delete": {
            "tags": ["Writers"], "summary": "Forget a writer: delete every drawing saved under the name",
            "description": "Needs the writer's key; without it, or for a name nobody holds, 403, so the answer "
                           "never tells whether a name exists.",
            "security": [{"writerKey": []}],
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": WRITER}, WRITER_KEY_HEADER],
            "responses": {**json_answer("Forgotten: how many drawings were deleted.", {
                "type": "object", "required": ["forgotten"],
                "properties": {"forgotten": {"type": "integer", "minimum": 0}}}), **errors(400, 403, 404, 503)}}},
        "/api/rooms": {"post": {
            "tags": ["Rooms"], "summary": "Open a room for a live demo", "security": ADMIN,
            "responses": {**json_answer("The new room and its addresses.", ref("Room"), status=201),
                          **errors(401, 403, 429, 503)}}},
        "/api/rooms/{code}": {
            "get": {"tags": ["Rooms"], "summary": "Whether a room is open, and the digit everyone is asked to draw",
                    "parameters": [ROOM_CODE],
                    "responses": {**json_answer("The room.", ref("RoomStatus")), **errors(400, 404, 429, 503)}},
            "delete": {"tags": ["Rooms"], "summary": "Close a room", "security": ADMIN, "parameters": [ROOM_CODE],
                       "responses": {"204": {"description": "Closed."}, **errors(401, 403, 404, 429, 503)}}},
        "/api/rooms/{code}/prompt": {"put": {
            "tags": ["Rooms"], "summary": "Ask everyone in a room to draw a digit (null: stop asking)",
            "security": ADMIN, "parameters": [ROOM_CODE],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["digit"],
                "properties": {"digit": {**DIGIT, "type": ["integer", "null"]}}}}}},
            "responses": {"204": {"description": "Phones and walls are told."},
                          **errors(400, 401, 403, 404, 429, 503)}}},
        "/api/rooms/{code}/drawings": {"post": {
            "tags": ["Rooms"], "summary": "Send a drawing to a room's wall",
            "parameters": [ROOM_CODE, WRITER_KEY_HEADER],
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("RoomDrawing")}}},
            "responses": {**json_answer("Sent: the model's reading.", ref("RoomSent"), status=201),
                          **errors(400, 403, 404, 413, 415, 422, 429, 503)}}},
        "/api/rooms/{code}/drawings/{sample_id}": {"delete": {
            "tags": ["Rooms"], "summary": "Take a drawing off a room's wall", "security": ADMIN,
            "parameters": [ROOM_CODE, {"name": "sample_id", "in": "path", "required": True, "schema": SAMPLE_ID}],
            "responses": {"204": {"description": "Hidden."}, **errors(401, 403, 404, 429, 503)}}},
        "/api/rooms/{code}/events": {"get": {
            "tags": ["Rooms"], "summary": "Follow a room: its events as a server-sent event stream",
            "parameters": [ROOM_CODE, {"name": "Last-Event-ID", "in": "header", "required": False,
                                       "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                                       "description": "Replay the events after this one."}],
            "responses": {"200": {"description": "Events `drawing`, `hide` and `closed`, each with its id.",
                                  "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                          **errors(400, 404, 429, 503)}}},
        "/api/openapi.json": {"get": {
            "tags": ["About the API"], "summary": "This description",
            "responses": json_answer("The OpenAPI 3.1 description of the API.", {"type": "object"})}},
        "/api/docs": {"get": {
            "tags": ["About the API"], "summary": "This description as a page",
            "responses": {"200": {"description": "An HTML page.",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}}}},
    }


def description():
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Digit Pad", "version": "1",
                 "description": "Read handwritten digits, save labelled drawings, adapt to a writer, run a room. "
                                "Every error is JSON {\"error\": \"...\"}; every answer has an X-Request-ID header."},
        "paths": operations(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer",
                               "description": "ADMIN_TOKEN, for clients on other machines than the server's."},
                "writerKey": {"type": "apiKey", "in": "header", "name": "X-Writer-Key",
                              "description": "A writer's key: saving, adapting and forgetting under their name."},
            },
        },
    }
