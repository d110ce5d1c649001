"""What /api/predict should add to its answer, besides the reading of its picture.

A JSON request gives them as fields of its object; a multipart request as form
fields or in the query string; a raw image body in the query string.
"""

from webapp.web.errors import InputError
from webapp.web.parsing import json_object, parse_flag
from webapp.writers.names import valid_writer
from webapp.writers.owners import given_key


def prediction_options(request):
    """What a prediction request asks for besides the default answer.

    ``model``: the name of the served model to answer with (None: the default);
    ``writer``: whose saved drawings to adapt the answer to (None: nobody's), with ``writer_key``, theirs
    (the field or the header ``X-Writer-Key``);
    ``compare``: every served model's answer (``"models": "all"``);
    ``explain``: the evidence map; ``steps``: the preprocessing's stages.
    """
    if request.mimetype == "application/json":
        given = json_object(request)
    else:
        given = {**request.args.to_dict(), **request.form.to_dict()}
    if given.get("models") not in (None, "all"):
        raise InputError("\"models\" can only be \"all\"")
    model = given.get("model")
    if model is not None and not isinstance(model, str):
        raise InputError("\"model\" must be the name of a served model (GET /api/models lists them)")
    writer = given.get("writer")
    return {"model": model, "writer": None if writer is None else valid_writer(writer),
            "writer_key": given_key(given),
            "compare": given.get("models") == "all",
            "explain": parse_flag("explain", given.get("explain", False)),
            "steps": parse_flag("steps", given.get("steps", False))}
