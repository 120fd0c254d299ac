"""Bulk publish and unpublish: the workspace list (confirmation with the count, then the write) and the
admin's actions, both through works_map.actions.do_set_published: the work gate per work, one version
per work changed, the works layers bumped once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.places import make_work

LEON_POINT, XICHU_POINT = (-101.65, 21.15), (-100.05, 21.3)


@pytest.fixture
def drafts(db, leon, xichu, water_category):
    """Two drafts in León (the planner's scope) and one in Xichú (outside it)."""
    return {
        "leon_a": make_work(leon, water_category, folio="BULK-LEON-A", published=False, point=LEON_POINT),
        "leon_b": make_work(leon, water_category, folio="BULK-LEON-B", published=False, point=LEON_POINT),
        "xichu": make_work(xichu, water_category, folio="BULK-XICHU", published=False, point=XICHU_POINT),
    }


def versions_of(work) -> int:
    from gis_core.models import Version

    return Version.objects.filter(model="works_map.work", object_id=work.pk).count()


def published(*works) -> list[bool]:
    from works_map.models import Work

    return [Work.objects.get(pk=w.pk).published for w in works]


def test_the_workspace_lists_works_with_checkboxes_and_an_action_bar(client, planner_leon, drafts):
    client.force_login(planner_leon)
    text = client.get(reverse("planning:workspace")).content.decode()
    assert f'name="ids" value="{drafts["leon_a"].pk}"' in text
    assert f'action="{reverse("planning:works-publish")}"' in text
    assert "Publicar las marcadas" in text and "Despublicar las marcadas" in text
    assert 'aria-label="Marcar BULK-LEON-A"' in text


def test_the_first_post_asks_for_confirmation_with_the_count_and_changes_nothing(
    client, planner_leon, drafts
):
    client.force_login(planner_leon)
    ids = [w.pk for w in drafts.values()]
    response = client.post(reverse("planning:works-publish"), {"ids": ids, "published": "1"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "¿Publicar 2 obras?" in text and "Sí, publicar 2 obras" in text
    assert "1 obra queda fuera de su ámbito y no cambiará" in text and "BULK-XICHU" in text
    assert published(*drafts.values()) == [False, False, False]


def test_a_planner_publishes_only_the_works_in_scope_with_one_version_each(
    client, planner_leon, drafts, django_capture_on_commit_callbacks
):
    from gis_core.versions import layer_version

    client.force_login(planner_leon)
    before = {name: versions_of(w) for name, w in drafts.items()}
    tiles_before = layer_version("works")
    ids = [w.pk for w in drafts.values()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("planning:works-publish"), {"ids": ids, "published": "1", "confirm": "1"}
        )
    assert response.status_code == 302
    assert published(drafts["leon_a"], drafts["leon_b"], drafts["xichu"]) == [True, True, False]
    assert versions_of(drafts["leon_a"]) == before["leon_a"] + 1
    assert versions_of(drafts["leon_b"]) == before["leon_b"] + 1
    assert versions_of(drafts["xichu"]) == before["xichu"]
    assert layer_version("works") == tiles_before + 1  # one bump for the whole batch
    page = client.get(response["Location"]).content.decode()
    assert "2 obras publicadas." in page and "BULK-XICHU está fuera de su ámbito" in page


def test_unpublishing_skips_the_works_already_unpublished(client, planner_leon, drafts):
    from works_map.actions import do_update_work

    do_update_work(drafts["leon_a"], published=True)
    client.force_login(planner_leon)
    ids = [drafts["leon_a"].pk, drafts["leon_b"].pk]
    before = versions_of(drafts["leon_b"])
    confirm = client.post(reverse("planning:works-publish"), {"ids": ids, "published": "0"}).content.decode()
    assert "¿Despublicar 1 obra?" in confirm and "1 obra marcada ya estaba así." in confirm
    client.post(reverse("planning:works-publish"), {"ids": ids, "published": "0", "confirm": "1"})
    assert published(drafts["leon_a"], drafts["leon_b"]) == [False, False]
    assert versions_of(drafts["leon_b"]) == before


def test_a_role_that_may_not_publish_is_refused_and_nothing_changes(client, analyst, drafts):
    client.force_login(analyst)
    ids = [w.pk for w in drafts.values()]
    response = client.post(reverse("planning:works-publish"), {"ids": ids, "published": "1", "confirm": "1"})
    assert response.status_code == 403
    assert published(*drafts.values()) == [False, False, False]


def test_no_marked_work_is_a_clear_400(client, planner_leon, drafts):
    client.force_login(planner_leon)
    response = client.post(reverse("planning:works-publish"), {"published": "1"})
    assert response.status_code == 400 and "Marque al menos una obra." in response.content.decode()
    bad = client.post(reverse("planning:works-publish"), {"ids": ["x"], "published": "2"})
    assert bad.status_code == 400


def test_the_admin_actions_publish_through_the_same_action(client, admin_user, drafts):
    client.force_login(admin_user)
    url = reverse("admin:works_map_work_changelist")
    ids = [drafts["leon_a"].pk, drafts["xichu"].pk]
    before = versions_of(drafts["xichu"])
    response = client.post(url, {"action": "publish_works", "_selected_action": ids}, follow=True)
    assert "2 obras publicadas." in response.content.decode()
    assert published(drafts["leon_a"], drafts["leon_b"], drafts["xichu"]) == [True, False, True]
    assert versions_of(drafts["xichu"]) == before + 1
    client.post(url, {"action": "unpublish_works", "_selected_action": ids})
    assert published(drafts["leon_a"], drafts["xichu"]) == [False, False]


def test_an_admin_action_by_a_staff_planner_changes_only_the_works_in_scope(client, planner_leon, drafts):
    from django.contrib.auth.models import Permission

    planner_leon.is_staff = True
    planner_leon.save()
    planner_leon.user_permissions.add(*Permission.objects.filter(codename__in=["view_work", "change_work"]))
    client.force_login(planner_leon)
    ids = [drafts["leon_a"].pk, drafts["xichu"].pk]
    response = client.post(
        reverse("admin:works_map_work_changelist"),
        {"action": "publish_works", "_selected_action": ids},
        follow=True,
    )
    text = response.content.decode()
    assert "1 obra publicada." in text and "BULK-XICHU está fuera de su ámbito" in text
    assert published(drafts["leon_a"], drafts["xichu"]) == [True, False]
