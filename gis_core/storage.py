"""Files through Django's storage API (settings.MEDIA_STORAGE): a shared directory or an
S3-compatible object store. Readers that need a real file (pandas) get a local copy; GDAL reads
in place (`gdal_source`): the file's path on a directory, /vsis3/ on S3, whose range requests
fetch only the blocks a read needs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, default_storage


def local_file(storage: Storage, name: str) -> Path | None:
    """The file's own path when the storage is a directory of this host, else None."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


@contextmanager
def local_copy(name: str, storage: Storage | None = None) -> Iterator[Path]:
    """A path to read `name` from: the file itself on a filesystem storage, else a temporary copy
    (same suffix: readers pick the format by it) removed when the block ends."""
    storage = storage or default_storage
    own = local_file(storage, name)
    if own is not None:
        yield own
        return
    with tempfile.TemporaryDirectory(prefix="territorio-") as tmp:
        copy = Path(tmp) / Path(name).name
        with storage.open(name, "rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        yield copy


@dataclass(frozen=True)
class GdalSource:
    """What GDAL opens (`path`) and the rasterio.Env options it needs to reach it (`options`)."""

    path: str
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    def env(self) -> Any:
        import rasterio

        return rasterio.Env(**self.options)


def gdal_source(name: str, storage: Storage | None = None) -> GdalSource:
    """Where GDAL reads the stored file `name` from, without copying it.

    A filesystem storage: the file's path under the shared root. An S3 storage: /vsis3/<bucket>/<key>
    with the storage's own endpoint, region and credentials (boto3's chain when the settings give
    none, as for django-storages), so a read fetches only the byte ranges it needs.
    """
    storage = storage or default_storage
    own = local_file(storage, name)
    if own is not None:
        return GdalSource(str(own))
    inner = getattr(storage, "_wrapped", storage)
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    if not isinstance(inner, S3Storage):
        raise ImproperlyConfigured(f"GDAL cannot read from a {type(inner).__name__} storage")
    key = inner._normalize_name(clean_name(name))
    return GdalSource(f"/vsis3/{inner.bucket_name}/{key}", _s3_options(inner))


def _s3_options(storage: Any) -> dict[str, Any]:
    endpoint = urlsplit(storage.endpoint_url) if storage.endpoint_url else None
    options: dict[str, Any] = {
        # Opening a key must not list its "directory" (one LIST request per open, and per miss).
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "session": _aws_session(
            storage.access_key or None,
            storage.secret_key or None,
            storage.security_token or None,
            storage.region_name or None,
            endpoint.netloc if endpoint else None,
        ),
    }
    if endpoint is not None:
        options["AWS_HTTPS"] = "NO" if endpoint.scheme == "http" else "YES"
        # A store of one's own (MinIO, Ceph, moto) is addressed by path unless told otherwise.
        options["AWS_VIRTUAL_HOSTING"] = "TRUE" if storage.addressing_style == "virtual" else "FALSE"
    return options


@lru_cache(maxsize=8)
def _aws_session(
    key_id: str | None, secret: str | None, token: str | None, region: str | None, endpoint: str | None
) -> Any:
    """One rasterio AWS session per set of settings and process (a boto3 session costs ms to make)."""
    from rasterio.session import AWSSession

    return AWSSession(
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=region,
        endpoint_url=endpoint,
    )
