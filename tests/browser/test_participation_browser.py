"""A citizen reports on a work from a phone, with a photo; a moderator approves it; the work page
shows it. Real Chromium against the live server, axe-core on the citizen's pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.actors import PASSWORD, staff
from tests.browser.conftest import CHROMIUM, axe_violations

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def moderator(transactional_db, django_user_model, leon):
    return staff(django_user_model, "moderador_navegador", "moderator", [leon])


def photo_file(tmp_path: Path) -> Path:
    img = Image.new("RGB", (1200, 900), (90, 140, 60))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 9.0, 0.0), 3: "W", 4: (101.0, 38.0, 0.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    path = tmp_path / "obra.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_a_citizen_reports_from_a_phone_a_moderator_approves_and_the_work_page_shows_it(
    browser, live_server, live_works, moderator, tmp_path
):
    work = live_works["near"][0]
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-MX", bypass_csp=True
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/obras/{work.pk}/")
    page.get_by_role("link", name="Reportar sobre esta obra").click()
    page.wait_for_url(re.compile(r".*/reportar/$"))
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("¿Qué quiere reportar?").select_option("AVANCE")
    page.get_by_label("Cuéntenos qué vio").fill("El letrero dice 60 % pero la obra apenas empieza.")
    page.get_by_label("Fotos (opcional, hasta 3)").set_input_files(str(photo_file(tmp_path)))
    page.get_by_label("Correo para avisarle de la respuesta (opcional)").fill("ciudadana@example.net")
    page.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_url(re.compile(r".*/participa/seguimiento/[A-Z0-9]+/\?nuevo=1$"))
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    assert page.locator("#report-state").inner_text() == "Recibido"
    assert axe_violations(page) == []
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX", bypass_csp=True)
    staff_page = desk.new_page()
    staff_page.goto(f"{live_server.url}/cuenta/entrar/?next=/planeacion/participacion/")
    staff_page.fill("#id_username", "moderador_navegador")
    staff_page.fill("#id_password", PASSWORD)
    staff_page.click("main form button[type=submit]")
    staff_page.wait_for_url(f"{live_server.url}/planeacion/participacion/")
    staff_page.get_by_role("link", name=code).click()
    assert (
        "a " in staff_page.locator(".gps-note").inner_text()
        and "m de la obra" in staff_page.locator(".gps-note").inner_text()
    )
    assert "ciudadana@example.net" in staff_page.content()
    assert axe_violations(staff_page) == []
    staff_page.click("#approve")
    staff_page.wait_for_selector("text=Reporte aprobado y publicado.")
    desk.close()

    viewer = browser.new_context(viewport=PHONE, is_mobile=True, locale="es-MX")
    public = viewer.new_page()
    public.goto(f"{live_server.url}/obras/{work.pk}/")
    panel = public.locator("#reportes-ciudadanos")
    assert "El letrero dice 60 % pero la obra apenas empieza." in panel.inner_text()
    assert "Avance distinto al publicado: 1" in panel.inner_text()
    img = panel.locator(".report-photos img")
    assert img.count() == 1
    img.scroll_into_view_if_needed()  # the photo loads lazily
    for _attempt in range(100):
        if public.evaluate("(el) => el.complete && el.naturalWidth > 0", img.element_handle()):
            break
        public.wait_for_timeout(100)
    else:
        raise AssertionError("the approved photo did not load")
    assert "ciudadana@example.net" not in public.content()
    viewer.close()


def test_a_point_clicked_on_the_map_offers_the_nearest_works_to_report(visit, live_server, live_works):
    from tests.browser.conftest import wait_for_map

    page = visit.page
    page.goto(f"{live_server.url}/")
    wait_for_map(page)
    lon, lat = -101.645, 21.156  # between the works around central León, on none of them
    page.evaluate(f"() => window.territorioMap.jumpTo({{center: [{lon}, {lat}], zoom: 14}})")
    wait_for_map(page)
    x, y = page.evaluate(
        f"() => {{ const p = window.territorioMap.project([{lon}, {lat}]); return [p.x, p.y]; }}"
    )
    box = page.locator(".maplibregl-canvas").first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_role("link", name="Reportar sobre una obra cerca de este punto").click()
    page.wait_for_url(re.compile(r".*/participa/reportar/\?lon=-101\.645\d*&lat=21\.156\d*$"))
    nearest = page.locator("main .work-list li a").first
    assert nearest.inner_text() == live_works["near"][0].name
    nearest.click()
    page.wait_for_url(re.compile(rf".*/participa/obras/{live_works['near'][0].pk}/reportar/\?lon=.*"))
    assert page.locator("#location-status").inner_text() == "Ubicación agregada."
