"""What the consultation pages show (read-only; the views stay short)."""

from __future__ import annotations

import json

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from consultations import business_days
from consultations.models import Answer, Consultation, Opinion


def listing() -> dict:
    now = timezone.now()
    rows = Consultation.objects.select_related("municipio").annotate(
        opinions_count=Count("opinions"),
    )
    return {
        "open": list(rows.open_on(now).filter(results_published_at__isnull=True).order_by("closes_on")),
        "upcoming": list(rows.upcoming_on(now).order_by("opens_on")),
        "past": list(
            rows.filter(
                Q(closes_on__lt=timezone.localdate(now)) | Q(results_published_at__isnull=False)
            ).order_by("-closes_on")[:100]
        ),
    }


def _subject_geometry(consultation: Consultation) -> dict | None:
    subject = consultation.zone or consultation.work
    geom = getattr(subject, "geom", None)
    return json.loads(geom.geojson) if geom is not None else None


def detail(consultation: Consultation) -> dict:
    published = consultation.opinions.filter(answer__isnull=False).select_related("answer")
    answers = consultation.answers.prefetch_related(
        Prefetch("opinions", queryset=Opinion.objects.order_by("created_at", "pk"))
    )
    points = [
        {"type": "Feature", "geometry": json.loads(o.point.geojson), "properties": {"n": o.pk}}
        for o in published
        if o.point is not None and not o.withheld_reason
    ]
    return {
        "consultation": consultation,
        "state": consultation.state,
        "received": consultation.opinions.count(),
        "answers": [a for a in answers if a.opinions.all()],
        "unanswered": consultation.opinions.filter(answer__isnull=True).count(),
        "skipped_holidays": business_days.holidays_between(consultation.opens_on, consultation.closes_on),
        "map_data": {
            "subject": _subject_geometry(consultation),
            "opinions": {"type": "FeatureCollection", "features": points},
        },
    }


def staff_detail(consultation: Consultation) -> dict:
    return {
        **detail(consultation),
        "pending": list(consultation.opinions.filter(answer__isnull=True).order_by("created_at", "pk")),
        "answered": Answer.objects.filter(consultation=consultation).count(),
    }
