"""Every write to zones and geography goes through here."""

from __future__ import annotations

from django.db import transaction

from gis_core.geometry import as_multipolygon, validate_geometry
from layers.versions import bump_layers
from priority_zones.models import Zone

ZONE_LAYERS = ("zones",)


@transaction.atomic
def do_create_zone(*, acting_user=None, **fields) -> Zone:
    zone = Zone(**fields)
    zone.geom = as_multipolygon(validate_geometry(zone.geom))
    if acting_user is not None and zone.author_id is None:
        zone.author = acting_user
    zone.full_clean()
    zone.save()
    bump_layers(*ZONE_LAYERS)
    return zone


@transaction.atomic
def do_update_zone(zone: Zone, *, acting_user=None, **changes) -> Zone:
    for name, value in changes.items():
        setattr(zone, name, value)
    if "geom" in changes:
        zone.geom = as_multipolygon(validate_geometry(zone.geom))
    zone.full_clean()
    zone.save()
    bump_layers(*ZONE_LAYERS)
    return zone
