"""A work's inline rows (funding, agencies, progress reports) read from a formset as the work actions
take them: one reading for the planner's work form and the admin's inlines."""

from __future__ import annotations

from works_map.actions import FUNDING_AMOUNTS


def kept_rows(formset, *, new_only: bool = False) -> list[dict]:
    """The cleaned rows a formset keeps: none marked for deletion, a new row only if it was filled
    in (an untouched extra row is no row); with `new_only`, the new rows alone."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and (form.has_changed() if form.instance.pk is None else not new_only)
    ]


def funding_rows(formset) -> list[tuple]:
    """(source, amounts) per kept row, as do_create_work/do_update_work take `funding`."""
    return [(row["source"], {name: row[name] for name in FUNDING_AMOUNTS}) for row in kept_rows(formset)]


def agency_rows(formset) -> list[tuple]:
    """(agency, role) per kept row, as do_create_work/do_update_work take `agencies`."""
    return [(row["agency"], row["role"]) for row in kept_rows(formset)]
