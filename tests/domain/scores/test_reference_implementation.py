"""The vectorised scores agree with a plain per-patient calculator (if/else, the way an online
calculator scores one patient) on random timepoints with random unknowns and censored values.

The calculator here knows nothing of bounds algebra: a censored value (`<2000`) is tried at probe
values inside what it allows (its ends, and each cut-off inside it and a hair either side), and an
answer is known only when every probe gives it."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.domain.scores import hlh2004, hscore
from tests.domain.scores.frames import build_matrix, values

HAIR = 1e-4  # every value and cut-off below is a multiple of 0.01, so ± 1e-4 falls strictly between them
# every cut-off of the HScore and HLH-2004 on each field (clinical-criteria.md)
CUTS = {"temp": (38.4, 39.4, 38.5), "hb": (92.0, 90.0), "wbc": (5.0,), "plt": (110.0, 100.0), "anc": (1.0,),
        "fer": (2000.0, 6000.0, 500.0), "tg": (1.5, 4.0, 3.0), "fib": (2.5, 1.5), "ast": (30.0,)}


def probes(v, key: str) -> list[float] | None:
    """Values the written `v` allows, enough to see every band: None when unknown."""
    if v is None:
        return None
    if not isinstance(v, str):
        return [v]
    op, bound = v.rstrip("0123456789."), float(v.lstrip("<>="))
    low, high = (0.0, bound) if op.startswith("<") else (bound, 1e9)
    inside = [c + d for c in CUTS[key] for d in (-HAIR, 0.0, HAIR) if low < c + d < high]
    ends = [low if op != ">" else low + HAIR, high if op != "<" else high - HAIR]
    return ends + inside


def decided(answers: set) -> bool | None:
    return answers.pop() if len(answers) == 1 else None


def hscore_one(p: dict) -> tuple[int, int]:
    """(min, max) of the HScore for one patient, trying every value the unknown and censored inputs allow."""

    def band(key, cuts):
        """The set of points the field's probes give, or None when unknown."""
        allowed = probes(p[key], key)
        if allowed is None:
            return None
        return {next((points for test, points in cuts if test(x)), 0) for x in allowed}

    def lineage(key, test):
        allowed = probes(p[key], key)
        return [True, False] if allowed is None else sorted({test(x) for x in allowed})

    totals = []
    options = {k: ([p[k]] if p[k] is not None else [0, 1]) for k in ("imm", "hep", "spl", "hemo")}
    lineages = [lineage("hb", lambda x: x <= 92), lineage("wbc", lambda x: x <= 5.0),
                lineage("plt", lambda x: x <= 110)]
    ranged = [
        (band("temp", [(lambda t: t > 39.4, 49), (lambda t: t >= 38.4, 33)]), (0, 49)),
        (band("fer", [(lambda f: f > 6000, 50), (lambda f: f >= 2000, 35)]), (0, 50)),
        (band("tg", [(lambda t: t > 4, 64), (lambda t: t >= 1.5, 44)]), (0, 64)),
        (band("fib", [(lambda f: f <= 2.5, 30)]), (0, 30)),
        (band("ast", [(lambda a: a >= 30, 19)]), (0, 19)),
    ]
    for imm, hep, spl, hemo in itertools.product(*options.values()):
        for lows in itertools.product(*lineages):
            fixed = [18 if imm else 0, {0: 0, 1: 23, 2: 38}[hep + spl], {0: 0, 1: 0, 2: 24, 3: 34}[sum(lows)],
                     35 if hemo else 0]
            low = sum(fixed) + sum(min(v) if v is not None else r[0] for v, r in ranged)
            high = sum(fixed) + sum(max(v) if v is not None else r[1] for v, r in ranged)
            totals += [low, high]
    return min(totals), max(totals)


