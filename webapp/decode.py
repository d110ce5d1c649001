"""Read the picture out of a prediction request, refusing anything that is not a sane image.

Accepted: JSON ``{"image": "<data URL or base64>"}``, multipart/form-data with a
file field ``image``, or a raw ``image/png``, ``image/jpeg`` or ``image/webp`` body.
"""

import base64
import binascii
import io
import re
import warnings

from PIL import Image, UnidentifiedImageError

from webapp.errors import InputError

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000
"""Pictures with more pixels are refused before they are decoded (a 10-MB JPEG can hold hundreds of megapixels)."""
MIN_SIDE = 8
MAX_ASPECT = 20
DATA_URL = re.compile(r"^data:(?P<type>[\w/+.-]*)(?:;[^,]*)?;base64,", re.IGNORECASE)


def image_from_request(request):
    """The PIL image a prediction request carries, fully decoded."""
    content_type = request.mimetype
    if content_type == "application/json":
        return decode_image(_bytes_from_json(request))
    if content_type == "multipart/form-data":
        upload = request.files.get("image")
        if upload is None:
            raise InputError("multipart request has no file field named 'image'")
        return decode_image(upload.read())
    if content_type in IMAGE_TYPES:
        return decode_image(request.get_data())
    raise InputError(f"unsupported content type {content_type or '(none)'}: send JSON "
                     "{\"image\": \"<data URL>\"}, multipart field 'image', or an image/png, "
                     "image/jpeg or image/webp body", status=415)


def _bytes_from_json(request):
    payload = json_object(request)
    if "image" not in payload:
        raise InputError("JSON body must be an object with an \"image\" field")
    return bytes_from_base64_field(payload["image"])


def json_object(request):
    """The request's JSON body, which must be an object."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None
    if payload is None:
        raise InputError("body is not valid JSON")
    if not isinstance(payload, dict):
        raise InputError("JSON body must be an object")
    return payload


def bytes_from_base64_field(text):
    """The bytes of an image given as a data URL or plain base64 string."""
    if not isinstance(text, str):
        raise InputError("\"image\" must be a string: a data URL or base64")
    match = DATA_URL.match(text)
    if match:
        if match["type"] and match["type"].lower() not in IMAGE_TYPES:
            raise InputError(f"data URL type {match['type']} is not PNG, JPEG or WebP", status=415)
        text = text[match.end():]
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("\"image\" is not valid base64") from None


def decode_image(data):
    """Decode bytes into a loaded single-frame PIL image, checking size before decoding pixels."""
    if not data:
        raise InputError("the image is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            _check_dimensions(image)
            image.load()
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"the image has too many pixels; at most {MAX_PIXELS // 1_000_000} megapixels "
                         "are accepted", status=413) from None
    except UnidentifiedImageError:
        raise InputError("the data is not a PNG, JPEG or WebP image", status=415) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InputError("the image is truncated or corrupt") from None
    return image


def _check_dimensions(image):
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InputError(f"the image is {width}×{height}; at most {MAX_PIXELS // 1_000_000} megapixels "
                         "are accepted", status=413)
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT * min(width, height):
        raise InputError(f"the image is {width}×{height}: too small or too narrow to hold a digit")
