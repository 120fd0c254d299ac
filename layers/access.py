"""Who may see a restricted layer, and which part of it: delegated to the data's own access gate."""

from __future__ import annotations

from django.http import HttpRequest

from layers.filters import Filters
from layers.registry import Layer
from priority_zones import access as household_access
from priority_zones.models import AccessLog

TILE_PURPOSE = "Mapa de hogares: teselas vectoriales"


def may_view(layer: Layer, user) -> bool:
    if layer.public:
        return True
    if layer.name == "households":
        return household_access.may_view_households(user)
    return False


def scope_filters(layer: Layer, user, filters: Filters) -> Filters:
    """The requested filters narrowed to what the user may see (a planner's municipios)."""
    if layer.public or layer.name != "households" or user.is_superuser:
        return filters
    allowed = set(household_access.household_municipio_ids(user))
    wanted = set(filters.get("municipio", allowed)) & allowed
    return {**filters, "municipio": tuple(sorted(wanted))}


def log_tile_read(layer: Layer, request: HttpRequest) -> None:
    """Every household tile served is logged (who, when, which tile), as every other household read."""
    if not layer.public:
        household_access.log_read(
            request.user, AccessLog.Action.LIST, TILE_PURPOSE, [], query=request.get_full_path()
        )
