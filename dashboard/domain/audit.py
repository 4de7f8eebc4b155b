"""Stated vs computed: can the score a source states come from its own data, and if not, what would it take?

A case report may state "HScore 271" or "HLH-2004 5/8"; case.toml carries such values per timepoint label
(`[reported."Admission"] hscore = 271, hlh2004_met = 5`). This module checks them against what the data
allow, with no guessing:

- HScore: `possible` lists every total the data allow; `attainable` is true when some assignment of the
  unknown items (each within the points its data still allow) sums exactly to the stated value. `explanations` are the cheapest ways to reproduce it:
  filling an unknown item costs nothing; moving a known item one band (or yes <-> no) costs 1, two bands 2.
  Each is `{cost, changes: [{item, from, to}], fills: [{item, to}]}`; an explanation whose changes include
  all the changes of a cheaper one is left out (it adds nothing), cheapest first, at most 10.
- Counts (HLH-2004 criteria met): attainable when met <= reported <= met + unknown; otherwise the near
  misses say which values sit within 10 % of a cut-off on the side that would close the gap.

Pure: plain Python over the per-item point ranges and criteria the engine computes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.domain import criteria
from dashboard.domain.matrix import measures, timepoint_matrix
from dashboard.domain.scores import hscore, logic, score_matrix

STATED_KEYS = ("hscore", "hlh2004_met")  # what case.toml [reported."<label>"] may state
MAX_EXPLANATIONS = 10
NEAR_MISS_FRACTION = 0.10  # a value within 10 % of its cut-off could have been read or rounded either way


@dataclass(frozen=True)
class ItemState:
    """One score item at one timepoint: its possible points (`bands`, ascending) and the range the data
    allow (`lo` == `hi` when the item is known)."""

    item: str
    bands: tuple[int, ...]
    lo: int
    hi: int

    @property
    def known(self) -> bool:
        return self.lo == self.hi


@dataclass(frozen=True)
class _Option:
    points: int
    cost: int
    change: tuple[str, int | str, int] | None  # (item, from, to) when a known item moves ("23–38" if partly)
    fill: tuple[str, int] | None  # (item, to) when an unknown item is filled


def _options(state: ItemState) -> list[_Option]:
    """Every band an item can take, with what it costs to put it there."""
    allowed = [i for i, band in enumerate(state.bands) if state.lo <= band <= state.hi]
    if not allowed:
        raise ValueError(f"{state.item}: {state.lo}..{state.hi} matches none of the bands {state.bands}")
    options = []
    for index, band in enumerate(state.bands):
        cost = min(abs(index - a) for a in allowed)
        if state.known:
            change = None if cost == 0 else (state.item, state.lo, band)
            options.append(_Option(band, cost, change, None))
        elif cost == 0:
            options.append(_Option(band, 0, None, (state.item, band)))
        else:
            options.append(_Option(band, cost, (state.item, f"{state.lo}–{state.hi}", band), None))
    return options


def _explanation(combo: Sequence[_Option]) -> dict[str, Any]:
    return {
        "cost": sum(o.cost for o in combo),
        "changes": [{"item": c[0], "from": c[1], "to": c[2]} for o in combo if (c := o.change)],
        "fills": [{"item": f[0], "to": f[1]} for o in combo if (f := o.fill)],
    }


def _change_set(explanation: dict[str, Any]) -> frozenset[tuple]:
    return frozenset((c["item"], c["from"], c["to"]) for c in explanation["changes"])


def points_audit(reported: int, states: Sequence[ItemState], limit: int = MAX_EXPLANATIONS) -> dict[str, Any]:
    """`{reported, attainable, possible, explanations}` for a stated points total (see the module doc)."""
    found = [
        _explanation(combo)
        for combo in itertools.product(*(_options(s) for s in states))
        if sum(o.points for o in combo) == reported
    ]
    found.sort(key=lambda e: (e["cost"], len(e["changes"]), [c["item"] for c in e["changes"]],
                              [(f["item"], f["to"]) for f in e["fills"]]))
    kept: list[dict[str, Any]] = []
    for candidate in found:
        changes = _change_set(candidate)
        if any(_change_set(k) < changes for k in kept):
            continue  # a cheaper explanation already makes these changes and needs no more
        kept.append(candidate)
    attainable = bool(kept) and kept[0]["cost"] == 0
    return {"reported": reported, "attainable": attainable, "possible": possible_totals(states),
            "explanations": kept[:limit]}


def possible_totals(states: Sequence[ItemState]) -> list[int]:
    """Every total the data allow: the known items as they are, the unknown ones filled every way."""
    allowed = [[b for b in s.bands if s.lo <= b <= s.hi] for s in states]
    return sorted({sum(combo) for combo in itertools.product(*allowed)})


@dataclass(frozen=True)
class Reading:
    """A criterion's numeric input at one timepoint and the cut-off it is compared with (canonical unit)."""

    criterion: str
    label: str
    value: float
    unit: str
    op: str  # ">=", ">", "<=", "<"
    cutoff: float
    met: bool  # whether this comparison holds
    rule: str = ""  # the registry's words ("temperature ≥ 38.5 °C")


