"""Participation blocks on pages other apps render (work page, municipio and zone cards): the
templates load this library, so those apps never import participation."""

from __future__ import annotations

from django import template

from participation import summaries

register = template.Library()


@register.inclusion_tag("participation/_work_panel.html", takes_context=True)
def work_participation(context, work):
    return {**summaries.work_participation(work), "request": context.get("request")}


@register.inclusion_tag("participation/_tally.html")
def area_participation(area):
    """Reports received and answered on the works a card counts (a municipio's by their registered
    municipio, a zone's or drawn area's by their point inside), with the median days to answer."""
    from priority_zones.models import Municipio, Zone
    from works_map import pages
    from works_map import summaries as work_summaries

    if isinstance(area, Municipio):
        works = pages.municipio_works(area)
    elif isinstance(area, Zone):
        works = pages.zone_works(area)
    else:
        works = work_summaries.works_in_area(area.geom, pages.visible_works(None))
    return {"tally": summaries.area_tally(works)}


@register.filter
def moderates(user) -> bool:
    """Whether `user` has the moderation queue (moderators and administrators)."""
    from participation.access import is_moderator

    return is_moderator(user)
