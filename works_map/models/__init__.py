"""The models of works_map, one module per domain: catalogues, works, FAIS rules, people."""

from works_map.models.areas import PublicArea
from works_map.models.catalogues import Agency, Category, FundingSource, GovernmentLevel
from works_map.models.fais import FaisFund, FaisRule, ZapUrbanaMinimum
from works_map.models.people import Committee, UserScope
from works_map.models.works import (
    OC4IDS_STATUS,
    ProgressReport,
    Work,
    WorkAgency,
    WorkFunding,
    WorkQuerySet,
    WorkStatus,
    WorkZone,
)

__all__ = [
    "OC4IDS_STATUS",
    "Agency",
    "Category",
    "Committee",
    "FaisFund",
    "FaisRule",
    "FundingSource",
    "GovernmentLevel",
    "ProgressReport",
    "PublicArea",
    "UserScope",
    "Work",
    "WorkAgency",
    "WorkFunding",
    "WorkQuerySet",
    "WorkStatus",
    "WorkZone",
    "ZapUrbanaMinimum",
]
