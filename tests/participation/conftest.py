"""Photos made on the spot (with and without a camera's GPS) and a helper that submits a report
through the real form over HTTP."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Where the "camera" says it was: 21°6'30"N 101°40'0"W, inside León (tests/places.py).
GPS_LAT, GPS_LON = 21.108333, -101.666667


def jpeg(
    width: int = 2400, height: int = 1800, *, gps: bool = True, name: str = "foto.jpg"
) -> SimpleUploadedFile:
    img = Image.new("RGB", (width, height), (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "CamaraDePrueba"  # Make
    exif[0x013B] = "Nombre Apellido"  # Artist: personal data a camera may write
    if gps:
        ifd = exif.get_ifd(0x8825)
        ifd.update({1: "N", 2: (21.0, 6.0, 30.0), 3: "W", 4: (101.0, 40.0, 0.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=70)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def submit(client):
    """POST the report form of `work` like a browser; returns the response."""
    from django.urls import reverse

    def _submit(work, *, photos=(), address="203.0.113.7", **fields):
        data = {
            "kind": "DETENIDA",
            "text": "La obra lleva tres semanas sin trabajadores.",
            "sitio_web": "",
            **fields,
        }
        if photos:
            data["photos"] = list(photos)
        return client.post(reverse("participation:report", args=[work.pk]), data, REMOTE_ADDR=address)

    return _submit


@pytest.fixture
def received_report(work_road_leon):
    """A report on León's road work with an e-mail and one photo carrying GPS: not yet moderated."""
    from participation.actions import do_submit_report
    from participation.photos import clean_photo

    return do_submit_report(
        work_road_leon,
        kind="CALIDAD",
        text="El pavimento ya tiene grietas.",
        photos=[clean_photo(jpeg())],
        email="vecina@example.net",
        address="198.51.100.20",
    )
