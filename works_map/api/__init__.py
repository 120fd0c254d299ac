"""The public REST API under /api/ (DRF + drf-gis + django-filter, OpenAPI by drf-spectacular)."""
