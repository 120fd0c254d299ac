"""The growth demo: clearly labelled synthetic children, centres and guidance, idempotent, with the
deliberately implausible values stored flagged and never counted."""

from __future__ import annotations

from django.core.management import call_command

from growth.models import Centre, Child, GrowthUnit, GuidanceText, Measurement
from tests.places import make_household, make_zone


def test_the_demo_is_synthetic_labelled_and_idempotent(xichu):
    zone = make_zone(xichu, name="Zona demo", published=True)
    zone.synthetic = True
    zone.save(update_fields=["synthetic"])  # a test fixture: the demo zones are synthetic
    x0, y0, _, _ = zone.geom.extent
    for i in range(60):
        make_household(xichu, x0 + 0.01 + (i % 6) * 1e-4, y0 + 0.01 + (i // 6) * 1e-4, synthetic=True)
    call_command("growth_demo", children=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    children = Child.objects.all()
    assert children.count() == 40
    assert all(c.synthetic and c.code.startswith("SINT-") and c.household_id for c in children)
    assert all(c.synthetic and "sintético" in c.name for c in Centre.objects.all())
    assert GuidanceText.objects.count() == 3
    assert Measurement.objects.filter(source="DEMO").count() >= 40
    flagged = Measurement.objects.exclude(flags=[])
    assert all(m.underweight is None or "wfa" not in m.flags for m in flagged)
    assert GrowthUnit.objects.exists()
    call_command("growth_demo", children=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Child.objects.count() == 40
