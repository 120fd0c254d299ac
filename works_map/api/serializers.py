"""API representations. Geometry goes out as GeoJSON in lon/lat (RFC 7946)."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from priority_zones.models import Municipio, Zone
from works_map.exports import WORK_PROPERTIES
from works_map.models import Agency, Category, FundingSource, Work, WorkAgency, WorkFunding


class WorkSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    municipio: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="cvegeo", read_only=True
    )
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()

    class Meta:
        model = Work
        fields = [
            "id",
            "folio",
            "fiscal_year",
            "kind",
            "name",
            "status",
            "category",
            "municipio",
            "amount_approved",
            "amount_exercised",
            "physical_progress",
            "lon",
            "lat",
        ]

    def get_lon(self, work: Work) -> float | None:
        return work.point.x if work.point else None

    def get_lat(self, work: Work) -> float | None:
        return work.point.y if work.point else None


class NearbyWorkSerializer(WorkSerializer):
    distance_m = serializers.SerializerMethodField()

    class Meta(WorkSerializer.Meta):
        fields = [*WorkSerializer.Meta.fields, "distance_m"]

    def get_distance_m(self, work: Work) -> float:
        return round(work.distance, 2)  # type: ignore[attr-defined]


class WorkAgencySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="agency.code")
    acronym = serializers.CharField(source="agency.acronym")

    class Meta:
        model = WorkAgency
        fields = ["code", "acronym", "role"]


class WorkFundingSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="source.code")
    is_fais = serializers.BooleanField(source="source.is_fais")

    class Meta:
        model = WorkFunding
        fields = ["code", "is_fais", "amount_approved", "amount_modified", "amount_exercised", "amount_paid"]


class WorkDetailSerializer(WorkSerializer):
    geometry = GeometryField(source="geom", precision=6)
    agencies = WorkAgencySerializer(source="agency_roles", many=True, read_only=True)
    funding = WorkFundingSerializer(many=True, read_only=True)
    oc4ids_status = serializers.CharField(read_only=True)

    class Meta(WorkSerializer.Meta):
        fields = [
            *WorkSerializer.Meta.fields,
            "description",
            "modality",
            "execution_mode",
            "address",
            "amount_modified",
            "amount_paid",
            "financial_progress",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "beneficiaries",
            "beneficiary_unit",
            "oc4ids_status",
            "agencies",
            "funding",
            "geometry",
        ]


class WorkFeatureSerializer(GeoFeatureModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    municipio: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="cvegeo", read_only=True
    )

    class Meta:
        model = Work
        geo_field = "geom"
        fields = list(WORK_PROPERTIES)  # the exports' properties too


class ZoneSerializer(serializers.ModelSerializer):
    # A drawn zone may span municipios and have no source document: both are nullable.
    municipio: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="cvegeo", read_only=True, allow_null=True
    )
    source = serializers.CharField(  # type: ignore[assignment]
        source="source.reference", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Zone
        fields = [
            "id",
            "kind",
            "fiscal_year",
            "cvegeo",
            "name",
            "municipio",
            "population",
            "source",
            "synthetic",
        ]


class ZoneDetailSerializer(ZoneSerializer):
    geometry = GeometryField(source="geom", precision=6)

    class Meta(ZoneSerializer.Meta):
        fields = [*ZoneSerializer.Meta.fields, "geometry"]


class MunicipioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipio
        fields = ["id", "cvegeo", "name", "population_2020", "frame_version"]


class MunicipioDetailSerializer(MunicipioSerializer):
    geometry = GeometryField(source="geom", precision=6)

    class Meta(MunicipioSerializer.Meta):
        fields = [*MunicipioSerializer.Meta.fields, "geometry"]


class CategorySerializer(serializers.ModelSerializer):
    # A top-level category has no parent.
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[assignment,var-annotated]

    class Meta:
        model = Category
        fields = ["id", "code", "name", "level", "parent", "fais_incidence", "carencia"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "acronym", "name", "level", "kind", "valid_from", "valid_to"]


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "conac_code", "name", "level", "earmarked", "ramo", "fund", "is_fais"]
