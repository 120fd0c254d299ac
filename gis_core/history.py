"""Change history of any model: a full snapshot per change, a readable diff, what a revert needs.

Keyed by the model label (`works_map.work`), so the kernel knows no domain model. The domain
actions call `record` after every create, update and delete. Snapshots hold concrete field values
(foreign keys as ids, geometry as GeoJSON).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.db import models
from django.utils.translation import gettext as _

from gis_core.models import Version

SKIP = {"id", "point", "created_at", "updated_at"}

# First versions gathered by `first_versions_together()`; None: each is inserted at once.
_gathered: ContextVar[list[Version] | None] = ContextVar("gathered_first_versions", default=None)


class GatheredVersions:
    """First versions held back to be inserted together. A caller that rolls back a row's savepoint
    drops the versions that row recorded: `mark()` before the row, `drop_since(mark)` after a failure."""

    def __init__(self) -> None:
        self.pending: list[Version] = []

    def mark(self) -> int:
        return len(self.pending)

    def drop_since(self, mark: int) -> None:
        del self.pending[mark:]

    def flush(self) -> None:
        Version.objects.bulk_create(self.pending, batch_size=2000)
        self.pending.clear()


@contextmanager
def first_versions_together() -> Iterator[GatheredVersions]:
    """Within the block, the first version of each created object (`record(..., first=True)`) is held
    and all are inserted in a few statements at the end of the block (an import of 100,000 works: one
    insert per 2,000 instead of one per work). Versions of updates, which number after the stored
    ones, are still written at once. The block must run inside the caller's transaction, so the
    versions commit, or roll back, with the rows."""
    if _gathered.get() is not None:  # already gathering: the outer block inserts
        yield GatheredVersions()
        return
    gathered = GatheredVersions()
    token = _gathered.set(gathered.pending)
    try:
        yield gathered
    finally:
        _gathered.reset(token)
    gathered.flush()


def label_of(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIP]


def snapshot(obj: models.Model) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for field in _fields(type(obj)):
        value = getattr(obj, field.attname)
        if isinstance(value, GEOSGeometry):
            value = json.loads(
                value.transform(4326, clone=True).geojson if value.srid != 4326 else value.geojson
            )
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        state[field.attname] = value
    return state


def record(obj: models.Model, user, change: str, note: str = "", *, first: bool = False) -> Version:
    """`first`: the object was just inserted with a new key (a created work), so it has no earlier
    version to number from or compare with, and none is looked up."""
    label = label_of(obj)
    state = snapshot(obj)
    previous = (
        None if first else Version.objects.filter(model=label, object_id=obj.pk).order_by("-number").first()
    )
    changed = sorted(k for k in state if previous is None or previous.state.get(k) != state[k])
    version = Version(
        model=label,
        object_id=obj.pk,
        number=(previous.number + 1) if previous else 1,
        change=change,
        user=user if getattr(user, "is_authenticated", False) else None,
        state=state,
        changed_fields=changed if previous is not None else [],
        note=note[:200],
    )
    gathered = _gathered.get() if first else None
    if gathered is not None:
        gathered.append(version)
    else:
        version.save(force_insert=True)
    return version


def versions_of(model: type[models.Model], object_id: int):
    return (
        Version.objects.filter(model=label_of(model), object_id=object_id)
        .select_related("user")
        .order_by("-number")
    )


def diff(older: Version | None, newer: Version) -> list[dict[str, Any]]:
    """Changed fields with verbose names, old and new values (geometry as GeoJSON for the map)."""
    model = apps.get_model(newer.model)
    names = {f.attname: f for f in _fields(model)}
    rows = []
    before = older.state if older else {}
    for key in sorted(set(newer.state) | set(before)):
        old, new = before.get(key), newer.state.get(key)
        if old == new:
            continue
        field = names.get(key)
        rows.append(
            {
                "field": key,
                "label": str(field.verbose_name) if field is not None else key,
                "old": old,
                "new": new,
                "old_shown": shown(field, old),
                "new_shown": shown(field, new),
                "geometry": isinstance(new, dict) or isinstance(old, dict),
            }
        )
    return rows


def shown(field: models.Field | None, value: Any) -> Any:
    """A stored value as a person reads it: a choice's label, the name of a related row, Sí/No."""
    if value is None or field is None or isinstance(value, dict):
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Sí") if value else _("No")
    related_model = field.related_model if field.is_relation else None
    if isinstance(related_model, type) and issubclass(related_model, models.Model):
        related = related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value


def changes_for_revert(obj: models.Model, version: Version) -> dict[str, Any]:
    """Field values that bring `obj` back to `version`, as the update action expects them."""
    changes: dict[str, Any] = {}
    for field in _fields(type(obj)):
        if field.attname not in version.state:
            continue
        value = version.state[field.attname]
        if value is not None and isinstance(field, GeometryField):
            value = GEOSGeometry(json.dumps(value), srid=4326)
        elif value is not None:
            value = field.to_python(value)
        if getattr(obj, field.attname) != value:
            changes[field.attname] = value
    return changes
