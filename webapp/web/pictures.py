"""Read the picture out of a prediction request, refusing anything that is not a sane image.

Accepted: JSON ``{"image": "<data URL or base64>"}``, multipart/form-data with a
file field ``image``, or a raw ``image/png``, ``image/jpeg`` or ``image/webp`` body.
"""

import base64
import binascii
import io
import re
import threading
import warnings
from contextlib import contextmanager

from PIL import Image, UnidentifiedImageError

from recognition.preprocess import WORKING_SIZE, working_picture
from webapp.extension import Extension
from webapp.web.errors import InputError
from webapp.web.parsing import json_object

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_SAMPLES = 48_000_000
"""Pixels × bands a picture may decode to, checked before decoding (a 150-KB PNG can hold 36 megapixels):
16 megapixels in colour, 12 with transparency, 48 in grey. A large JPEG is decoded at a reduced size first."""
LARGE_DECODE = 4_000_000
"""Pictures decoding to more samples than this take one of LARGE_DECODES_AT_ONCE slots."""
LARGE_DECODES_AT_ONCE = 2
"""With the size bound, this keeps a burst of huge pictures to a few hundred MB, whatever the thread count."""
SLOT_WAIT_SECONDS = 30
LARGE_DECODE_SLOTS = Extension[threading.BoundedSemaphore]("large_decode_slots")
MIN_SIDE = 8
MAX_ASPECT = 20
DATA_URL = re.compile(r"^data:(?P<type>[\w/+.-]*)(?:;[^,]*)?;base64,", re.IGNORECASE)


def image_from_request(request):
    """The picture a prediction request carries, decoded as :func:`decode_image` does."""
    return decode_image(_image_bytes(request))


def sent_picture(request):
    """(picture, size): the picture a request carries, decoded as :func:`decode_image` does, and its (width,
    height) upright as sent, before any shrinking, for answers given in the sent picture's pixels."""
    return decode_sized(_image_bytes(request))


def _image_bytes(request):
    """The bytes of the image a request carries: a JSON data URL or base64, a multipart file, or the raw body."""
    content_type = request.mimetype
    if content_type == "application/json":
        return _bytes_from_json(request)
    if content_type == "multipart/form-data":
        upload = request.files.get("image")
        if upload is None:
            raise InputError("multipart request has no file field named 'image'")
        return upload.read()
    if content_type in IMAGE_TYPES:
        return request.get_data()
    raise InputError(f"unsupported content type {content_type or '(none)'}: send JSON "
                     "{\"image\": \"<data URL>\"}, multipart field 'image', or an image/png, "
                     "image/jpeg or image/webp body", status=415)


def _bytes_from_json(request):
    payload = json_object(request)
    if "image" not in payload:
        raise InputError("JSON body must be an object with an \"image\" field")
    return bytes_from_base64_field(payload["image"])


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
    """The picture in the bytes, as :func:`decode_sized` decodes it."""
    return decode_sized(data)[0]


def decode_sized(data):
    """(picture, size): the picture in the bytes, upright and shrunk to the preprocessing's working size, as a
    loaded PIL image, and its size as sent.

    Its size is checked before any pixel is decoded. A JPEG much larger than
    the working size is decoded at a half, quarter or eighth of its size (still
    at least twice the working size); a large picture is decoded and shrunk in
    one of a few slots, so only a few full-size pictures are in memory at once.
    ``size`` is the picture's (width, height) as sent, turned as the picture is.
    """
    if not data:
        raise InputError("the image is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            size = image.size
            if image.format == "JPEG":
                image.draft(image.mode, (2 * WORKING_SIZE, 2 * WORKING_SIZE))
            _check_dimensions(image)
            with _decode_slot(samples(image)):
                image.load()
                image = working_picture(image)
            _drop_metadata(image)
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"the image has too many pixels; at most {MAX_SAMPLES // 3_000_000} megapixels "
                         "in colour are accepted", status=413) from None
    except UnidentifiedImageError:
        raise InputError("the data is not a PNG, JPEG or WebP image", status=415) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InputError("the image is truncated or corrupt") from None
    return image, _turned_like(size, image.size)


def _turned_like(size, picture_size):
    """The sent (width, height), swapped when the EXIF orientation turned the picture a quarter turn."""
    width, height = size
    if (width - height) * (picture_size[0] - picture_size[1]) < 0:
        return height, width
    return width, height


def _drop_metadata(image):
    """Forget EXIF and XMP once the picture is upright: they could turn it again, and may say where it was taken."""
    for key in ("exif", "xmp", "XML:com.adobe.xmp"):
        image.info.pop(key, None)


def samples(image):
    """How many values decoding the image makes: pixels × bands."""
    return image.width * image.height * len(image.getbands())


@contextmanager
def _decode_slot(count):
    """Wait (boundedly) for one of the app's few slots for large decodes; small ones go straight through."""
    if count <= LARGE_DECODE:
        yield
        return
    slots = LARGE_DECODE_SLOTS.get()
    if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise InputError("the server is busy reading other large pictures; try again", status=503)
    try:
        yield
    finally:
        slots.release()


def init_app(app):
    LARGE_DECODE_SLOTS.init(app, threading.BoundedSemaphore(LARGE_DECODES_AT_ONCE))


def _check_dimensions(image):
    width, height = image.size
    if samples(image) > MAX_SAMPLES:
        raise InputError(f"the image is {width}×{height} with {len(image.getbands())} bands; at most "
                         f"{MAX_SAMPLES // 3_000_000} megapixels in colour ({MAX_SAMPLES // 1_000_000} million "
                         "pixels × bands) are accepted", status=413)
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT * min(width, height):
        raise InputError(f"the image is {width}×{height}: too small or too narrow to hold a digit")
