"""Hand-made frames shaped like the domain's outputs for the seed case (Table 1, MAS panel).

The charts are tested against these so they do not depend on ingest/flags/scores being finished;
values are copied from data/cases/seed-sle-mas/labs.csv, flags worked out by hand from its ranges.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.domain.schema import event_frame, observation_frame

SEED = Path(__file__).resolve().parents[2] / "data" / "cases" / "seed-sle-mas"
TIMEPOINTS = (
    ("Admission", 0, 0.0),
    ("After mPSL", 1, 7.0),
    ("After DEX", 2, 11.0),
    ("6 weeks after discharge", 3, 53.0),
)
# analyte, label, unit, ref_low, ref_high, values per timepoint (None = not measured)
PANEL = (
    ("ferritin", "Ferritin", "ng/mL", 6.2, 138.0, (9560, 8580, 550, 290)),
    ("platelets", "Platelets", "10^9/L", 150.0, 400.0, (22, 29, 113, 287)),
    ("wbc", "White blood cell count", "10^9/L", 4.5, 11.0, (0.72, 1.12, 4.08, 6.01)),
    ("hemoglobin", "Hemoglobin", "g/L", 121.0, 151.0, (77, 79, 93, 101)),
    ("ast", "AST", "U/L", 13.0, 30.0, (51, 48, 21, 22)),
    ("ldh", "LDH", "U/L", 124.0, 222.0, (1260, 990, 250, 245)),
    ("triglycerides", "Triglyceride", "mmol/L", 1.8, 2.2, (4.13, 4.01, 2.1, 1.6)),
    ("fibrinogen", "Fibrinogen", "g/L", 2.0, 4.0, (3.5, 3.5, 3.4, 3.5)),
    ("crp", "CRP", "mg/dL", None, 10.0, (68.8, 48, 18, 0.2)),
    ("d_dimer", "d-dimer", "μg/L", None, 250.0, (4766, 2255, 430, 102)),
    ("reticulocytes", "Reticulocyte count", "%", 0.5, 1.5, (4.47, None, None, None)),
    ("temperature", "Temperature", "°C", None, None, (38.6, None, None, None)),
)


def seed_observations(case_id: str = "seed-sle-mas") -> pd.DataFrame:
    rows = []
    for analyte, label, unit, low, high, values in PANEL:
        for (tp, order, day), value in zip(TIMEPOINTS, values, strict=True):
            if value is None:
                continue
            rows.append(
                {
                    "case_id": case_id,
                    "timepoint": tp,
                    "tp_order": order,
                    "day": day,
                    "analyte": analyte,
                    "label": label,
                    "value": float(value),
                    "unit": unit,
                    "orig_value": float(value),
                    "orig_unit": unit,
                    "orig_text": str(value),
                    "ref_low": low,
                    "ref_high": high,
                }
            )
    return observation_frame(rows)


def flags_of(observations: pd.DataFrame) -> pd.DataFrame:
    """What domain.flags.reference_flags adds, computed plainly (flag, x_uln, change, pct_change)."""
    out = observations.copy()
    value = out["value"].astype("float64")
    low = out["ref_low"].astype("float64")
    high = out["ref_high"].astype("float64")
    flag = pd.Series(pd.NA, index=out.index, dtype="string")
    has_ref = low.notna() | high.notna()
    flag[has_ref] = "N"
    flag[(value < low).fillna(False)] = "L"
    flag[(value > high).fillna(False)] = "H"
    out["flag"] = flag
    out["ref_source"] = pd.Series("file", index=out.index, dtype="string").where(has_ref)
    out["x_uln"] = value / high
    first = value.groupby([out["case_id"], out["analyte"]]).transform("first")
    out["change"] = value - first
    out["pct_change"] = 100 * (value - first) / first
    return out


def seed_flags() -> pd.DataFrame:
    return flags_of(seed_observations())


def seed_events(case_id: str = "seed-sle-mas") -> pd.DataFrame:
    frame = pd.read_csv(SEED / "events.csv")
    frame.insert(0, "case_id", case_id)
    return event_frame(frame)


HSCORE_ITEMS = (
    "immunosuppression",
    "temperature",
    "organomegaly",
    "cytopenias",
    "ferritin",
    "triglycerides",
    "fibrinogen",
    "ast",
    "hemophagocytosis",
)


def seed_scores() -> pd.DataFrame:
    """Score rows by hand from clinical-criteria.md; admission = 256 (range 256-291, marrow unknown)."""
    items = {
        "Admission": (18, 33, 38, 34, 50, 64, 0, 19, None),
        "After mPSL": (18, None, None, 34, 50, 64, 0, 19, 35),
        "After DEX": (18, None, None, 24, 0, 44, 0, 0, None),
        "6 weeks after discharge": (18, None, None, 0, 0, 44, 0, 0, None),
    }
    worst = {"temperature": 49, "organomegaly": 38, "hemophagocytosis": 35}
    rows = []
    for tp, order, day in TIMEPOINTS:
        pts = dict(zip(HSCORE_ITEMS, items[tp], strict=True))
        known = sum(v for v in pts.values() if v is not None)
        row = {
            "case_id": "seed-sle-mas",
            "timepoint": tp,
            "tp_order": order,
            "day": day,
            "hscore.points": known,
            "hscore.min": known,
            "hscore.max": known + sum(worst[k] for k, v in pts.items() if v is None),
            "hscore.probability": None,
        }
        row.update({f"hscore.items.{k}": v for k, v in pts.items()})
        rows.append(row)
    frame = pd.DataFrame(rows).set_index(["case_id", "timepoint"])
    frame["hscore.probability"] = [0.99, 0.99, 0.25, 0.02]
    frame["hlh2004.met"] = [4, 4, 0, 0]
    frame["hlh2004.unknown"] = [2, 4, 4, 4]
    frame["hlh2004.fulfilled"] = pd.array([pd.NA, pd.NA, False, False], dtype="boolean")
    return frame
