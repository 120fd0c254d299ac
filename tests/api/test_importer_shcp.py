"""The SHCP points importer refuses broken coordinates with a reason and never drops a row."""

from __future__ import annotations

import json


def test_it_accounts_for_every_row_of_the_shcp_file(shcp_import, shared_data):
    features = json.loads((shared_data / "opa_ppi_guanajuato_puntos_2015_2019_2021.geojson").read_text())
    assert shcp_import.total == len(features["features"]) == 119
    assert len(shcp_import.kept) == 115
    assert len(shcp_import.rejected) == 4


def test_it_names_the_reason_for_each_broken_point(shcp_import):
    reasons = sorted(r.reason for r in shcp_import.rejected)
    assert any("fuera de Guanajuato" in r for r in reasons)  # El Zapotillo, in Jalisco
    assert any("ejes invertido" in r for r in reasons)  # (-101.908, 21.12) published as (21.12, -101.908)
    assert any("signo" in r for r in reasons)  # (101, 20): the minus sign lost
    assert any("no están en grados" in r for r in reasons)  # (1012048, 204018)


def test_it_keeps_rows_without_amounts_with_a_warning(shcp_import):
    warned = [row for row in shcp_import.kept if row.warnings]
    assert warned, "rows with empty APROBADO are kept and flagged, not dropped"
    assert all(row.properties["APROBADO"] is None for row in warned)
