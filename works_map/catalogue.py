"""The data catalogue: the page /datos/ and its DCAT-US 1.1 twin /datos/catalogo.json, both read
from the export registry (works_map.exports.catalogue(): every export dataset, its files and its
fields) and from what works_map.datasets adds to it (services, keywords, freshness) or lists alone.

DCAT-US 1.1 (Project Open Data's data.json) is what CKAN's ckanext-dcat harvester and
ckanext-datajson read; `spatial` is the bounding box of the municipios loaded ("W,S,E,N"),
`modified` the latest layer-version bump or row update of each dataset.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.exporters import Dataset
from gis_core.geometry import GTO_BOUNDS
from priority_zones.exports import INEGI_TERMS
from priority_zones.models import Municipio
from works_map import exports
from works_map.datasets import Listing, all_listings, service_path

DCAT_US_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DCAT_US_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
DCAT_US_DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"

# The field types of gis_core.exporters.KINDS, as the data dictionary names them.
KIND_NAMES = {
    "text": gettext_lazy("texto"),
    "integer": gettext_lazy("entero"),
    "real": gettext_lazy("decimal"),
    "date": gettext_lazy("fecha"),
    "datetime": gettext_lazy("fecha y hora"),
    "boolean": gettext_lazy("booleano"),
}
LICENCE_NAMES = {
    "https://datos.gob.mx/libreusomx": gettext_lazy("Libre Uso MX"),
    INEGI_TERMS: gettext_lazy("Términos de libre uso del INEGI"),
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
}


def state_bbox() -> tuple[float, float, float, float]:
    """The extent of the municipios loaded, or Guanajuato's bounds before any is. One query."""
    extent = Municipio.objects.aggregate(e=Extent("geom"))["e"]
    return tuple(round(v, 4) for v in extent) if extent else GTO_BOUNDS  # type: ignore[return-value]


def _field(name: str, kind: str, meaning: str, source: str) -> dict[str, str]:
    return {"name": name, "type": str(KIND_NAMES[kind]), "meaning": _(meaning), "source": _(source)}


def _exported(listing: Listing, data: dict[str, Any]) -> dict[str, Any]:
    """An export dataset (works_map.exports.catalogue()): every file format, then the services."""
    files = [
        {
            "title": _(download["label"]),
            "format": download["name"],
            "media_type": download["media_type"].split(";")[0],
            "path": download["path"],
            "download": True,
        }
        for download in data["downloads"]
    ]
    return {
        "title": _(data["title"]),
        "description": _(data["description"]),
        "source": _(data["source"]),
        "licence": data["license"],
        "fields": [_field(f["name"], f["type"], f["description"], f["source"]) for f in data["fields"]],
        "distributions": files + _services(listing),
        "rows": _export_rows(exports.DATASETS[listing.export]),
    }


def _export_rows(dataset: Dataset) -> int | None:
    """The rows a download without parameters holds. One query."""
    return dataset.select({}).count() if dataset.select else None


def _services(listing: Listing) -> list[dict[str, Any]]:
    return [
        {
            "title": str(d.title),
            "format": d.format,
            "media_type": d.media_type,
            "path": service_path(d),
            "download": d.download,
        }
        for d in listing.services
    ]


def _entry(listing: Listing, exported: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if listing.export:
        entry = _exported(listing, exported[listing.export])
    else:
        entry = {
            "title": _(listing.title),
            "description": _(listing.description),
            "source": _(listing.source),
            "licence": settings.OPEN_DATA_LICENSE,
            "fields": [
                _field(f.name, f.kind, f.description, f.source or listing.source) for f in listing.fields
            ],
            "distributions": _services(listing),
            "rows": listing.count() if listing.count else None,
        }
    return {
        **entry,
        "slug": listing.slug,
        "export": listing.export,
        "keywords": list(listing.keywords),
        "modified": listing.modified(),
        "licence_name": LICENCE_NAMES.get(entry["licence"], entry["licence"]),
    }


def entries() -> list[dict[str, Any]]:
    """Every dataset of the catalogue as plain data: the export registry's datasets with what their
    listing adds, then the datasets that are not exports."""
    exported = {d["name"]: d for d in exports.catalogue()}
    return [_entry(listing, exported) for listing in all_listings()]


def catalogue_page() -> dict[str, Any]:
    """Queries: per dataset a count and 1–2 for its freshness (about 25 in all)."""
    return {
        "entries": entries(),
        "publisher": settings.OPEN_DATA_PUBLISHER,
        "contact_email": settings.OPEN_DATA_CONTACT_EMAIL,
        "dcat_url": reverse("works_map:catalogue-dcat"),
    }


def dcat_catalogue(site_url: str) -> dict[str, Any]:
    """The catalogue as DCAT-US 1.1 JSON; every URL absolute under `site_url`."""
    bbox = ",".join(str(v) for v in state_bbox())
    page = site_url + reverse("works_map:catalogue")
    contact: dict[str, str] = {"@type": "vcard:Contact", "fn": settings.OPEN_DATA_CONTACT_NAME}
    if settings.OPEN_DATA_CONTACT_EMAIL:
        contact["hasEmail"] = f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}"
    datasets = []
    for entry in entries():
        distributions = [
            {
                "@type": "dcat:Distribution",
                "title": d["title"],
                ("downloadURL" if d["download"] else "accessURL"): site_url + d["path"],
                "mediaType": d["media_type"],
                "format": d["format"],
            }
            for d in entry["distributions"]
        ]
        slug = entry["slug"]
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "identifier": f"{page}#{slug}",
                "title": entry["title"],
                "description": entry["description"],
                "keyword": entry["keywords"],
                # Never invented: a dataset with no recorded change yet has no `modified`.
                **({"modified": entry["modified"].isoformat()} if entry["modified"] else {}),
                "publisher": {"@type": "org:Organization", "name": settings.OPEN_DATA_PUBLISHER},
                "contactPoint": contact,
                "accessLevel": "public",
                "license": entry["licence"],
                "spatial": bbox,
                "language": ["es-MX"],
                "landingPage": f"{page}#{slug}",
                "describedBy": f"{page}#diccionario-{slug}",
                "distribution": distributions,
            }
        )
    return {
        "@context": DCAT_US_CONTEXT,
        "@id": site_url + reverse("works_map:catalogue-dcat"),
        "@type": "dcat:Catalog",
        "conformsTo": DCAT_US_SCHEMA,
        "describedBy": DCAT_US_DESCRIBED_BY,
        "title": _("Catálogo de datos abiertos de %(site)s") % {"site": settings.SITE_NAME},
        "dataset": datasets,
    }
