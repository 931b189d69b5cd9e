"""Real (tiny) image files for attachment tests: images are decoded before they are stored."""

import io

from PIL import Image


def image_bytes(fmt: str, size=(3, 2), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(out, fmt, **options)
    return out.getvalue()
