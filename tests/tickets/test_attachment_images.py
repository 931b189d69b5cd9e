"""Images are decoded and written anew before they are stored (issue 14.9): a file that only starts
like an image, or an image carrying a web page, never reaches storage as an image."""

import io

import pytest
from PIL import Image

from tests.tickets.image_files import image_bytes
from tickets.attachments import check_file
from tickets.exceptions import InvalidAttachment

PAGE = b"<html><body><script>alert(document.domain)</script></body></html>"


def gif_with_comment(comment: bytes) -> bytes:
    """A GIF a viewer shows as an image, with a comment extension block (0x21 0xFE) holding `comment`:
    the classic image/HTML polyglot, valid to both."""
    gif = image_bytes("GIF")
    chunks = (comment[i:i + 255] for i in range(0, len(comment), 255))
    blocks = b"".join(bytes([len(chunk)]) + chunk for chunk in chunks)
    header_end = gif.index(b"\x2c")  # the first image descriptor
    return gif[:header_end] + b"\x21\xfe" + blocks + b"\x00" + gif[header_end:]


def test_a_gif_header_followed_by_a_web_page_is_refused():
    with pytest.raises(InvalidAttachment) as error:
        check_file(name="cat.gif", data=b"GIF89a" + PAGE)
    assert "not a valid image" in str(error.value)


def test_a_real_gif_carrying_a_web_page_in_a_comment_is_stored_without_it():
    polyglot = gif_with_comment(PAGE)
    assert Image.open(io.BytesIO(polyglot)).size == (3, 2)  # a real image, that a viewer shows
    checked = check_file(name="cat.gif", data=polyglot)
    assert b"<script" not in checked.data.lower()
    assert Image.open(io.BytesIO(checked.data)).size == (3, 2)
    assert checked.content_type == "image/gif"


def test_a_web_page_in_a_png_text_chunk_is_stored_without_it():
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Comment", PAGE.decode())
    checked = check_file(name="a.png", data=image_bytes("PNG", pnginfo=text))
    assert b"<script" not in checked.data.lower()


def test_a_web_page_in_jpeg_metadata_is_stored_without_it():
    exif = Image.Exif()
    exif[0x010E] = PAGE.decode()  # ImageDescription
    checked = check_file(name="a.jpg", data=image_bytes("JPEG", exif=exif.tobytes()))
    assert b"<script" not in checked.data.lower()


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "a.png"), ("JPEG", "a.jpg"), ("GIF", "a.gif"), ("WEBP", "a.webp")])
def test_a_web_page_appended_to_an_image_is_not_stored(fmt, name):
    checked = check_file(name=name, data=image_bytes(fmt) + PAGE)
    assert b"<script" not in checked.data.lower()
    assert Image.open(io.BytesIO(checked.data)).format == fmt


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "a.png"), ("JPEG", "a.jpg"), ("GIF", "a.gif"), ("WEBP", "a.webp")])
def test_a_truncated_image_is_refused(fmt, name):
    data = image_bytes(fmt, size=(64, 64))
    with pytest.raises(InvalidAttachment):
        check_file(name=name, data=data[: len(data) // 2])


def test_an_image_of_one_kind_named_as_another_is_refused():
    with pytest.raises(InvalidAttachment):
        check_file(name="a.png", data=image_bytes("GIF"))


def test_an_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (4, 4), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    checked = check_file(name="spinner.gif", data=out.getvalue())
    assert Image.open(io.BytesIO(checked.data)).n_frames == 3


def test_an_image_too_large_to_decode_safely_is_refused(settings):
    settings.ATTACHMENT_MAX_IMAGE_PIXELS = 100
    with pytest.raises(InvalidAttachment):
        check_file(name="huge.png", data=image_bytes("PNG", size=(20, 20)))
