"""The data catalogue: the page /datos/ and its DCAT-US 1.1 twin /datos/catalogo.json, both read
from the registry in works_map.datasets.

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

from gis_core.geometry import GTO_BOUNDS
from priority_zones.models import Municipio
from works_map.datasets import DATASETS, Dataset, dataset_path, licence_url

DCAT_US_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DCAT_US_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
DCAT_US_DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"


def state_bbox() -> tuple[float, float, float, float]:
    """The extent of the municipios loaded, or Guanajuato's bounds before any is. One query."""
    extent = Municipio.objects.aggregate(e=Extent("geom"))["e"]
    return tuple(round(v, 4) for v in extent) if extent else GTO_BOUNDS  # type: ignore[return-value]


def _entry(dataset: Dataset) -> dict[str, Any]:
    modified = dataset.modified()
    return {
        "dataset": dataset,
        "rows": dataset.count(),
        "modified": modified,
        "licence": licence_url(dataset),
        "distributions": [(d, dataset_path(dataset, d)) for d in dataset.distributions],
    }


def catalogue_page() -> dict[str, Any]:
    """Queries: per dataset a count and 1–2 for its freshness (about 20 in all)."""
    return {
        "entries": [_entry(d) for d in DATASETS],
        "publisher": settings.DATA_PUBLISHER,
        "contact_email": settings.DATA_CONTACT_EMAIL,
        "dcat_url": reverse("works_map:catalogue-dcat"),
    }


def dcat_catalogue(site_url: str) -> dict[str, Any]:
    """The catalogue as DCAT-US 1.1 JSON; every URL absolute under `site_url`."""
    bbox = ",".join(str(v) for v in state_bbox())
    page = site_url + reverse("works_map:catalogue")
    contact: dict[str, str] = {"@type": "vcard:Contact", "fn": settings.DATA_CONTACT_NAME}
    if settings.DATA_CONTACT_EMAIL:
        contact["hasEmail"] = f"mailto:{settings.DATA_CONTACT_EMAIL}"
    datasets = []
    for entry in (_entry(d) for d in DATASETS):
        dataset: Dataset = entry["dataset"]
        distributions = []
        for distribution, path in entry["distributions"]:
            url_key = "downloadURL" if distribution.download else "accessURL"
            distributions.append(
                {
                    "@type": "dcat:Distribution",
                    "title": str(distribution.title),
                    url_key: site_url + path,
                    "mediaType": distribution.media_type,
                    "format": distribution.format,
                }
            )
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "identifier": f"{page}#{dataset.slug}",
                "title": str(dataset.title),
                "description": str(dataset.description),
                "keyword": list(dataset.keywords),
                # Never invented: a dataset with no recorded change yet has no `modified`.
                **({"modified": entry["modified"].isoformat()} if entry["modified"] else {}),
                "publisher": {"@type": "org:Organization", "name": settings.DATA_PUBLISHER},
                "contactPoint": contact,
                "accessLevel": "public",
                "license": entry["licence"],
                "spatial": bbox,
                "language": ["es-MX"],
                "landingPage": f"{page}#{dataset.slug}",
                "describedBy": f"{page}#diccionario-{dataset.slug}",
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
