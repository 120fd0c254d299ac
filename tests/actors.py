"""The named actors of the whole suite: who signs in, with which role and where (no factory library).

Loaded for every test by `pytest_plugins` in tests/conftest.py. Roles are the groups of
gis_core.access (analyst, planner, supervisor, administrator); a scope is a works_map.UserScope.
Every actor has its own username, so any two of them can meet in one test.
"""

from __future__ import annotations

import pytest

PASSWORD = "una-clave-larga-123"  # noqa: S105  (test accounts only)


def staff(django_user_model, username: str, role: str | None, municipios=(), agency=None):
    """A user with `role` (a group name, or None) and a scope of `municipios` and/or `agency`."""
    from django.contrib.auth.models import Group

    from works_map.models import UserScope

    user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if role:
        # get_or_create: a transactional test (browser) flushes the groups the migration made.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if municipios or agency:
        scope = UserScope.objects.create(user=user, agency=agency)
        scope.municipios.set(municipios)
    return user


def with_household_permission(user):
    """`user` plus the permission to see household data (still bounded by the user's scope)."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_household_data"))
    return user


# --- the administrator -------------------------------------------------------------------------------


@pytest.fixture
def admin_user(db, django_user_model):
    """The one administrator: a superuser who is also in the "administrator" group, so it passes both
    Django's superuser checks and the role checks (each path alone: tests/gis_core/test_roles.py)."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="administrator")[0])
    return user


# --- staff with a role (the planning office) ---------------------------------------------------------


@pytest.fixture
def analyst(db, django_user_model, leon):
    """An analyst: reads drafts everywhere, writes nothing (a scope does not change that)."""
    return staff(django_user_model, "analista", "analyst", [leon])


@pytest.fixture
def planner_leon(db, django_user_model, leon):
    """A planner of León's municipal planning office: writes only inside León."""
    return staff(django_user_model, "planeador_leon", "planner", [leon])


@pytest.fixture
def supervisor_leon(db, django_user_model, leon):
    """León's supervisor: approves progress and deletes published objects, only inside León."""
    return staff(django_user_model, "supervisor_leon", "supervisor", [leon])


@pytest.fixture
def planner_sop(db, django_user_model, sop):
    """A planner of the state's SOP: scoped by agency, no municipio of its own."""
    return staff(django_user_model, "planeador_sop", "planner", agency=sop)


@pytest.fixture
def planner_without_scope(db, django_user_model):
    """A planner nobody has given a scope yet: writes nothing."""
    return staff(django_user_model, "planeador_sin_ambito", "planner")


# --- household data: a permission and a scope, no role -----------------------------------------------


@pytest.fixture
def analyst_xichu(db, django_user_model, xichu):
    """A SENCO analyst allowed to see household data, scoped to Xichú only (no role group)."""
    from works_map.models import UserScope

    user = with_household_permission(
        django_user_model.objects.create_user("analista_xichu", "a@example.org", PASSWORD)
    )
    UserScope.objects.create(user=user, note="SENCO Xichú").municipios.add(xichu)
    return user


@pytest.fixture
def planner_xichu(db, django_user_model, xichu):
    """Someone allowed to see household data in Xichú only (the permission, not the planner group)."""
    from works_map.models import UserScope

    user = with_household_permission(
        django_user_model.objects.create_user("planner", "p@example.org", PASSWORD)
    )
    UserScope.objects.create(user=user).municipios.add(xichu)
    return user


@pytest.fixture
def staff_without_scope(db, django_user_model):
    """Staff who holds the household permission but no scope: still sees nothing."""
    return with_household_permission(
        django_user_model.objects.create_user("sinambito", "s@example.org", PASSWORD, is_staff=True)
    )


# --- accounts with no role ---------------------------------------------------------------------------


@pytest.fixture
def nobody(db, django_user_model):
    """A logged-in account with no role (e.g. a citizen who registered somewhere else): the permission
    matrix's "nobody" row. The same kind of account as `citizen`."""
    return staff(django_user_model, "sin_papel", None)


@pytest.fixture
def citizen(db, django_user_model):
    """A signed-up citizen with no special permission (the household tests' outsider)."""
    return django_user_model.objects.create_user("ciudadana", "c@example.org", PASSWORD)


# --- moderators of citizen reports (participation) ---------------------------------------------------


@pytest.fixture
def moderator_leon(db, django_user_model, leon):
    """León's moderator of citizen reports: moderates reports on works in León only."""
    return staff(django_user_model, "moderador_leon", "moderator", [leon])


@pytest.fixture
def moderator_sop(db, django_user_model, sop):
    """SOP's moderator: reports on the works SOP takes part in, wherever they are."""
    return staff(django_user_model, "moderador_sop", "moderator", agency=sop)
