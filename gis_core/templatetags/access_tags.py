"""Template access to the one access module (gis_core.access)."""

from django import template

from gis_core import access

register = template.Library()


@register.filter
def has_staff_role(user) -> bool:
    """True for analysts, planners, supervisors and administrators (they see the workspace link)."""
    return access.has_role(user) or bool(getattr(user, "is_superuser", False))
