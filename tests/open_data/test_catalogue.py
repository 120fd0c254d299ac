"""The data catalogue: /datos/ lists every dataset of the export registry (and the few datasets that
are not exports) with its formats, dictionary, size and freshness; /datos/catalogo.json is the same
catalogue as DCAT-US 1.1, and every download answers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from gis_core.exporters import FORMATS
from works_map import exports
from works_map.catalogue import entries
from works_map.datasets import LISTINGS, all_listings

pytestmark = pytest.mark.django_db

# DCAT-US 1.1 required fields (non-federal publishers: bureauCode and programCode do not apply).
REQUIRED = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
)
REQUIRED_IF_APPLICABLE = ("license", "spatial", "distribution")


@pytest.fixture
def published(leon, xichu, zap_xichu_2026, work_well_xichu, work_road_leon, unpublished_work_leon, settings):
    from gis_core.models import LayerVersion

    settings.OPEN_DATA_CONTACT_EMAIL = "datos@territorio.test"
    # Loading the INEGI frame bumps this version (reference_data); the fixtures write rows directly.
    LayerVersion.objects.bump("municipios")
    # A small budget of each kind, so the budget's datasets have rows, a date and working downloads.
    from budget.actions import do_load_budget
    from tests.budget.conftest import expense_csv
    from tests.budget.test_pages_and_api import INCOME, TRANSFERS

    for text, kind in ((expense_csv(), "egresos"), (INCOME, "ingresos"), (TRANSFERS, "transferencias")):
        assert do_load_budget(text.encode(), f"{kind}.csv", kind).committed
    return work_well_xichu


def test_the_catalogue_page_lists_each_dataset_with_formats_dictionary_size_and_date(client, published):
    response = client.get(reverse("works_map:catalogue"))
    assert response.status_code == 200
    page = response.content.decode()
    for entry in entries():
        assert f'id="{entry["slug"]}"' in page and f'id="diccionario-{entry["slug"]}"' in page
        for field in entry["fields"]:
            assert f"<code>{field['name']}</code>".replace("<carencia>", "&lt;carencia&gt;") in page
    for name, dataset in exports.DATASETS.items():
        for fmt in dataset.formats:
            assert f'href="/api/export/{name}.{fmt}" download' in page
    assert 'href="/api/export/oc4ids.json" download' in page
    works = page[page.index('id="obras"') : page.index('id="zonas"')]
    assert "<dd>2</dd>" in works  # published works only
    assert "datos@territorio.test" in page
    assert 'href="/datos/catalogo.json"' in page


def test_every_export_dataset_is_in_the_catalogue_once():
    listed = [listing.export for listing in LISTINGS if listing.export]
    assert sorted(listed) == sorted(exports.DATASETS)
    assert len({listing.slug for listing in LISTINGS}) == len(LISTINGS)


def test_the_data_dictionary_of_works_is_exactly_the_export_fields(client, published):
    works = next(e for e in entries() if e["export"] == "works")
    assert [f["name"] for f in works["fields"]] == [f.name for f in exports.WORKS.fields]
    assert len(works["fields"]) == 48
    by_name = {f["name"]: f for f in works["fields"]}
    assert by_name["amount_approved"]["type"] == "decimal"
    assert by_name["amount_approved"]["meaning"] == "Monto aprobado (MXN)"
    assert by_name["municipio"]["source"] == "INEGI, Marco Geoestadístico"  # the field's own source
    assert by_name["folio"]["source"] == exports.WORKS.source  # else the dataset's
    # The file carries the same columns, in the same order.
    header = b"".join(client.get("/api/export/works.csv").streaming_content).decode().splitlines()[0]
    assert header.split(",")[: len(works["fields"])] == list(by_name)


def test_the_dcat_catalogue_lists_every_export_format_with_its_media_type(client, published):
    catalogue = client.get(reverse("works_map:catalogue-dcat")).json()
    by_slug = {d["identifier"].rsplit("#", 1)[1]: d for d in catalogue["dataset"]}
    for listing in LISTINGS:
        if not listing.export:
            continue
        dataset = exports.DATASETS[listing.export]
        downloads = {d["downloadURL"]: d for d in by_slug[listing.slug]["distribution"] if "downloadURL" in d}
        for fmt in dataset.formats:
            url = f"http://testserver/api/export/{dataset.name}.{fmt}"
            assert downloads[url]["mediaType"] == FORMATS[fmt].media_type.split(";")[0], url
        assert by_slug[listing.slug]["title"] == dataset.title
    assert by_slug["municipios"]["license"] == "https://www.inegi.org.mx/inegi/terminos.html"
    assert by_slug["obras"]["license"] == "https://datos.gob.mx/libreusomx"  # OPEN_DATA_LICENSE default


def test_the_catalogue_is_translated_on_the_english_page(client, published):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("works_map:catalogue")).content.decode()
    # The registry's Spanish (kept as is in the files) is translated when shown.
    assert "Published works and actions" in page and "Obras y acciones publicadas" not in page
    assert "<td>Approved amount (MXN)</td>" in page and "<td>decimal</td>" in page  # the dictionary too
    assert "CSV (geometry as WKT, lon/lat of the representative point)" in page


def test_the_site_header_and_footer_link_the_catalogue(client, published):
    page = client.get(reverse("works_map:home")).content.decode()
    assert page.count('href="/datos/"') >= 2


def test_the_dcat_catalogue_has_every_required_field_for_each_dataset(client, published):
    response = client.get(reverse("works_map:catalogue-dcat"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    catalogue = response.json()
    assert catalogue["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert catalogue["@type"] == "dcat:Catalog"
    assert [d["identifier"].rsplit("#", 1)[1] for d in catalogue["dataset"]] == [
        d.slug for d in all_listings()
    ]
    for dataset in catalogue["dataset"]:
        missing = [k for k in (*REQUIRED, *REQUIRED_IF_APPLICABLE) if not dataset.get(k)]
        assert not missing, (dataset["identifier"], missing)
        assert dataset["contactPoint"]["hasEmail"] == "mailto:datos@territorio.test"
        assert dataset["publisher"]["name"] and dataset["accessLevel"] == "public"
        west, south, east, north = (float(v) for v in dataset["spatial"].split(","))
        assert (west, south, east, north) == (-101.8, 21.0, -99.9, 21.4)  # the municipios loaded
        for distribution in dataset["distribution"]:
            assert distribution["mediaType"] and distribution["format"]
            assert ("downloadURL" in distribution) != ("accessURL" in distribution)
    works = catalogue["dataset"][0]
    assert works["modified"] is not None and works["keyword"]


def test_every_distribution_of_the_dcat_catalogue_answers_200(client, published):
    catalogue = client.get(reverse("works_map:catalogue-dcat")).json()
    urls = [d.get("downloadURL") or d["accessURL"] for ds in catalogue["dataset"] for d in ds["distribution"]]
    assert len(urls) >= 5 * 7 + 1 + 10
    for url in urls:
        assert url.startswith("http://testserver/")
        parts = urlsplit(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200, (url, response.status_code)
        # The declared media type is what the server sends.
        media = next(
            d["mediaType"] for ds in catalogue["dataset"] for d in ds["distribution"] if url in d.values()
        )
        assert response["Content-Type"].split(";")[0] == media, url


def test_modified_follows_the_works_layer_version(client, published, water_category, xichu):
    before = client.get(reverse("works_map:catalogue-dcat")).json()["dataset"][0]["modified"]
    from tests.places import make_work

    make_work(xichu, water_category, folio="XIC-NUEVA", published=True, point=(-100.0, 21.3))
    after = client.get(reverse("works_map:catalogue-dcat")).json()["dataset"][0]["modified"]
    assert after > before
