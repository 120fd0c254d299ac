"""Single files from node_modules as static files, for packages whose needed file is not in a
directory small enough to expose whole (STATICFILES_DIRS): ol.css sits at the root of the 16 MB
`ol` package, next to 1,100 source modules that collectstatic would otherwise copy and hash.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path -> path under node_modules (versions pinned by package-lock.json)
NODE_FILES = {
    "vendor/ol/ol.css": "ol/ol.css",
}


class NodeModulesFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        self.root = Path(settings.BASE_DIR) / "node_modules"

    def check(self, **kwargs):
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        find_all = kwargs.get("all", find_all)  # the spelling deprecated in Django 5.2
        relative = NODE_FILES.get(path)
        found = self.root / relative if relative else None
        if found is None or not found.is_file():
            return []  # like Django's own finders: a miss is [] (None would be reported as a match)
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for static_path, relative in NODE_FILES.items():
            source = self.root / relative
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(static_path).parent)  # type: ignore[attr-defined]
                yield source.name, storage
