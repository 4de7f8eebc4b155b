"""Synthetic cohorts: realistic MAS-like and non-MAS cases for benchmarks, scale tests and demos.

Registries hold many thousands of patients, and no real ones may ship with the project, so benchmarks
and the Dask engine are exercised on generated cases instead. The generator is vectorised numpy (one
array per analyte, shaped cases x timepoints) so 250 000 cases x 4 timepoints take seconds, and it
mimics what real files contain: mixed original units (TG mg/dL or mmol/L, Hb g/dL or g/L, counts /µL
or 10^9/L), missing cells (no row at all), findings assessed only once, and a few treatment events.
Values are in the catalogue's canonical units; `orig_*` keep the source units, as the ingest readers do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.domain import matrix as matrix_spec
from dashboard.domain.analytes import analyte
from dashboard.domain.measure import Measure
from dashboard.domain.schema import EVENT_SCHEMA, OBSERVATION_SCHEMA, event_frame, observation_frame


@dataclass(frozen=True)
class LabSpec:
    """One numeric analyte: rounding as reported, and an optional alternative source unit.

    The canonical unit and the reference range come from the analyte catalogue, so they never drift.
    """

    analyte: str
    label: str
    decimals: int
    alt_unit: str | None = None
    alt_factor: float = 1.0  # value in alt_unit = canonical value x alt_factor (clinical-criteria.md)
    alt_decimals: int = 0

    @property
    def unit(self) -> str:
        return str(analyte(self.analyte).unit)

    @property
    def ref(self) -> tuple[float | None, float | None]:
        entry = analyte(self.analyte)
        return entry.ref_low, entry.ref_high


LABS: tuple[LabSpec, ...] = (
    LabSpec("wbc", "White blood cell count", 2, "/µL", 1000.0, 0),
    LabSpec("neutrophils", "Neutrophils", 2, "/µL", 1000.0, 0),
    LabSpec("hemoglobin", "Hemoglobin", 0, "g/dL", 0.1, 1),
    LabSpec("platelets", "Platelets", 0, "/µL", 1000.0, 0),
    LabSpec("ast", "AST", 0),
    LabSpec("alt", "ALT", 0),
    LabSpec("ldh", "LDH", 0),
    LabSpec("triglycerides", "Triglycerides", 2, "mg/dL", 88.57, 1),
    LabSpec("ferritin", "Ferritin", 0),
    LabSpec("fibrinogen", "Fibrinogen", 2, "mg/dL", 100.0, 0),
    LabSpec("crp", "CRP", 2, "mg/L", 10.0, 1),
    LabSpec("esr", "ESR", 0),
    LabSpec("temperature", "Temperature", 1),
    LabSpec("scd25", "Soluble CD25", 0),
)

# Qualitative findings: (analyte, label). Organ enlargement carries "3 cm" or "Yes"; NK activity low/normal.
FINDINGS: tuple[tuple[str, str], ...] = (
    ("hepatomegaly", "Hepatomegaly"), ("splenomegaly", "Splenomegaly"),
    ("immunosuppression", "Known immunosuppression"), ("hemophagocytosis", "Hemophagocytosis (bone marrow)"),
    ("nk_activity", "NK-cell activity"), ("hemorrhage", "Hemorrhagic manifestations"),
    ("cns_involvement", "CNS involvement"), ("arthritis", "Active arthritis"),
)

RESULTS = (None, "positive", "negative", "low", "normal")  # code 0 = no result
RESULT_TEXT = ("", "Yes", "No", "Low", "Normal")
MISSING_RATE = 0.08  # share of routine lab cells left empty


@dataclass(frozen=True)
class _Block:
    """One analyte's cells for all cases x timepoints, before flattening into tidy rows."""

    analyte: str
    label: str
    unit: str | None
    value: np.ndarray  # float (n, T), NaN = no numeric value
    orig_value: np.ndarray
    result: np.ndarray  # int8 (n, T) code into RESULTS
    present: np.ndarray  # bool (n, T): a row exists
    use_alt: np.ndarray  # bool (n,): the case reports this analyte in spec.alt_unit
    spec: LabSpec | None = None  # None for qualitative findings

    def variants(self) -> list[tuple[str | None, str | None]]:
        """(source unit, reference range as written) for the canonical [0] and alternative [1] unit."""
        if self.spec is None:
            return [(self.unit, None), (self.unit, None)]
        spec, out = self.spec, []
        for unit, factor, decimals in ((spec.unit, 1.0, spec.decimals),
                                       (spec.alt_unit, spec.alt_factor, spec.alt_decimals)):
            out.append((unit, _ref_text(spec.ref, factor, decimals + 1)))
        return out


