"""Who may do what with the budget: every loaded year is public; only an administrator loads or
replaces one (the budget is the whole state's, no municipal scope applies)."""

from __future__ import annotations

from gis_core import access


def may_load_budget(user) -> bool:
    return access.is_administrator(user)
