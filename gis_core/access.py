"""Roles, scopes and the registry of access gates: the part of "who may do what" that knows no model.

Roles are Django groups (created by planning's data migration): analyst, planner, supervisor,
administrator; moderator (participation's migration) moderates citizen reports in its scope.
Superusers count as administrators. Anonymous citizens see published objects.

Each domain app keeps the gate for its own objects next to its models (works_map.access for works
and progress reports, priority_zones.access for zones and households) and registers it here from
its AppConfig.ready, so that generic code (the planner's pages, templates) can ask `may(user,
action, obj)` of any object without importing the app. The standard rule for objects with a place
(`standard_decision`) is written once here:

- view: published objects: everyone; drafts: any role.
- create / change: planners and supervisors inside their scope; administrators anywhere.
- delete: supervisors inside their scope; planners only drafts inside their scope; administrators.
- import: planners, supervisors, administrators (each row is then checked against the scope).

A user's scope (municipios, plus an agency) is stored by the app that owns the agencies
(works_map.UserScope) and read here through the loader it registers. No scope: nothing writable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

ANALYST = "analyst"
PLANNER = "planner"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
MODERATOR = "moderator"
ROLES = (ANALYST, PLANNER, SUPERVISOR, ADMINISTRATOR, MODERATOR)


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    RECORD_PROGRESS = "record_progress"
    APPROVE = "approve"
    IMPORT = "import"


@dataclass(frozen=True)
class Scope:
    """Where a user may act. `assigned` is False when the user has no scope record at all.

    As stored, `municipio_ids` are the municipios listed for the user; the write scope
    (`scope_of`) adds the municipio of a municipal agency."""

    everywhere: bool = False
    municipio_ids: frozenset[int] = frozenset()
    agency_id: int | None = None
    agency_municipio_id: int | None = None
    assigned: bool = False


# --- roles -------------------------------------------------------------------------------------


def roles(user) -> frozenset[str]:
    """The user's roles, read once per request object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_territorio_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached |= {ADMINISTRATOR}
        user._territorio_roles = cached
    return cached


def has_role(user) -> bool:
    return bool(roles(user))


def may_write(user) -> bool:
    """Whether the user's role writes anything at all (each object is then checked for scope)."""
    return bool(roles(user) & {PLANNER, SUPERVISOR, ADMINISTRATOR})


def is_administrator(user) -> bool:
    return ADMINISTRATOR in roles(user)


# --- scopes ------------------------------------------------------------------------------------

ScopeLoader = Callable[[Any], Scope]
_scope_loader: ScopeLoader | None = None


def register_scope_loader(loader: ScopeLoader) -> None:
    """Set how a user's stored scope is read (the app that stores scopes calls this once)."""
    global _scope_loader
    _scope_loader = loader


def assigned_scope(user) -> Scope:
    """The scope stored for the user, whatever their role (Scope() when none is stored)."""
    if not getattr(user, "is_authenticated", False) or _scope_loader is None:
        return Scope()
    cached = getattr(user, "_territorio_assigned_scope", None)
    if cached is None:
        cached = _scope_loader(user)
        user._territorio_assigned_scope = cached
    return cached


def scope_of(user) -> Scope:
    """Where the user may write: everywhere for administrators, the stored scope for planners and
    supervisors, nowhere for anyone else."""
    if is_administrator(user):
        return Scope(everywhere=True, assigned=True)
    if not roles(user) & {PLANNER, SUPERVISOR}:
        return Scope()
    stored = assigned_scope(user)
    if stored.agency_municipio_id is None:
        return stored
    return replace(stored, municipio_ids=stored.municipio_ids | {stored.agency_municipio_id})


# --- gates -------------------------------------------------------------------------------------

Gate = Callable[[Any, Action, Any], bool]
_gates: dict[type, Gate] = {}


def register_gate(model: type, gate: Gate) -> None:
    """The one gate for objects of `model` (an app registers its own from AppConfig.ready)."""
    _gates[model] = gate


def standard_decision(user, action: Action, *, draft: bool, in_scope: Callable[[], bool]) -> bool:
    """The rule for objects that stand somewhere and may be drafts (see the module docstring).

    Recording progress and approving are refused to everyone but administrators here: a gate
    whose objects have them decides them before calling this."""
    mine = roles(user)
    if action is Action.VIEW:
        return not draft or bool(mine)
    if action is Action.IMPORT:
        return may_write(user)
    if ADMINISTRATOR in mine:
        return True
    if not mine & {PLANNER, SUPERVISOR} or action in (Action.RECORD_PROGRESS, Action.APPROVE):
        return False
    if action is Action.DELETE and SUPERVISOR not in mine and not draft:
        return False
    return in_scope()


def may(user, action: Action | str, obj: Any = None) -> bool:
    """May `user` do `action` on `obj` (None for imports)? Asks the gate of the object's type."""
    action = Action(action)
    if obj is None:
        return action is Action.IMPORT and may_write(user)
    for model in type(obj).__mro__:
        gate = _gates.get(model)
        if gate is not None:
            return gate(user, action, obj)
    raise TypeError(f"no access gate for {type(obj).__name__}")


def require(user, action: Action | str, obj: Any = None) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(_("No tiene permiso para esta operación sobre este objeto."))


def require_in_place(
    acting_user, action: Action | str, obj: Any, refusal: Callable[[Any], str], *, as_stored: bool = False
) -> None:
    """What the write actions ask, once of an object as stored and once of it as it will be: may the
    acting user do `action` on it there? None acts for the system (a command, a migration): unchecked.
    `refusal` words the PermissionDenied for the object checked.

    Asked of both states because a gate only sees the state it is given: checking the stored object
    alone lets a write move it out of the user's scope (a revert, an import matched by key), and
    checking the new state alone lets a user take over an object from someone else's scope."""
    if acting_user is None:
        return
    if as_stored:
        # Read again: the caller's instance may already carry a form's changes (ModelForm, admin).
        obj = type(obj)._default_manager.get(pk=obj.pk)
    if not may(acting_user, action, obj):
        raise PermissionDenied(refusal(obj))