def _ref_text(ref: tuple[float | None, float | None], factor: float, decimals: int) -> str | None:
    """The range as a lab sheet prints it: "4.5–11", or "< 1.7" when there is no lower limit."""
    low, high = (None if x is None else f"{round(x * factor, decimals):g}" for x in ref)
    if high is None:
        return None
    return f"< {high}" if low is None else f"{low}–{high}"


def case_ids(n_cases: int) -> np.ndarray:
    width = max(6, len(str(n_cases - 1)))
    return np.array([f"synth-{i:0{width}d}" for i in range(n_cases)], dtype=object)


def _cohort(rng: np.random.Generator, n: int, t: int) -> dict[str, np.ndarray]:
    """Latent state per case and timepoint: MAS activity `a` and systemic inflammation `infl` in [0, 1]."""
    is_mas = rng.random(n) < 0.35
    gaps = rng.integers(2, 15, size=(n, max(t - 1, 0)))
    day = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(gaps, axis=1)], axis=1)
    severity = np.where(is_mas, rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.25, n))
    peak = np.where(rng.random(n) < 0.4, day[:, min(1, t - 1)], 0)  # some MAS worsen before treatment
    since_peak = np.abs(day - peak[:, None])
    a = severity[:, None] * np.exp(-since_peak / rng.uniform(4.0, 12.0, n)[:, None])
    infl = np.where(is_mas, rng.uniform(0.5, 1.0, n), rng.uniform(0.2, 1.0, n))[:, None] * np.exp(
        -day / rng.uniform(6.0, 20.0, n)[:, None]
    )
    return {"is_mas": is_mas, "day": day, "a": a, "infl": infl}


