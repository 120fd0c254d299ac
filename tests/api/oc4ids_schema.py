"""The official OC4IDS 0.9.5 schema and codelists of the shared data directory, offline.

The package schema refers to the project schema by its published URL; a `referencing` registry maps
that URL to the local file, so validation never touches the network.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import SHARED_DATA

PROJECT_URL = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json"


def schema_dir() -> Path:
    return SHARED_DATA / "oc4ids_0.9.5"


@cache
def package_validator() -> Draft4Validator:
    folder = schema_dir()
    package = json.loads((folder / "project-package-schema.json").read_text())
    project = json.loads((folder / "project-schema.json").read_text())
    registry = Registry().with_resource(
        PROJECT_URL, Resource.from_contents(project, default_specification=DRAFT4)
    )
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def errors(package: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in package_validator().iter_errors(package)
    ]


def codelist(name: str) -> set[str]:
    with (schema_dir() / "codelists" / f"{name}.csv").open(encoding="utf-8") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}