def near_misses(readings: Sequence[Reading], *, want_met: bool) -> list[dict[str, Any]]:
    """Comparisons within 10 % of their cut-off that, read the other way, would move a count towards
    the stated one: not-met readings when more criteria are needed (`want_met`), met ones otherwise."""
    out = []
    for r in readings:
        if r.met == want_met or r.cutoff == 0:
            continue
        if abs(r.value - r.cutoff) <= NEAR_MISS_FRACTION * abs(r.cutoff):
            out.append({"criterion": r.criterion, "label": r.label, "value": r.value, "unit": r.unit,
                        "op": r.op, "cutoff": r.cutoff, "rule": r.rule})
    return out


def count_audit(reported: int, met: int, unknown: int, readings: Sequence[Reading] = ()) -> dict[str, Any]:
    """`{reported, met, unknown, attainable, near_misses}` for a stated count of criteria met."""
    attainable = met <= reported <= met + unknown
    misses = [] if attainable else near_misses(readings, want_met=reported > met + unknown)
    return {"reported": reported, "met": met, "unknown": unknown, "attainable": attainable,
            "near_misses": misses}


def band_name(bands: Sequence[int], points: int) -> str:
    """"the lowest band", "the middle band", "the top band" (or "no"/"yes" for a two-band item)."""
    if len(bands) == 2:
        return "yes" if points == bands[1] else "no"
    index = list(bands).index(points)
    return "the lowest band" if index == 0 else "the top band" if index == len(bands) - 1 else "the middle band"


def stated(meta: Mapping[str, Any], label: str) -> dict[str, Any]:
    """What case.toml's `[reported."<label>"]` table states for one timepoint ({} when nothing)."""
    reported = meta.get("reported") or {}
    values = reported.get(label) if isinstance(reported, Mapping) else None
    return dict(values) if isinstance(values, Mapping) else {}


# ------------------------------------------------------------------------------ from the engine's tables
def hscore_bands() -> dict[str, tuple[int, ...]]:
    """The HScore's possible points per item, ascending, from the criteria registry (0 always possible)."""
    bands = {}
    for item in criteria.HSCORE_ITEMS:
        points = {0, *(c.points for c in criteria.rules("hscore", item) if c.points)}
        points |= {p for t in criteria.TALLIES if (t.score, t.item) == ("hscore", item) for p in t.points or ()}
        bands[item] = tuple(sorted(points))
    return bands


def hscore_states(matrix: pd.DataFrame) -> list[list[ItemState]]:
    """Per matrix row, the HScore items with the points range the data allow."""
    bands = hscore_bands()
    ranges = hscore.item_ranges(matrix)
    return [
        [ItemState(item, bands[item], int(lo[i]), int(hi[i])) for item, (lo, hi) in ranges.items()]
        for i in range(len(matrix))
    ]


def hlh2004_readings(matrix: pd.DataFrame, position: int) -> list[Reading]:
    """The exactly known numeric inputs of HLH-2004 at one matrix row, each with the cut-off it meets or
    not (in the unit the source prints first; the verdict is the engine's `logic.meets`)."""
    inputs = measures(matrix)
    out = []
    for item in criteria.HLH2004_CRITERIA:
        for rule in criteria.rules("hlh2004", item):
            if rule.op == "yes":
                continue
            m = inputs[rule.input]
            low, high = float(m.low[position]), float(m.high[position])
            met = float(logic.meets(rule, m)[position])
            if math.isnan(low) or low != high or math.isnan(met):
                continue  # unknown or censored: not a value that sits near its cut-off
            unit = rule.units[0]
            label = criteria.INPUTS[rule.input][0]
            value = round(low * criteria.factor(rule.input, unit), 6)
            out.append(Reading(item, label, value, unit, rule.op, rule.cut(unit), met == 1.0, rule.text))
    return out


def case_audits(observations: pd.DataFrame, meta: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """{(case_id, timepoint): audit} for every timepoint whose label case.toml states values for."""
    if not meta.get("reported"):
        return {}
    matrix = timepoint_matrix(observations)
    scores = score_matrix(matrix)
    states = hscore_states(matrix)
    audits: dict[tuple[str, str], dict[str, Any]] = {}
    for position, key in enumerate(matrix.index):
        values = stated(meta, key[1])
        if not values:
            continue
        audit: dict[str, Any] = {}
        if "hscore" in values:
            audit["hscore"] = points_audit(int(values["hscore"]), states[position])
        if "hlh2004_met" in values:
            row = scores.loc[key]
            audit["hlh2004_met"] = count_audit(
                int(values["hlh2004_met"]), int(row["hlh2004.met"]), int(row["hlh2004.unknown"]),
                hlh2004_readings(matrix, position),
            )
        audits[key] = audit
    return audits
