"""The budget in the REST API: expenditure lines, income lines and transfers, filtered by every
classification (documented in the OpenAPI schema at /api/schema/), paginated by id cursor."""

from __future__ import annotations

import django_filters
from django.urls import path
from rest_framework import generics, serializers

from budget.models import ExpenseLine, IncomeLine, Transfer
from works_map.api.base import IdCursorPagination, ProblemMixin


class ExpenseLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpenseLine
        fields = [f.name for f in ExpenseLine._meta.concrete_fields]


class IncomeLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomeLine
        fields = [f.name for f in IncomeLine._meta.concrete_fields]


class TransferSerializer(serializers.ModelSerializer):
    municipio = serializers.CharField(source="municipio.cvegeo", help_text="CVEGEO del municipio")
    municipio_name = serializers.CharField(source="municipio.name")

    class Meta:
        model = Transfer
        fields = ["id", "fiscal_year", "municipio", "municipio_name", "fund", "amount"]


def _exact(field: str, help_text: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name=field, help_text=help_text)


class ExpenseFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="fiscal_year", help_text="Ejercicio fiscal")
    quarter = django_filters.NumberFilter(field_name="quarter", help_text="Trimestre (1–4)")
    ramo = _exact("ramo", "Ramo (clasificación administrativa)")
    dependencia = _exact("dependencia", "Dependencia o unidad responsable")
    finalidad = _exact("finalidad", "Finalidad (clasificación funcional, 1 dígito)")
    funcion = _exact("funcion", "Función, p. ej. 2.2")
    subfuncion = _exact("subfuncion", "Subfunción, p. ej. 2.2.1")
    capitulo = _exact("capitulo", "Capítulo del objeto del gasto, p. ej. 6000")
    concepto = _exact("concepto", "Concepto, p. ej. 6100")
    partida = _exact("partida", "Partida genérica, p. ej. 6140")
    tipo_gasto = _exact("tipo_gasto", "Tipo de gasto (1 dígito)")
    fuente = _exact("fuente", "Fuente de financiamiento CONAC (2 dígitos)")
    programa = _exact("programa", "Programa presupuestario")

    class Meta:
        model = ExpenseLine
        fields: list[str] = []


class IncomeFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="fiscal_year", help_text="Ejercicio fiscal")
    rubro = _exact("rubro", "Rubro del CRI (1 dígito)")
    tipo = _exact("tipo", "Tipo del CRI (2 dígitos)")

    class Meta:
        model = IncomeLine
        fields: list[str] = []


class TransferFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="fiscal_year", help_text="Ejercicio fiscal")
    municipio = _exact("municipio__cvegeo", "CVEGEO del municipio (5 dígitos)")
    fund = django_filters.ChoiceFilter(field_name="fund", choices=Transfer._meta.get_field("fund").choices)

    class Meta:
        model = Transfer
        fields: list[str] = []


class ExpenseLineList(ProblemMixin, generics.ListAPIView):
    """Líneas del presupuesto de egresos (momentos acumulados al cierre del trimestre)."""

    queryset = ExpenseLine.objects.all()
    serializer_class = ExpenseLineSerializer
    filterset_class = ExpenseFilter
    pagination_class = IdCursorPagination


class IncomeLineList(ProblemMixin, generics.ListAPIView):
    """Líneas de ingresos por rubro y tipo del CRI."""

    queryset = IncomeLine.objects.all()
    serializer_class = IncomeLineSerializer
    filterset_class = IncomeFilter
    pagination_class = IdCursorPagination


class TransferList(ProblemMixin, generics.ListAPIView):
    """Transferencias federales a los municipios (FISMDF, FORTAMUN, participaciones)."""

    queryset = Transfer.objects.select_related("municipio")
    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    pagination_class = IdCursorPagination


app_name = "budget-api"
urlpatterns = [
    path("lines", ExpenseLineList.as_view(), name="lines"),
    path("income", IncomeLineList.as_view(), name="income"),
    path("transfers", TransferList.as_view(), name="transfers"),
]
