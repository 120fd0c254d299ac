"""Who is an administrator: a superuser, or a member of the "administrator" group, each on its own.

The suite's one administrator (`admin_user`) is both, so every other test passes either way; these
keep each path covered by itself."""

from __future__ import annotations

from gis_core.access import is_administrator, scope_of
from tests.actors import staff


def test_a_superuser_outside_the_administrator_group_is_an_administrator_everywhere(db, django_user_model):
    root = django_user_model.objects.create_superuser("raiz", "raiz@example.org", "una-clave-larga-123")
    assert not root.groups.exists()
    assert is_administrator(root)
    assert scope_of(root).everywhere


def test_a_member_of_the_administrator_group_who_is_not_a_superuser_is_an_administrator_everywhere(
    db, django_user_model
):
    member = staff(django_user_model, "administradora", "administrator")
    assert not member.is_superuser
    assert is_administrator(member)
    assert scope_of(member).everywhere


def test_staff_without_the_group_is_not_an_administrator(db, django_user_model, planner_leon):
    desk = staff(django_user_model, "mostrador", None)
    desk.is_staff = True
    desk.save()
    for user in (desk, planner_leon):
        assert not is_administrator(user)
        assert not scope_of(user).everywhere


def test_the_suites_administrator_is_both(admin_user):
    assert admin_user.is_superuser and admin_user.groups.filter(name="administrator").exists()
    assert is_administrator(admin_user) and scope_of(admin_user).everywhere