def _lab_values(rng: np.random.Generator, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Canonical-unit values following the latent state, with log-normal noise."""
    a, infl = c["a"], c["infl"]

    def noise(scale: float = 0.12) -> np.ndarray:
        return np.exp(rng.normal(0.0, scale, a.shape))

    wbc = 7.5 * (1 - 0.75 * a + 0.6 * infl * (1 - a)) * noise()
    return {
        "wbc": wbc,
        "neutrophils": wbc * rng.uniform(0.45, 0.8, a.shape),
        "hemoglobin": (135 - 55 * a - 15 * infl) * noise(0.06),
        "platelets": 260 * (1 - 0.85 * a + 0.5 * infl * (1 - a)) * noise(),
        "ast": 24 * (1 + 7 * a) * noise(0.25),
        "alt": 20 * (1 + 6 * a) * noise(0.3),
        "ldh": 180 * (1 + 5 * a) * noise(0.2),
        "triglycerides": 1.1 * (1 + 3.2 * a) * noise(0.2),
        "ferritin": np.exp(np.log(120) + a * np.log(90) + infl * np.log(4)) * noise(0.3),
        "fibrinogen": np.clip((3.2 + 2.5 * infl * (1 - a) - 2.6 * a) * noise(0.1), 0.3, None),
        "crp": (0.3 + 12 * infl) * noise(0.3),
        "esr": np.clip(15 + 70 * infl * (1 - a) - 5 * a, 2, None) * noise(0.15),
        "temperature": 36.8 + 2.6 * np.maximum(a, 0.8 * infl) + rng.normal(0, 0.3, a.shape),
        "scd25": 600 * (1 + 12 * a) * noise(0.3),
    }


def _lab_blocks(rng: np.random.Generator, c: dict[str, np.ndarray]) -> list[_Block]:
    n, t = c["a"].shape
    values = _lab_values(rng, c)
    us_units = rng.random(n) < 0.4  # a case keeps one unit system across its labs
    blocks = []
    for spec in LABS:
        canonical = np.round(values[spec.analyte], spec.decimals)
        use_alt = us_units & (spec.alt_unit is not None)
        orig = np.where(use_alt[:, None], np.round(canonical * spec.alt_factor, spec.alt_decimals), canonical)
        value = np.where(use_alt[:, None], orig / spec.alt_factor, orig)
        present = rng.random((n, t)) >= MISSING_RATE
        if spec.analyte == "scd25":  # rarely measured, and only at presentation
            present = (rng.random(n) < 0.2)[:, None] & (np.arange(t) == 0)[None, :]
        blocks.append(
            _Block(spec.analyte, spec.label, spec.unit, value, orig, np.zeros((n, t), dtype=np.int8),
                   present, use_alt, spec)
        )
    return blocks


def _finding_blocks(rng: np.random.Generator, c: dict[str, np.ndarray]) -> list[_Block]:
    """Findings: organomegaly at every timepoint; history items at presentation; marrow once, if done."""
    is_mas, a = c["is_mas"], c["a"]
    n, t = a.shape
    first = np.zeros((n, t), dtype=bool)
    first[:, 0] = True
    yes, no = np.int8(1), np.int8(2)
    blocks = []
    for finding, label in FINDINGS:
        value = np.full((n, t), np.nan)
        if finding in ("hepatomegaly", "splenomegaly"):
            base = rng.random(n) < np.where(is_mas, 0.65, 0.2)
            positive = base[:, None] & (a > 0.15 * rng.random((n, t)))
            cm = np.round(rng.uniform(1.0, 6.0, (n, t)) * np.maximum(a, 0.3), 0) + 1
            value = np.where(positive & (rng.random((n, t)) < 0.7), cm, np.nan)
            result, present = np.where(positive, yes, no), rng.random((n, t)) < 0.85
        elif finding == "hemophagocytosis":
            done = rng.random(n) < np.where(is_mas, 0.45, 0.1)
            when = rng.integers(0, min(2, t), n)
            present = done[:, None] & (np.arange(t)[None, :] == when[:, None])
            result = np.where(rng.random((n, 1)) < np.where(is_mas, 0.8, 0.1)[:, None], yes, no)
        elif finding == "nk_activity":
            present = first & (rng.random(n) < 0.15)[:, None]
            result = np.where(rng.random((n, 1)) < np.where(is_mas, 0.7, 0.15)[:, None], 3, 4)
        else:
            p_yes = {"immunosuppression": (0.3, 0.3), "hemorrhage": (0.2, 0.02),
                     "cns_involvement": (0.15, 0.02), "arthritis": (0.2, 0.6)}[finding]
            present = first & (rng.random(n) < 0.8)[:, None]
            result = np.where(rng.random((n, 1)) < np.where(is_mas, *p_yes)[:, None], yes, no)
        result = np.broadcast_to(result, (n, t)).astype(np.int8)
        sized = finding in ("hepatomegaly", "splenomegaly")
        if not sized and finding != "nk_activity":  # yes/no findings: value 1/0, as the readers give
            value = np.where(result == yes, 1.0, 0.0)
        blocks.append(_Block(finding, label, "cm" if sized else None, value, value if sized else
                             np.full((n, t), np.nan), result, present, np.zeros(n, dtype=bool)))
    return blocks


def _take(values: list | np.ndarray, codes: np.ndarray) -> pa.Array:
    """Expand a small vocabulary of strings to one entry per row in C++ (no per-row Python strings)."""
    return pc.take(pa.array(list(values), type=pa.string()), pa.array(codes.astype(np.int32, copy=False)))


def _tidy(blocks: list[_Block], c: dict[str, np.ndarray], ids: np.ndarray) -> pd.DataFrame:
    """Flatten (case, timepoint, analyte) blocks to the tidy table, rows in that order."""
    n, t = c["a"].shape

    def stack(get) -> np.ndarray:
        return np.stack([get(b) for b in blocks], axis=-1).reshape(-1)

    present = stack(lambda b: b.present)
    k = len(blocks)
    case_ix = np.repeat(np.arange(n), t * k)[present]
    tp_ix = np.tile(np.repeat(np.arange(t), k), n)[present]
    an_ix = np.tile(np.arange(k), n * t)[present]
    day = c["day"][case_ix, tp_ix]
    value = stack(lambda b: b.value)[present]
    orig_value = stack(lambda b: b.orig_value)[present]
    result = stack(lambda b: b.result)[present]

    # variant = (analyte, source unit system): 2 per block, plus a last one for unitless findings
    variants = [v for b in blocks for v in b.variants()] + [(None, None)]
    variant = 2 * an_ix + np.stack([b.use_alt for b in blocks], axis=-1)[case_ix, an_ix]
    finding = np.array([b.spec is None for b in blocks])[an_ix]
    unitless = finding & np.isnan(orig_value)  # "No" / "Yes" without a size: no source unit
    variant = np.where(unitless, len(variants) - 1, variant)
    refs = [b.spec.ref if b.spec is not None else (None, None) for b in blocks]
    ref_low = np.array([np.nan if r[0] is None else r[0] for r in refs])[an_ix]
    ref_high = np.array([np.nan if r[1] is None else r[1] for r in refs])[an_ix]

    number_text = pc.cast(pa.array(orig_value, from_pandas=True), pa.string())
    is_cm = ~np.isnan(orig_value) & (result == 1)
    cm_text = pc.binary_join_element_wise(number_text, pa.scalar(" cm"), "")
    result_text = _take(RESULT_TEXT, result.astype(np.int64))
    orig_text = pc.if_else(pa.array(is_cm), cm_text, pc.if_else(pa.array(result > 0), result_text, number_text))

    tp_vocab = ["Admission", *(f"Day {d}" for d in range(1, int(c["day"].max()) + 1))]
    columns = {
        "case_id": _take(ids, case_ix),
        "timepoint": _take(tp_vocab, day),
        "tp_order": pa.array(tp_ix.astype(np.int32)),
        "day": pa.array(day.astype(np.float64)),
        "analyte": _take([b.analyte for b in blocks], an_ix),
        "label": _take([b.label for b in blocks], an_ix),
        "value": pa.array(value, from_pandas=True),
        "unit": _take([b.unit for b in blocks], an_ix),
        "result": _take(RESULTS, result.astype(np.int64)),
        "qualifier": pa.nulls(len(day), pa.string()),
        "orig_value": pa.array(orig_value, from_pandas=True),
        "orig_unit": _take([v[0] for v in variants], variant),
        "orig_text": orig_text,
        "ref_low": pa.array(ref_low, from_pandas=True),
        "ref_high": pa.array(ref_high, from_pandas=True),
        "ref_text": _take([v[1] for v in variants], variant),
    }
    # generated values come from no file: provenance (source_*) stays null
    table = pa.table({name: columns[name].cast(typ) if name in columns else pa.nulls(len(day), typ)
                      for name, typ in OBSERVATION_SCHEMA.items()})
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def synthetic_observations(n_cases: int, timepoints_per_case: int = 4, seed: int = 0) -> pd.DataFrame:
    """Tidy observations (schema.observation_frame) for `n_cases` generated cases; same seed, same frame."""
    if n_cases <= 0:
        return observation_frame()
    c, blocks = _generate(n_cases, timepoints_per_case, seed)
    return _tidy(blocks, c, case_ids(n_cases))


def _generate(n_cases: int, timepoints_per_case: int, seed: int) -> tuple[dict, list[_Block]]:
    if timepoints_per_case < 1:
        raise ValueError(f"timepoints_per_case must be >= 1, got {timepoints_per_case}")
    rng = np.random.default_rng(seed)
    c = _cohort(rng, n_cases, timepoints_per_case)
    return c, _lab_blocks(rng, c) + _finding_blocks(rng, c)


def synthetic_matrix(n_cases: int, timepoints_per_case: int = 4, seed: int = 0) -> pd.DataFrame:
    """The timepoint matrix of the same cohort, built straight from the arrays.

    Equal to `timepoint_matrix(synthetic_observations(...))` (a test holds them together), but without
    the tidy detour, so the scoring benchmark can reach a million timepoints in about a second.
    """
    c, blocks = _generate(n_cases, timepoints_per_case, seed)
    n, t = c["a"].shape
    grid = {name: matrix_spec.unknown_column(name, n * t) for name in matrix_spec.INPUT_COLUMNS}
    finding_value = np.array([np.nan, 1.0, 0.0, 1.0, 0.0])  # RESULTS codes; nk "low" counts as present
    any_row = np.zeros(n * t, dtype=bool)
    for b in blocks:
        present = b.present.reshape(-1)
        any_row |= present
        if b.analyte in matrix_spec.NUMERIC:  # synthetic values are exact, in canonical units
            exact = Measure.exact(np.where(present, b.value.reshape(-1), np.nan))
            grid.update(matrix_spec.measure_columns(matrix_spec.NUMERIC[b.analyte], exact))
            for analyte, _, unit, printed in matrix_spec.PRINTED:  # values written in a printed unit
                if analyte == b.analyte and b.spec.alt_unit == unit:
                    arrived = present & np.repeat(b.use_alt, t)
                    as_written = Measure.exact(np.where(arrived, b.orig_value.reshape(-1), np.nan))
                    grid.update(matrix_spec.measure_columns(printed, as_written))
        if b.analyte in matrix_spec.FINDINGS:
            known = finding_value[b.result.reshape(-1)]
            grid[matrix_spec.FINDINGS[b.analyte]] = np.where(present, known, np.nan)
        if b.analyte in matrix_spec.SIZES:
            exact = Measure.exact(np.where(present, b.value.reshape(-1), np.nan))
            grid.update(matrix_spec.measure_columns(matrix_spec.SIZES[b.analyte], exact))
    case_ix = np.repeat(np.arange(n), t)[any_row]
    day = c["day"].reshape(-1)[any_row]
    tp_vocab = np.array(["Admission", *(f"Day {d}" for d in range(1, int(c["day"].max()) + 1))], dtype=object)
    index = pd.MultiIndex.from_arrays(
        [pd.array(case_ids(n)[case_ix], dtype="string"), pd.array(tp_vocab[day], dtype="string")],
        names=matrix_spec.INDEX,
    )
    out = pd.DataFrame({name: col[any_row] for name, col in grid.items()}, index=index)
    out.insert(0, "day", day.astype(np.float64))
    out.insert(0, "tp_order", pd.array(np.tile(np.arange(t), n)[any_row], dtype="Int32"))
    return out


# (name, kind, start day, duration days, dose, dose unit, route, P(MAS case), P(other case))
EVENT_TEMPLATES: tuple[tuple, ...] = (
    ("Methylprednisolone pulse", "medication", 0, 3, 1000.0, "mg/day", "IV", 0.8, 0.1),
    ("Anakinra", "medication", 1, 14, 100.0, "mg/day", "SC", 0.5, 0.15),
    ("Cyclosporine", "medication", 3, 28, 5.0, "mg/kg/day", "oral", 0.5, 0.05),
    ("Dexamethasone", "medication", 2, 10, 10.0, "mg/m2/day", "IV", 0.3, 0.02),
    ("IVIG", "medication", 0, 5, 2.0, "g/kg total", "IV", 0.3, 0.05),
    ("Prednisone", "medication", 0, 21, 1.0, "mg/kg/day", "oral", 0.3, 0.7),
    ("Naproxen", "medication", 0, 14, 20.0, "mg/kg/day", "oral", 0.05, 0.5),
    ("Discharge", "clinical", 10, 0, np.nan, None, None, 0.7, 0.7),
)


def synthetic_events(n_cases: int, timepoints_per_case: int = 4, seed: int = 0) -> pd.DataFrame:
    """A few treatment and clinical events per case (schema.event_frame); MAS-like cases get MAS drugs.

    The same `seed` gives the same cohort as `synthetic_observations`, so events fit their case: a
    bone-marrow biopsy sits on the day of the case's hemophagocytosis result.
    """
    if n_cases <= 0:
        return event_frame()
    c, blocks = _generate(n_cases, timepoints_per_case, seed)
    is_mas = c["is_mas"]
    marrow = next(b for b in blocks if b.analyte == "hemophagocytosis")
    bm_case, bm_tp = np.nonzero(marrow.present)
    bm_note = np.where(marrow.result[bm_case, bm_tp] == 1, 1, 2)
    erng = np.random.default_rng([seed, 1])
    p = np.array([[tpl[7], tpl[8]] for tpl in EVENT_TEMPLATES])
    chosen = erng.random((n_cases, len(EVENT_TEMPLATES))) < np.where(is_mas[:, None], p[:, 0], p[:, 1])
    chosen[:, 0] |= ~chosen.any(axis=1)  # every case has at least one event
    case_ix, tpl_ix = np.nonzero(chosen)
    jitter = erng.integers(0, 3, len(case_ix))
    start = np.array([tpl[2] for tpl in EVENT_TEMPLATES], dtype=float)[tpl_ix] + jitter
    duration = np.array([tpl[3] for tpl in EVENT_TEMPLATES], dtype=float)[tpl_ix]
    templates = [*EVENT_TEMPLATES, ("Bone-marrow biopsy", "procedure", 0, 0, np.nan, None, None)]
    tpl_ix = np.concatenate([tpl_ix, np.full(len(bm_case), len(EVENT_TEMPLATES))])
    start = np.concatenate([start, c["day"][bm_case, bm_tp].astype(float)])
    end = np.concatenate([start[: len(case_ix)] + np.maximum(duration - 1, 0), start[len(case_ix):]])
    note = np.concatenate([np.zeros(len(case_ix), dtype=np.int64), bm_note])
    case_ix = np.concatenate([case_ix, bm_case])
    order = np.lexsort((start, case_ix))
    case_ix, tpl_ix, start, end, note = (x[order] for x in (case_ix, tpl_ix, start, end, note))
    table = pa.table(
        {
            "case_id": _take(case_ids(n_cases), case_ix),
            "kind": _take([tpl[1] for tpl in templates], tpl_ix),
            "name": _take([tpl[0] for tpl in templates], tpl_ix),
            "start_day": pa.array(start),
            "end_day": pa.array(end),
            "dose": pa.array(np.array([tpl[4] for tpl in templates])[tpl_ix], from_pandas=True),
            "dose_unit": _take([tpl[5] for tpl in templates], tpl_ix),
            "route": _take([tpl[6] for tpl in templates], tpl_ix),
            "note": _take([None, "hemophagocytosis", "no hemophagocytosis"], note),
        }
    )
    table = pa.table({name: table[name].cast(typ) for name, typ in EVENT_SCHEMA.items()})
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def wide_labs(observations: pd.DataFrame) -> pd.DataFrame:
    """One case's tidy rows as the wide "Table 1" layout: `Label (unit)`, Reference range, timepoints."""
    rows = observations.assign(
        row=np.where(
            observations["orig_unit"].notna() & (observations["orig_unit"] != "cm"),
            observations["label"] + " (" + observations["orig_unit"].fillna("") + ")",
            observations["label"],
        )
    )
    rank = {a: i for i, a in enumerate([spec.analyte for spec in LABS] + [a for a, _ in FINDINGS])}
    rows = rows.assign(rank=rows["analyte"].map(rank).fillna(len(rank)).to_numpy())
    order = rows.sort_values("rank", kind="stable").drop_duplicates("row")["row"].tolist()
    timepoints = rows.sort_values("tp_order").drop_duplicates("timepoint")["timepoint"].tolist()
    table = rows.pivot(index="row", columns="timepoint", values="orig_text").reindex(index=order)
    table = table.reindex(columns=timepoints).astype(object).where(lambda f: f.notna(), "")
    refs = rows.drop_duplicates("row").set_index("row")["ref_text"].reindex(order)
    table.insert(0, "Reference range", refs.astype(object).where(refs.notna(), "").to_numpy())
    table.index.name = "Analyte"
    return table.reset_index()


def case_toml(case_id: str, timepoints: dict[str, float]) -> str:
    """case.toml text; JSON string escapes are valid TOML basic strings."""
    lines = [f"id = {json.dumps(case_id)}", f"title = {json.dumps(f'Synthetic case {case_id}')}",
             'source = "casetrack synthetic cohort (not a real patient)"', "", "[timepoints]"]
    lines += [f"{json.dumps(label)} = {int(day)}" for label, day in timepoints.items()]
    return "\n".join(lines) + "\n"


def write_case_folders(observations: pd.DataFrame, events: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Write each case as a folder (labs.csv wide, events.csv, case.toml), so ingest parses real files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events_by_case = dict(tuple(events.groupby("case_id", sort=False))) if len(events) else {}
    written = []
    for case_id, obs in observations.groupby("case_id", sort=True):
        folder = out / str(case_id)
        folder.mkdir(exist_ok=True)
        wide_labs(obs).to_csv(folder / "labs.csv", index=False)
        tps = obs.drop_duplicates("timepoint").sort_values("tp_order")
        (folder / "case.toml").write_text(
            case_toml(str(case_id), dict(zip(tps["timepoint"], tps["day"]))), encoding="utf-8"
        )
        case_events = events_by_case.get(case_id)
        if case_events is not None:
            case_events.drop(columns="case_id").to_csv(folder / "events.csv", index=False, float_format="%g")
        written.append(folder)
    return written
