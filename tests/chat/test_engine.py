"""The conversation engine on the real database: one message in, one reply out, for every intent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from chat import engine
from chat.models import Conversation, IntentCount

KEY = "k" * 64
WELL = (-100.05, 21.3)


def ask(text: str, key: str = KEY, channel: str = "web") -> engine.Reply:
    return engine.answer(key, engine.Incoming("text", text=text), channel=channel, base_url="https://o.mx")


def locate(lon: float, lat: float, key: str = KEY) -> engine.Reply:
    return engine.answer(
        key, engine.Incoming("location", lon=lon, lat=lat), channel="web", base_url="https://o.mx"
    )


@pytest.fixture
def twelve_works_xichu(works_cluster_xichu, xichu, water_category):
    """Eight more works east of the well (12 in all), at growing distance: enough for two "más"."""
    from works_map.actions import do_create_work

    for i in range(8):
        do_create_work(
            folio=f"XIC-2026-1{i:02d}",
            fiscal_year=2026,
            name=f"Obra lejana {i}",
            category=water_category,
            geom=Point(WELL[0] + 0.01 * (i + 1), WELL[1], srid=4326),
            municipio=xichu,
            status="PROGRAMADA",
            amount_approved=Decimal("50000"),
        )
    return works_cluster_xichu


def test_a_location_lists_the_nearest_works_with_status_amount_progress_distance_and_link(work_well_xichu):
    reply = locate(-100.051, 21.3)
    assert reply.intent == "location"
    assert "Red de agua potable en Xichú" in reply.text
    assert "En ejecución" in reply.text
    assert "$2,500,000" in reply.text
    assert "avance 40 %" in reply.text
    assert "a 104 m" in reply.text  # 0.001° of longitude at 21.3° N
    assert f"https://o.mx/obras/{work_well_xichu.pk}/" in reply.text
    assert reply.works == [{"name": work_well_xichu.name, "url": f"https://o.mx/obras/{work_well_xichu.pk}/"}]


def test_mas_pages_through_the_next_works_nearest_first(twelve_works_xichu):
    first = locate(*WELL)
    assert first.text.count("\n1. ") == 1 and "5. " in first.text and "6. " not in first.text
    assert "más" in first.text and first.options == [("más", "Ver más")]
    assert "Obra lejana 0" in first.text  # the well and its three neighbours come first
    second = ask("más")
    assert second.intent == "next"
    assert "6. Obra lejana 1" in second.text and "10. Obra lejana 5" in second.text
    assert "Obra lejana 0" not in second.text and "Red de agua potable" not in second.text
    third = ask("Mas")
    assert "11. Obra lejana 6" in third.text and "12. Obra lejana 7" in third.text and third.options == []
    assert "No hay más obras" in ask("más").text


def test_the_cursor_keeps_no_conversation_text_and_expires(twelve_works_xichu):
    locate(*WELL)
    cursor = Conversation.objects.get(key=KEY)
    assert cursor.mode == "near" and cursor.offset == 5
    assert cursor.expires_at <= timezone.now() + dt.timedelta(minutes=engine.CURSOR_MINUTES)
    Conversation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "Primero envía tu ubicación" in ask("más").text


def test_coordinates_outside_guanajuato_get_a_clear_answer(work_well_xichu):
    reply = locate(-99.13, 19.43)  # Mexico City
    assert reply.intent == "outside"
    assert "No hay obras registradas cerca" in reply.text and "Guanajuato está" in reply.text


def test_a_location_far_from_any_work_says_so(work_well_xichu):
    reply = locate(-101.6, 20.2)
    assert "No hay obras publicadas a menos de 25 km" in reply.text


@pytest.mark.parametrize(
    "text", ["obras en Xichú", "obras en xichu", "OBRAS EN XICHUU", "qué se construye en xichú"]
)
def test_a_municipio_is_found_without_accents_and_with_typos(works_cluster_xichu, leon, text):
    reply = ask(text)
    assert reply.intent == "municipio"
    assert reply.text.startswith("Xichú: obras publicadas")


def test_a_localidad_is_found_by_trigram_similarity(xichu, water_category):
    from priority_zones.models import Localidad
    from tests.places import make_work

    loc = Localidad.objects.create(
        cvegeo="110450001",
        municipio=xichu,
        name="Xichú",
        ambito="U",
        frame_version="TEST",
        point=Point(*WELL),
    )
    other = Localidad.objects.create(
        cvegeo="110450020", municipio=xichu, name="Guadalupe de Victoria", ambito="R", frame_version="TEST",
        point=Point(-100.1, 21.35),
    )  # fmt: skip
    work = make_work(xichu, water_category, folio="XIC-L-1", published=True, point=(-100.1, 21.35))
    work.localidad = other
    work.save()
    reply = ask("guadalupe de victorya")
    assert reply.intent == "localidad"
    assert "Guadalupe de Victoria, Xichú: obras publicadas" in reply.text
    assert loc.pk != other.pk


def test_a_postal_code_names_its_municipio_and_says_what_it_cannot(leon, work_road_leon):
    reply = ask("37000")
    assert reply.intent == "postal_code"
    assert "C.P. 37000 (León)" in reply.text and "Línea de conducción en León" in reply.text
    assert "solo nos dicen el municipio" in reply.text
    assert "no es de Guanajuato" in ask("06700").text


def test_a_folio_gives_the_work_and_how_to_follow_it(work_well_xichu):
    reply = ask("xic-2026-001")
    assert reply.intent == "folio"
    assert "Red de agua potable en Xichú (XIC-2026-001, 2026)" in reply.text
    assert "seguir XIC-2026-001" in reply.text
    assert "No encontré una obra publicada con el folio «SOP-2024-0123»" in ask("SOP-2024-0123").text


def test_a_folio_suffix_finds_the_work(work_well_xichu):
    assert "Red de agua potable en Xichú" in ask("001").text


def test_unpublished_works_are_never_answered(unpublished_work_leon):
    assert "No encontré" in ask("LEO-2026-999").text
    assert "Obra no publicada" not in locate(-101.65, 21.2).text


def test_a_category_word_finds_its_works_and_its_synonyms_too(work_well_xichu, leon):
    from tests.places import make_work
    from works_map.models import Category

    rubro = Category.objects.create(
        code="EDU", name="Infraestructura básica del sector educativo", level="RUBRO"
    )
    aula = Category.objects.create(code="EDU.AULA", name="Aula", level="TEMA", parent=rubro)
    make_work(leon, aula, folio="LEO-EDU-1", published=True, point=(-101.65, 21.15))
    water = ask("agua")
    assert water.intent == "category" and "Red de agua potable en Xichú" in water.text
    schools = ask("escuelas")
    assert "Obra LEO-EDU-1" in schools.text and "Red de agua" not in schools.text
    in_leon = ask("escuelas en leon")
    assert in_leon.intent == "municipio" and "León: obras publicadas" in in_leon.text


def test_zonas_prioritarias_lists_the_published_zones_and_where_you_are(zap_xichu_2026, work_well_xichu):
    overall = ask("zonas prioritarias")
    assert "Zonas prioritarias publicadas para 2026" in overall.text and "ZAP rural: 1" in overall.text
    locate(*WELL)
    here = ask("Zonas prioritarias")
    assert (
        "Tu ubicación está en estas zonas prioritarias" in here.text
        and "Xichú (ZAP rural, 2026)" in here.text
    )


@pytest.mark.parametrize("text", ["", "ayuda", "Hola", "menú"])
def test_help_and_greetings_get_the_menu(db, text):
    reply = ask(text)
    assert reply.intent == "help" and "Envía tu ubicación" in reply.text


def test_unclear_messages_get_a_short_menu_never_silence(db):
    reply = ask("qwerty zxcv")
    assert reply.intent == "unknown"
    assert "No entendí «qwerty zxcv»" in reply.text and "Envía tu ubicación" in reply.text


def test_subscribing_from_the_web_chat_points_to_whatsapp(work_well_xichu):
    assert "Los avisos llegan por WhatsApp" in ask("seguir XIC-2026-001").text
    assert "Los avisos llegan por WhatsApp" in ask("avisarme").text


def test_metrics_are_counts_by_intent_per_day_only(work_well_xichu):
    ask("ayuda")
    ask("hola")
    locate(*WELL)
    counts = {(c.channel, c.intent): c.count for c in IntentCount.objects.all()}
    assert counts == {("web", "help"): 2, ("web", "location"): 1}
    assert set(IntentCount.objects.values_list("day", flat=True)) == {timezone.now().date()}
