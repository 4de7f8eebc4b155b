"""Treatment response, measured: an anchor (the first MAS/HLH treatment) and per-analyte response metrics.

Clinicians judge MAS treatment by how fast ferritin falls and platelets recover after a drug starts: a
ferritin fall under 50 % has been linked to much higher mortality in paediatric HLH (Lin TF et al.,
Pediatr Blood Cancer 2011), ferritin two weeks after induction predicts remission in adult HLH (Hua Z
et al., 2022), and experts rank platelets, ferritin and AST changes as most informative in MAS (Ravelli A
et al., RMD Open 2016).

- Anchor: the first event (by start day, then file order) whose drug class is an MAS/HLH treatment
  (`drugs.TREATMENT_CLASSES`: not antimicrobials, not "other", never a clinical event), or the first
  event of a class or drug the user names. Every day below is relative to it (anchor = day 0).
- Analytes that rise in MAS get a `peak`, those that fall a `nadir`: the extreme from the baseline on.
  `baseline` is the last value at or before the anchor, else the first value; `last` the last value.
- Response times are observed intervals, because published tables are sparse: `by` is the first observed
  day (from the peak/nadir on) on which the condition certainly holds, `after` the last observed day
  before it on which it certainly does not; `by` is null when never reached (`after` is then the last
  observation known not to meet it). A censored value (`<5000` against a threshold of 4780) is neither.
  Conditions: fall_50 (<= 50 % of the peak) and normal (<= upper reference limit) for rising analytes;
  recovery_100 (platelets >= 100 x 10^9/L) and normal (>= lower reference limit) for falling ones.
  The reference limit is the row's own range where the table gives one, else the catalogue's.
- Scores: HScore (points, min, max) and HLH-2004 (met, unknown, fulfilled) at the baseline and last
  timepoints, and the interval in which the whole HScore range (its max) first lies below 169.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.domain.drugs import TREATMENT_CLASSES, classify_events, find_class, match_drug
from dashboard.domain.flags import PER_SEX_UNKNOWN, default_ranges
from dashboard.domain.sex_ranges import own_limits

RISING: tuple[str, ...] = ("ferritin", "ast", "alt", "ldh", "triglycerides", "d_dimer", "crp", "scd25")
FALLING: tuple[str, ...] = ("platelets", "wbc", "neutrophils", "hemoglobin", "fibrinogen", "esr")
FALL_FRACTION = 0.5          # fall_50: at or below half the peak
PLATELET_RECOVERY = 100.0    # recovery_100: platelets >= 100 x 10^9/L
HSCORE_CUTOFF = 169          # Fardet 2014: sensitivity 93 %, specificity 86 %
CONDITIONS: dict[str, tuple[str, ...]] = {"rising": ("fall_50", "normal"), "falling": ("recovery_100", "normal")}
RESPONSE_COLUMNS = tuple(f"{c}_{end}" for c in ("fall_50", "recovery_100", "normal") for end in ("after", "by"))


@dataclass(frozen=True)
class Anchor:
    """The event every response day is counted from."""

    name: str | None
    drug_class: str | None
    study_day: float
    also_started: tuple[str, ...] = field(default_factory=tuple)  # other treatments started the same day
    note: str = ""

    def as_json(self) -> dict:
        out = {"name": self.name, "class": self.drug_class, "study_day": number(self.study_day), "day": 0}
        if self.also_started:
            out["also_started"] = list(self.also_started)
        if self.note:
            out["note"] = self.note
        return out


class AnchorNotFound(ValueError):
    """No event of a case matches the anchor the user asked for."""


def number(value: object, digits: int = 2) -> float | int | None:
    """JSON-ready number: None for missing, an int when whole, else rounded to `digits`."""
    if value is None or value is pd.NA:
        return None
    x = float(value)
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else round(x, digits)


# ---------------------------------------------------------------------------------------------- anchor
def anchor_mask(events: pd.DataFrame, anchor: str | None) -> np.ndarray:
    """Which classified events (classify_events output) can anchor: treatments, or what `anchor` names.

    `anchor` is a class ("glucocorticoid", "IL-1 blockade"), a catalogue drug or brand ("Solu-Medrol"),
    or else any part of an event name ("pulse").
    """
    cls = events["drug_class"].astype("string")
    if anchor is None:
        wanted = cls.isin(list(TREATMENT_CLASSES))
    elif (named_class := find_class(anchor)) is not None:
        wanted = cls == named_class
    elif (named_drug := match_drug(anchor)) is not None:
        wanted = events["drug_id"].astype("string") == named_drug.id
    else:
        names = events["name"].astype("string").str.casefold()
        wanted = names.str.contains(anchor.casefold(), regex=False) & cls.notna()
    usable = events["start_day"].notna().to_numpy(dtype=bool) & cls.notna().to_numpy(dtype=bool)
    return wanted.fillna(False).to_numpy(dtype=bool) & usable


def anchors(events: pd.DataFrame, anchor: str | None = None) -> dict[str, Anchor]:
    """case_id -> Anchor for every case with a matching event (events of many cases, classified or not)."""
    ev = events if "drug_class" in events else classify_events(events)
    ev = ev[anchor_mask(ev, anchor)]
    ev = pd.DataFrame({"case_id": ev["case_id"].astype(str).to_numpy(), "name": ev["name"].astype(str).to_numpy(),
                       "cls": ev["drug_class"].astype(str).to_numpy(),
                       "start": ev["start_day"].to_numpy(dtype="float64", na_value=np.nan), "pos": np.arange(len(ev))})
    ev = ev.sort_values(["case_id", "start", "pos"], kind="stable")
    first = ev.drop_duplicates("case_id", keep="first")
    first_start = ev["case_id"].map(first.set_index("case_id")["start"]).to_numpy()
    same_day = ev[(ev["start"].to_numpy() == first_start) & ~ev["pos"].isin(first["pos"]).to_numpy()]
    also = same_day.groupby("case_id")["name"].agg(lambda names: tuple(dict.fromkeys(names)))
    return {
        case_id: Anchor(name, cls, float(start), also.get(case_id, ()))
        for case_id, name, cls, start in zip(first["case_id"], first["name"], first["cls"], first["start"],
                                             strict=True)
    }


def _runs(*keys: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of equal keys in arrays already sorted by them."""
    if len(keys[0]) == 0:
        return []
    change = np.zeros(len(keys[0]), dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(change)
    return list(zip(starts.tolist(), [*starts[1:].tolist(), len(keys[0])], strict=True))


def case_anchor(events: pd.DataFrame, anchor: str | None = None) -> Anchor:
    """The anchor of one case. Without an MAS/HLH treatment the case's own day 0 is used, and said so;
    an anchor the user named that matches no event raises AnchorNotFound (naming the events there are)."""
    found = anchors(events, anchor)
    if found:
        return next(iter(found.values()))
    if anchor is not None:
        names = ", ".join(sorted(set(events["name"].dropna().astype(str)))) or "none"
        raise AnchorNotFound(f"no event matches the anchor {anchor!r} (the case's events: {names})")
    return Anchor(None, None, 0.0, note="no MAS/HLH treatment among the events: days are the case's own")


# --------------------------------------------------------------------------------------------- metrics
def condition(values: np.ndarray, qualifiers: np.ndarray, threshold: np.ndarray, at_most: bool) -> np.ndarray:
    """1 where `value <= threshold` (at_most) or `value >= threshold` certainly holds, 0 where it certainly
    does not, NaN where unknown (no threshold, or a censored value on the wrong side of it)."""
    below = qualifiers == "<"
    above = qualifiers == ">"
    if at_most:
        holds = np.where(above, np.where(values >= threshold, 0.0, np.nan),
                         np.where(values <= threshold, 1.0, np.where(below, np.nan, 0.0)))
    else:
        holds = np.where(below, np.where(values <= threshold, 0.0, np.nan),
                         np.where(values >= threshold, 1.0, np.where(above, np.nan, 0.0)))
    return np.where(np.isnan(threshold), np.nan, holds)


def interval(days: np.ndarray, holds: np.ndarray, start: int) -> tuple[float, float]:
    """(after, by) from index `start` on: by = first day certainly met, after = last day before it
    certainly not met (NaN when none); by NaN when never met."""
    met = np.flatnonzero(holds[start:] == 1.0)
    stop = start + int(met[0]) if len(met) else len(days)
    not_met = np.flatnonzero(holds[start:stop] == 0.0)
    after = float(days[start + int(not_met[-1])]) if len(not_met) else np.nan
    return after, (float(days[stop]) if len(met) else np.nan)


def analyte_metrics(analyte: str, days: np.ndarray, values: np.ndarray, qualifiers: np.ndarray,
                    limits: np.ndarray, sources: np.ndarray) -> dict:
    """Flat metrics of one analyte of one case: rows sorted by day, days relative to the anchor.

    `limits` is the upper (rising analytes) or lower (falling) reference limit of each row.
    """
    rising = analyte in RISING
    base = int(np.flatnonzero(days <= 0)[-1]) if (days <= 0).any() else 0
    tail = values[base:]
    extreme = base + int(np.argmax(tail) if rising else np.argmin(tail))
    peak = values[extreme]
    out = {
        "analyte": analyte, "direction": "rising" if rising else "falling",
        "extreme": "peak" if rising else "nadir",
        "baseline_day": days[base], "baseline_value": values[base],
        "extreme_day": days[extreme], "extreme_value": peak, "extreme_qualifier": qualifiers[extreme],
        "last_day": days[-1], "last_value": values[-1],
        "pct_change": (values[-1] - peak) / peak * 100.0 if peak != 0 else np.nan,
        "reference_limit": limits[-1], "reference_source": sources[-1],
    }
    out.update(dict.fromkeys(RESPONSE_COLUMNS, np.nan))
    if rising:
        half = np.full(len(values), FALL_FRACTION * peak)
        out["fall_50_after"], out["fall_50_by"] = interval(days, condition(values, qualifiers, half, True), extreme)
    elif analyte == "platelets":
        floor = np.full(len(values), PLATELET_RECOVERY)
        out["recovery_100_after"], out["recovery_100_by"] = interval(
            days, condition(values, qualifiers, floor, False), extreme)
    out["normal_after"], out["normal_by"] = interval(days, condition(values, qualifiers, limits, rising), extreme)
    return out


def _limits(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the upper (rising) or lower (falling) limit, the row's own else the catalogue's, and
    where it came from ("report", "catalogue", or None when neither gives one). A range printed per sex with
    the sex unknown gives the limit both sexes share, else none (never the catalogue's): PER_SEX_UNKNOWN."""
    rising = rows["analyte"].isin(list(RISING)).to_numpy(dtype=bool)
    own_low, own_high, by_sex = own_limits(rows)  # a range printed per sex, sex unknown: the limit both share
    own = np.where(rising, own_high, own_low)
    defaults = default_ranges().set_index("id")
    cat_high = rows["analyte"].map(defaults["ref_high"]).to_numpy(dtype="float64", na_value=np.nan)
    cat_low = rows["analyte"].map(defaults["ref_low"]).to_numpy(dtype="float64", na_value=np.nan)
    catalogue = np.where(rising, cat_high, cat_low)
    limit = np.where(np.isnan(own) & ~by_sex, catalogue, own)
    source = np.where(~np.isnan(own), "report", np.where(by_sex, PER_SEX_UNKNOWN,
                                                         np.where(np.isnan(catalogue), None, "catalogue")))
    return limit, source


SCORE_VALUES = ("hscore.points", "hscore.min", "hscore.max", "hlh2004.met", "hlh2004.unknown")


def score_metrics(scores: pd.DataFrame, anchor_days: dict[str, float]) -> pd.DataFrame:
    """Per case (index case_id): HScore and HLH-2004 at its baseline and last timepoints (days relative
    to its anchor, else its own day 0), and when the HScore max first lies below 169."""
    frame = scores.reset_index()
    frame = frame[frame["day"].notna()].sort_values(["case_id", "tp_order"], kind="stable")
    case_ids = frame["case_id"].astype(str).to_numpy()
    days = frame["day"].to_numpy(dtype="float64") - np.array([anchor_days.get(c, 0.0) for c in case_ids])
    values = {c: frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in SCORE_VALUES}
    fulfilled = frame["hlh2004.fulfilled"].astype(object).where(frame["hlh2004.fulfilled"].notna(), None).to_numpy()
    high = values["hscore.max"]
    below = np.where(np.isnan(high), np.nan, (high < HSCORE_CUTOFF).astype(float))
    out = {}
    for start, stop in _runs(case_ids):
        d = days[start:stop]
        base = start + (int(np.flatnonzero(d <= 0)[-1]) if (d <= 0).any() else 0)
        row: dict = {}
        for name, i in (("baseline", base), ("last", stop - 1)):
            row[f"hscore_{name}_day"] = days[i]
            for column in SCORE_VALUES:
                score, item = column.split(".")
                row[f"{score}_{name}_{item}"] = values[column][i]
            row[f"hlh2004_{name}_fulfilled"] = fulfilled[i]
        row["hscore_below_169_after"], row["hscore_below_169_by"] = interval(d, below[start:stop], base - start)
        out[case_ids[start]] = row
    return pd.DataFrame.from_dict(out, orient="index")


def response_table(observations: pd.DataFrame, events: pd.DataFrame, *, anchor: str | None = None,
                   scores: pd.DataFrame | None = None, analytes: tuple[str, ...] | None = None,
                   require_anchor: bool = False) -> pd.DataFrame:
    """One row per case x analyte: anchor, baseline, peak/nadir, last, % change, response intervals,
    scores. Cases without a matching anchor use their own day 0 (anchor_name null), or, with
    `require_anchor`, are left out. `scores` is score_observations output of the same observations."""
    wanted = [a for a in (analytes or RISING + FALLING) if a in RISING + FALLING]
    found = anchors(events, anchor) if len(events) else {}
    obs = observations[observations["analyte"].isin(wanted) & observations["value"].notna()
                       & observations["day"].notna()]
    if require_anchor:
        obs = obs[obs["case_id"].isin(list(found))]
    case_ids = obs["case_id"].astype(str).to_numpy()
    start = np.array([found[c].study_day if c in found else 0.0 for c in case_ids], dtype="float64")
    limit, source = _limits(obs)
    frame = pd.DataFrame({
        "case_id": case_ids, "analyte": obs["analyte"].astype(str).to_numpy(),
        "day": obs["day"].to_numpy(dtype="float64") - start, "value": obs["value"].to_numpy(dtype="float64"),
        "qualifier": obs["qualifier"].astype(object).where(obs["qualifier"].notna(), None).to_numpy(),
        "limit": limit, "source": source, "tp_order": obs["tp_order"].to_numpy(dtype="float64"),
    }).sort_values(["case_id", "analyte", "day", "tp_order"], kind="stable")
    cols = {c: frame[c].to_numpy() for c in ("case_id", "analyte", "day", "value", "qualifier", "limit", "source")}
    rows = [
        {"case_id": cols["case_id"][i], **analyte_metrics(
            cols["analyte"][i], cols["day"][i:j], cols["value"][i:j], cols["qualifier"][i:j], cols["limit"][i:j],
            cols["source"][i:j])}
        for i, j in _runs(cols["case_id"], cols["analyte"])
    ]
    table = pd.DataFrame(rows, columns=["case_id", *TABLE_COLUMNS])
    first = {a: i for i, a in enumerate(wanted)}
    table = table.assign(_o=table["analyte"].map(first)).sort_values(["case_id", "_o"], kind="stable")
    anchor_cols = {
        "anchor_name": [found[c].name if c in found else None for c in table["case_id"]],
        "anchor_class": [found[c].drug_class if c in found else None for c in table["case_id"]],
        "anchor_study_day": [found[c].study_day if c in found else 0.0 for c in table["case_id"]],
    }
    table = table.drop(columns="_o").assign(**anchor_cols)
    if scores is not None and len(table):
        table = table.join(score_metrics(scores, {c: a.study_day for c, a in found.items()}), on="case_id")
    return table.reset_index(drop=True)


TABLE_COLUMNS = (
    "analyte", "direction", "extreme", "baseline_day", "baseline_value", "extreme_day", "extreme_value",
    "extreme_qualifier", "last_day", "last_value", "pct_change", "reference_limit", "reference_source",
    *RESPONSE_COLUMNS,
)


# ------------------------------------------------------------------------------------------------ JSON
def _point(row: pd.Series, prefix: str) -> dict:
    return {"day": number(row[f"{prefix}_day"]), "value": number(row[f"{prefix}_value"], 4)}


def analyte_json(row: pd.Series) -> dict:
    """One analyte's metrics in the JSON contract of `casetrack response --json`."""
    extreme = row["extreme"]
    out = {"direction": row["direction"], "baseline": _point(row, "baseline"), extreme: _point(row, "extreme")}
    if isinstance(row["extreme_qualifier"], str):
        out[extreme]["qualifier"] = row["extreme_qualifier"]
    out["last"] = _point(row, "last")
    out[f"pct_change_from_{extreme}"] = number(row["pct_change"])
    for name in CONDITIONS[row["direction"]]:
        if name == "recovery_100" and row["analyte"] != "platelets":
            continue
        out[name] = {"after": number(row[f"{name}_after"]), "by": number(row[f"{name}_by"])}
    out["reference"] = {"limit": "upper" if row["direction"] == "rising" else "lower",
                        "value": number(row["reference_limit"], 4), "source": row["reference_source"]}
    return out


def scores_json(row: pd.Series) -> dict:
    if "hscore_last_day" not in row:
        return {}

    def at(score: str, when: str, cols: tuple[str, ...]) -> dict:
        values = {c: row[f"{score}_{when}_{c}"] for c in cols}
        return {"day": number(row[f"hscore_{when}_day"]),
                **{c: (None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                       else (bool(v) if c == "fulfilled" else number(v))) for c, v in values.items()}}

    return {
        "hscore": {"baseline": at("hscore", "baseline", ("points", "min", "max")),
                   "last": at("hscore", "last", ("points", "min", "max")),
                   "below_169": {"after": number(row["hscore_below_169_after"]),
                                 "by": number(row["hscore_below_169_by"])}},
        "hlh2004": {"baseline": at("hlh2004", "baseline", ("met", "unknown", "fulfilled")),
                    "last": at("hlh2004", "last", ("met", "unknown", "fulfilled"))},
    }


def case_response_json(case_id: str, observations: pd.DataFrame, events: pd.DataFrame,
                       scores: pd.DataFrame, anchor: str | None = None) -> dict:
    """The JSON contract of `casetrack response PATH --json` for one case."""
    chosen = case_anchor(events, anchor)
    table = response_table(observations, events, anchor=anchor, scores=scores)
    return {
        "case_id": case_id,
        "anchor": chosen.as_json(),
        "analytes": {row["analyte"]: analyte_json(row) for _, row in table.iterrows()},
        "scores": scores_json(table.iloc[0]) if len(table) else {},
    }
