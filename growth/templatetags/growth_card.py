from django import template

from growth.card import growth_section

register = template.Library()


@register.inclusion_tag("growth/_card_section.html")
def growth_card(geom):
    """The growth section of a report card (public: disclosure-controlled aggregates only)."""
    return growth_section(geom) if geom is not None else {"growth": None}
