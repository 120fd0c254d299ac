"""Typo- and accent-tolerant lookups for the chat, in PostgreSQL: pg_trgm word similarity on the
folded names (chat_fold = lower + unaccent, indexed by migration 0002) of the gazetteer and the
category catalogue."""

from __future__ import annotations

import unicodedata

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import CharField, F, Func, Q, Value

from priority_zones.models import Localidad, Municipio
from works_map.models import Category

# Everyday words for the catalogue's names (folded): "escuelas" finds the education categories.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "escuela": ("educativo",),
    "escuelas": ("educativo",),
    "educacion": ("educativo",),
    "aulas": ("aula",),
    "luz": ("electrificacion", "alumbrado"),
    "electricidad": ("electrificacion",),
    "hospital": ("salud",),
    "clinica": ("salud",),
    "clinicas": ("salud",),
    "casa": ("vivienda",),
    "casas": ("vivienda",),
    "viviendas": ("vivienda",),
    "calle": ("calles", "pavimento"),
    "pavimento": ("pavimentacion",),
    "drenajes": ("drenaje",),
}
# Minimum pg_trgm word similarity of the message's word(s) to a name (pg_trgm's own default is 0.6).
PLACE_THRESHOLD = 0.6
CATEGORY_THRESHOLD = 0.7


class Folded(Func):
    """chat_fold(expr): lower-case, without accents; the expression the trigram indexes cover."""

    function = "chat_fold"
    output_field = CharField()


def fold(text: str) -> str:
    """The same folding in Python, for the message's keywords."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matching(queryset, phrase: str, threshold: float):
    # `%>`: the phrase is (fuzzily) a word sequence of the name; served by the trigram GIN index.
    return (
        queryset.annotate(folded=Folded(F("name")))
        .filter(folded__trigram_word_similar=phrase)
        .annotate(
            word=TrigramWordSimilarity(Value(phrase), "folded"),  # type: ignore[arg-type]
            whole=TrigramSimilarity("folded", Value(phrase)),  # type: ignore[arg-type]
        )
        .filter(word__gte=threshold)
        .order_by("-word", "-whole", "pk")
    )


def find_municipio(phrase: str) -> Municipio | None:
    return _matching(Municipio.objects.only("pk", "name", "cvegeo"), phrase, PLACE_THRESHOLD).first()


def find_localidad(phrase: str) -> Localidad | None:
    found = _matching(
        Localidad.objects.select_related("municipio").only("pk", "name", "municipio__name"),
        phrase,
        PLACE_THRESHOLD,
    )
    return found.first()


def find_place(phrase: str) -> Municipio | Localidad | None:
    """A municipio first (the 46 are what people name most), then a localidad."""
    if len(phrase) < 3:
        return None
    return find_municipio(phrase) or find_localidad(phrase)


def find_categories(word: str) -> list[int]:
    """Ids of the categories a word names (with their sub-categories), or []."""
    if len(word) < 3:
        return []
    condition = Q()
    for term in SYNONYMS.get(word, (word,)):
        condition |= Q(pk__in=_matching(Category.objects.all(), term, CATEGORY_THRESHOLD).values("pk"))
    found = set(Category.objects.filter(condition).values_list("pk", flat=True))
    if not found:
        return []
    # Sub-categories (tema, subtema) of a matched rubro.
    children = Category.objects.filter(Q(parent__in=found) | Q(parent__parent__in=found))
    return sorted(found | set(children.values_list("pk", flat=True)))
