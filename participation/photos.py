"""Citizen photos: checked by content, size-limited, GPS read, then re-encoded without metadata.

Pillow decides what a file is from its bytes (the name and the browser's content type are ignored).
The GPS position is read from the EXIF first, for the moderator; then the picture is turned upright,
shrunk to PHOTO_MAX_SIDE and written again as a JPEG with no EXIF, ICC or comment: that copy is the
only one ever stored.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
GPS_IFD = 0x8825


@dataclass(frozen=True)
class CleanPhoto:
    token: str
    image: bytes
    width: int
    height: int
    gps: Point | None


def _degrees(value) -> float:
    d, m, s = (float(part) for part in value)
    return d + m / 60 + s / 3600


def read_gps(img: Image.Image) -> Point | None:
    """The camera's position, or None when absent or unreadable (never an error: it is a hint)."""
    try:
        gps = img.getexif().get_ifd(GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat, lon = _degrees(gps[2]), _degrees(gps[4])
        if gps.get(1) == "S":
            lat = -lat
        if gps.get(3) == "W":
            lon = -lon
    except (ValueError, TypeError, ZeroDivisionError, KeyError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Point(lon, lat, srid=4326)


def clean_photo(upload) -> CleanPhoto:
    """The upload as a stored photo, or a ValidationError naming the file and the problem."""
    name = getattr(upload, "name", "") or _("foto")
    limit = settings.PARTICIPATION_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("La foto «%(name)s» pesa más de %(mb)s MB.") % {"name": name, "mb": round(limit / 2**20, 1)}
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in ACCEPTED_FORMATS:
            raise UnidentifiedImageError(kind)
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 60_000_000:
                raise ValidationError(_("La foto «%(name)s» tiene demasiados píxeles.") % {"name": name})
            gps = read_gps(img)
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("«%(name)s» no es una imagen JPEG, PNG o WebP válida.") % {"name": name}
        ) from exc
    side = settings.PARTICIPATION_PHOTO_MAX_SIDE
    upright.thumbnail((side, side))
    out = io.BytesIO()
    # A fresh image object written with no exif/icc arguments: nothing of the original metadata.
    upright.save(out, format="JPEG", quality=82, optimize=True)
    return CleanPhoto(secrets.token_hex(16), out.getvalue(), upright.width, upright.height, gps)
