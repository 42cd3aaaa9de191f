"""Photos sent with feedback, re-encoded before they are stored (ảnh phản ánh).

A phone's photo carries where it was taken (EXIF GPS), the device, often the owner's name (XMP,
comments, PNG text chunks). Published or shown to staff of another agency, that is personal data
the sender never meant to send, so only the pixels are kept: the image is decoded, turned the way
the camera says it was held (the EXIF orientation is the one tag worth applying before it is
dropped), converted to sRGB when it carries a colour profile, and written anew with no metadata.
"""

from __future__ import annotations

import io
import warnings

from egov.core import uploads
from egov.core.errors import ValidationError

# A photo from a phone is 12 to 50 megapixels; more is refused before the pixels are decoded, so
# a small file that unpacks into gigabytes (a decompression bomb) costs nothing.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90
_FORMATS = {uploads.JPEG: "JPEG", uploads.PNG: "PNG"}


def _refused(name: str, why: str) -> ValidationError:
    return ValidationError(f"“{name}”: {why}", code="bad_image")


def strip_metadata(data: bytes, content_type: str, *, name: str = "ảnh") -> bytes:
    """The image in `data` (JPEG or PNG, as `content_type` says) with its orientation applied and
    no EXIF, GPS, XMP, comments, colour profile or text chunks; ValidationError for an image that
    is broken, not of that type, or too large once decoded."""
    from PIL import Image, ImageOps

    fmt = _FORMATS.get(content_type)
    if fmt is None:
        raise _refused(name, "chỉ nhận ảnh JPEG hoặc PNG.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; ours applies first anyway.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise _refused(name, f"ảnh quá lớn ({width}×{height} điểm ảnh; tối đa "
                                         f"{MAX_PIXELS // 1_000_000} triệu điểm ảnh).")
                image.load()
                upright = ImageOps.exif_transpose(image)
                icc = image.info.get("icc_profile")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refused(name, "ảnh quá lớn khi giải nén.") from exc
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, KeyError) as exc:
        # Pillow reports a truncated or malformed file with any of these.
        raise _refused(name, "tệp ảnh bị hỏng hoặc không đọc được.") from exc
    upright = _in_srgb(upright, icc)
    return _encode(upright, fmt)


def _in_srgb(image, icc: bytes | None):
    """The image converted to sRGB from its embedded profile (a phone's Display P3 photo would
    look washed out once the profile is dropped); as it is when the profile cannot be read."""
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without LittleCMS
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (OSError, ValueError, TypeError, ImageCms.PyCMSError):
        return image
    return converted if converted is not None else image


def _encode(image, fmt: str) -> bytes:
    from PIL import Image

    if fmt == "JPEG":
        mode = image.mode if image.mode in ("L", "RGB", "CMYK") else "RGB"
    else:
        # A palette needs its transparency entry, which lives in the metadata being dropped.
        mode = image.mode if image.mode in ("1", "L", "LA", "RGB", "RGBA", "I;16") else (
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    source = image if image.mode == mode else image.convert("RGBA" if mode == "RGBA" else mode)
    # A new image holds only pixels: nothing of the original's info (EXIF, XMP, text) can follow.
    clean = Image.new(mode, source.size)
    clean.paste(source)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        clean.save(out, "PNG", optimize=False)
    return out.getvalue()
