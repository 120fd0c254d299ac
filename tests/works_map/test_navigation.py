"""The header shows staff the way into the workspace and everyone a way to sign in or out."""

import pytest
from django.contrib.auth.models import Group


@pytest.fixture
def planner(db, django_user_model):
    """A planner: sees the Planeación link."""
    user = django_user_model.objects.create_user("planificadora", password="una-clave-larga-123")
    # get_or_create: transactional tests elsewhere flush the groups the data migration made.
    user.groups.add(Group.objects.get_or_create(name="planner")[0])
    return user


def test_anonymous_visitors_see_a_sign_in_link_and_no_workspace(client, db):
    html = client.get("/").content.decode()
    assert 'href="/cuenta/entrar/?next=/"' in html
    assert "/planeacion/" not in html


def test_a_planner_sees_the_workspace_link_and_signs_out_with_a_post(client, planner):
    client.force_login(planner)
    html = client.get("/").content.decode()
    assert 'href="/planeacion/"' in html
    assert 'action="/cuenta/salir/"' in html and 'method="post"' in html


def test_a_signed_in_citizen_without_role_sees_no_workspace_link(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("vecina", password="una-clave-larga-123"))
    html = client.get("/").content.decode()
    assert "/planeacion/" not in html and 'action="/cuenta/salir/"' in html
