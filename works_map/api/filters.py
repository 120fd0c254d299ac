"""The work filters (works_map.filters) as a django-filter FilterSet, for the list, GeoJSON, export and
summary endpoints: one filter per parameter of the spec, nothing restated here."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from works_map.filters import WORK_PARAMS, WorkParam
from works_map.models import Work


class _SpecField(forms.CharField):
    """Cleans a raw value through its parameter's parser, so a bad value is a form error keyed by
    the parameter (and DRF's 400 names it)."""

    def __init__(self, *, param: WorkParam, **kwargs: Any) -> None:
        self.param = param
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        raw = super().clean(value)
        if raw in (None, ""):
            return None
        try:
            return self.param.clean(raw)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict[self.param.name]) from None


class SpecFilter(django_filters.CharFilter):
    """A raw string in the query (OpenAPI: a string), parsed and applied by its parameter."""

    field_class = _SpecField

    def __init__(self, param: WorkParam) -> None:
        self.param = param
        super().__init__(field_name=param.name, help_text=param.help_text, param=param)

    def filter(self, qs, value):
        return qs if value is None else self.param.apply(qs, value)


class WorkFilter(django_filters.FilterSet):
    """Published works narrowed by the work filters of works_map.filters."""

    class Meta:
        model = Work
        fields: list[str] = []


# One filter per parameter of the spec, in its order (the OpenAPI document lists them so).
WorkFilter.base_filters.update({name: SpecFilter(param) for name, param in WORK_PARAMS.items()})