def hlh_one(p: dict) -> tuple[int, int]:
    """(met, unknown) of HLH-2004 for one patient."""

    def possible(key, test) -> list[bool]:
        allowed = probes(p[key], key)
        return [True, False] if allowed is None else sorted({test(x) for x in allowed})

    lows = [possible("hb", lambda x: x < 90), possible("plt", lambda x: x < 100), possible("anc", lambda x: x < 1.0)]
    cyto = decided({sum(c) >= 2 for c in itertools.product(*lows)})
    tgfib = decided({tg or fib for tg in possible("tg", lambda x: x >= 3.0)
                     for fib in possible("fib", lambda x: x <= 1.5)})
    crit = [
        decided(set(possible("temp", lambda x: x >= 38.5))),
        None if p["spl"] is None else bool(p["spl"]),
        cyto, tgfib,
        None if p["hemo"] is None else bool(p["hemo"]),
        None,  # NK activity: not generated
        decided(set(possible("fer", lambda x: x >= 500))),
        None,  # sCD25: not generated
    ]
    return crit.count(True), crit.count(None)


def reading(choices: list[float]):
    """A field as a table prints it: unknown, exact, or censored at one of the values."""
    exact = st.sampled_from(choices)
    censored = st.builds(lambda op, v: f"{op}{v}", st.sampled_from(["<", "<=", ">", ">="]), exact)
    return st.one_of(st.none(), exact, censored)


def yes_no():
    return st.one_of(st.none(), st.sampled_from([0, 1]))


patient = st.fixed_dictionaries({
    "imm": yes_no(), "hep": yes_no(), "spl": yes_no(), "hemo": yes_no(),
    "temp": reading([36.5, 38.39, 38.4, 38.5, 39.4, 39.41, 40.0]),
    "hb": reading([70.0, 89.9, 90.0, 92.0, 92.1, 130.0]),
    "wbc": reading([0.5, 5.0, 5.01, 9.0]),
    "plt": reading([20.0, 99.9, 100.0, 110.0, 110.1, 300.0]),
    "anc": reading([0.5, 0.99, 1.0, 4.0]),
    "fer": reading([300.0, 499.9, 500.0, 1999.9, 2000.0, 6000.0, 6000.1]),
    "tg": reading([1.0, 1.49, 1.5, 2.99, 3.0, 4.0, 4.01]),
    "fib": reading([1.0, 1.5, 1.51, 2.5, 2.51, 4.0]),
    "ast": reading([20.0, 29.9, 30.0, 80.0]),
})


def to_matrix(patients: list[dict]):
    def col(key):
        return [p[key] for p in patients]

    def finding(key):
        return [np.nan if p[key] is None else p[key] for p in patients]

    return build_matrix(
        immunosuppression=finding("imm"), hepatomegaly=finding("hep"), splenomegaly=finding("spl"),
        hemophagocytosis=finding("hemo"), temperature_c=col("temp"), hemoglobin_g_per_l=col("hb"),
        wbc_1e9_per_l=col("wbc"), platelets_1e9_per_l=col("plt"), neutrophils_1e9_per_l=col("anc"),
        ferritin_ng_per_ml=col("fer"), triglycerides_mmol_per_l=col("tg"), fibrinogen_g_per_l=col("fib"),
        ast_u_per_l=col("ast"),
    )


@settings(max_examples=80, deadline=None)
@given(st.lists(patient, min_size=1, max_size=20))
def test_vectorised_hscore_range_matches_the_calculator(patients):
    out = hscore.score(to_matrix(patients))
    expected = [hscore_one(p) for p in patients]
    assert list(zip(values(out["hscore.min"]), values(out["hscore.max"]))) == expected
    for points, (low, high) in zip(values(out["hscore.points"]), expected):
        assert points == low or (points is None and (low, high) == (0, 337))  # points: the guaranteed minimum


@settings(max_examples=80, deadline=None)
@given(st.lists(patient, min_size=1, max_size=20))
def test_vectorised_hlh2004_matches_the_calculator(patients):
    out = hlh2004.score(to_matrix(patients))
    got = list(zip(values(out["hlh2004.met"]), values(out["hlh2004.unknown"])))
    assert got == [hlh_one(p) for p in patients]
    assert np.all(np.asarray(values(out["hlh2004.unknown"])) >= 2)  # NK and sCD25 never generated
