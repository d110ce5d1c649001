"""Streamed answers (the export, a room's events) that fail visibly.

The first chunk is made before the answer starts, so a database that cannot be
reached is a plain error answer (a 503) rather than a 200 cut short. A failure
later, once the status is sent, is logged under the request id; an event
stream then ends with an ``error`` event the page can show, and any other
stream is broken off, so the client sees an incomplete transfer rather than a
shorter file.
"""

import json

from flask import current_app, g, stream_with_context


def streamed(chunks, last_words=None):
    """``chunks`` (a generator, run in this request's context) with its first chunk made now.

    ``last_words(request_id)``, if given, is the chunk sent after a failure instead of breaking off.
    """
    chunks = stream_with_context(chunks)
    first = next(chunks, None)
    request_id, logger = g.get("request_id", ""), current_app.logger

    def rest():
        if first is not None:
            yield first
        try:
            yield from chunks
        except Exception:
            logger.exception("request %s: the streamed answer failed", request_id)
            if last_words is None:
                raise
            yield last_words(request_id)

    return rest()


def error_event(request_id):
    """A server-sent ``error`` event that ends a stream: what went wrong, in general terms."""
    data = json.dumps({"error": "the stream failed; reload to try again", "request_id": request_id})
    return f"event: error\ndata: {data}\n\n"
