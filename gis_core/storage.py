"""Files through Django's storage API (settings.MEDIA_STORAGE): a shared directory or an
S3-compatible object store. Readers that need a real file (GDAL, pandas) get a local copy."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
