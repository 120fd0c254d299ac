from django import template

from growth.card import growth_section

register = template.Library()


@register.inclusion_tag("growth/_card_section.html", takes_context=True)
def growth_card(context, geom):
    """The growth section of a report card (public: disclosure-controlled aggregates only). The
    card's household need, already in the context, gives the food carencia without a second query."""
    if geom is None:
        return {"growth": None}
    return growth_section(geom, need=context.get("need"))
