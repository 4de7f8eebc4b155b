"""Pure view models of the app: the tables and texts its pages show, built from back-end frames.

No Streamlit here, so every table a user sees is tested with plain pytest; dashboard.ui and the pages
only wire these to widgets.
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from dashboard.domain import headlines
from dashboard.domain.analytes import analyte
from dashboard.ingest.bundle import CaseError, load_case
from dashboard.ingest.store import CaseStore

# Default analytes of the case view: the MAS panel of issue 4.
MAS_PANEL: tuple[str, ...] = (
    "ferritin", "platelets", "wbc", "hemoglobin", "ast", "ldh", "triglycerides", "fibrinogen", "crp", "d_dimer",
)
PROBLEM_COLUMNS = ("severity", "file", "row", "column", "value", "message")
PREVIEW_COLUMNS = ("timepoint", "day", "label", "analyte", "orig_text", "value", "unit", "ref_text")
STYLED_ROWS_MAX = 5000  # pandas' Styler renders every cell; beyond this the preview is shown unstyled
UNMAPPED_STYLE = "background-color: #fde2e1"

# score column -> header of the cohort's numeric score table. Every column must exist in the engine's output:
# a missing one is a KeyError, never skipped (a silent skip once hid the ferritin/ESR ratio).
SCORE_SUMMARY_COLUMNS: dict[str, str] = {
    "hscore.min": "HScore min",
    "hscore.max": "HScore max",
    headlines.PROBABILITY_LOW: "HScore probability (min)",
    headlines.PROBABILITY_HIGH: "HScore probability (max)",
    "hlh2004.met": "HLH-2004 met",
    "hlh2004.unknown": "HLH-2004 unknown",
    "hlh2004.fulfilled": "HLH-2004 fulfilled",
    "mas2016.classified": "MAS 2016",
    "parodi2009.fulfilled": "Parodi 2009",
    "ms_score.min": "MS score min",
    "ms_score.max": "MS score max",
    "ms_score.mas": "MS score MAS",
    "ferritin_esr_ratio.value": "Ferritin/ESR",
}
# The downloadable table: which case, what the report printed (text, number, unit), what it became.
DERIVED_COLUMNS = (
    "case_id", "timepoint", "day", "label", "analyte", "orig_text", "orig_value", "orig_unit", "value", "unit",
    "qualifier", "result", "ref_low", "ref_high", "ref_low_f", "ref_high_f", "ref_low_m", "ref_high_m", "ref_source",
    "flag", "flag_note", "x_uln", "change", "pct_change",
)

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:"})


def plain(text: object) -> str:
    """User text made inert for Streamlit markdown: every markdown/HTML character is backslash-escaped."""
    return str(text).translate(_MARKDOWN_SPECIALS)


def distinct_labels(labels: list[str], keys: list[str]) -> list[str]:
    """Option labels a user can tell apart: a label shared by several options is led by its key.

    A picker's choice travels between browser and server by its label, so two cases of the same title
    (a revised copy saved under a new id) were one option: every rerun went back to the first of them.
    The key goes first because a narrow sidebar cuts the end of a long title.
    """
    counts = Counter(labels)
    return [f"{key}: {label}" if counts[label] > 1 else label for label, key in zip(labels, keys, strict=True)]


# ------------------------------------------------------------------------------------------------ store
def seed_store(store: CaseStore, cases_dir: Path) -> list[str]:
    """Save each shipped case the store has never held; a case the user deleted is not brought back."""
    if not cases_dir.is_dir():
        return []
    stored = set(store.list_cases()["case_id"])
    saved: list[str] = []
    for folder in sorted(p for p in cases_dir.iterdir() if p.is_dir()):
        try:
            case = load_case(folder)
        except CaseError:
            continue
        if case.id in stored or len(store.versions(case.id)) > 0:
            continue
        store.save(case)
        saved.append(case.id)
    return saved


def deleted_case_ids(store: CaseStore) -> list[str]:
    """Ids of deleted cases that still have prior versions (so the library can restore them)."""
    return store.deleted_cases()["case_id"].astype(str).tolist()


def prior_version_ids(versions: pd.DataFrame) -> list[str]:
    """Version ids restore() accepts: the prior versions, newest first."""
    return versions.loc[versions["status"] == "prior", "version_id"].astype(str).tolist()


# --------------------------------------------------------------------------------------------- problems
def problem_records(problems: list) -> list[dict]:
    """Problems as plain dicts (severity, file, row, column, value, message), whatever their class."""
    records = []
    for problem in problems:
        raw = dataclasses.asdict(problem) if dataclasses.is_dataclass(problem) else dict(vars(problem))
        message = str(raw.get("message") or raw.get("expected") or problem)
        expected = raw.get("expected")
        if expected and raw.get("message") and str(expected) not in message:
            message = f"{message} (expected {expected})"
        record = {key: raw.get(key) for key in PROBLEM_COLUMNS}
        record["message"] = message
        records.append(record)
    return records


def exception_record(err: Exception, files: list[str]) -> dict:
    """An unexpected exception while reading user files, as one readable error (never a traceback)."""
    names = ", ".join(sorted(files)) or "(no file)"
    message = f"could not read the upload ({type(err).__name__}: {err})"
    return {"severity": "error", "file": names, "row": None, "column": None, "value": None, "message": message}


def oversized_files(sizes: dict[str, int], limit_mb: float) -> list[dict]:
    """An error per file above the upload limit, so the user reads why it was refused."""
    limit = limit_mb * 1024 * 1024
    return [
        {"severity": "error", "file": name, "row": None, "column": None, "value": f"{size / 1024 / 1024:.1f} MB",
         "message": f"file too large: the limit is {limit_mb:g} MB per file"}
        for name, size in sizes.items() if size > limit
    ]


def problem_frame(records: list[dict]) -> pd.DataFrame:
    """The problem list as a table of text (row and value as written, never coerced).

    Each cell becomes text before the frame is built: a row column with some rows missing would otherwise
    turn into floats and show row 76 as "76.0". A problem of the whole file has no row, column or value:
    those cells are empty, not "None".
    """
    text = ("row", "value", "column")
    rows = [{**r, **{c: "" if r.get(c) is None else str(r[c]) for c in text}} for r in records]
    frame = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    return frame.astype({c: "string" for c in text})


def problem_lines(records: list[dict]) -> str:
    """Every problem whole, one line each, in `casetrack check`'s form (`error: labs.csv:22:CRP '< 10' — ...`):
    a table cell cuts long messages, and the message is what tells the user how to fix the file."""
    lines = []
    for r in records:
        where = ":".join(str(part) for part in (r.get("file") or "<case>", r.get("row"), r.get("column"))
                         if part is not None and str(part) != "")
        value = f" '{r['value']}'" if r.get("value") not in (None, "") else ""
        lines.append(f"{r['severity']}: {where}{value} — {r['message']}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- upload
def upload_cases_frame(parsed: list[tuple[str, object, list[dict]]]) -> pd.DataFrame:
    """One row per case of a many-case upload: id, whether it can be imported, error and warning counts."""
    rows = [{"case": case_id, "status": "ready" if case is not None else "has errors",
             "errors": sum(r["severity"] == "error" for r in records),
             "warnings": sum(r["severity"] != "error" for r in records),
             "observations": len(case.observations) if case is not None else 0}
            for case_id, case, records in parsed]
    return pd.DataFrame(rows, columns=["case", "status", "errors", "warnings", "observations"])


def case_problem_frame(parsed: list[tuple[str, object, list[dict]]]) -> pd.DataFrame:
    """The problems of many cases in one table, each row led by its case id."""
    frames = [problem_frame(records).assign(case=case_id) for case_id, _, records in parsed if records]
    if not frames:
        return problem_frame([]).assign(case=pd.Series(dtype="string"))[["case", *PROBLEM_COLUMNS]]
    return pd.concat(frames, ignore_index=True)[["case", *PROBLEM_COLUMNS]]


def upload_preview(observations: pd.DataFrame) -> pd.DataFrame:
    """The columns a user needs to check a parse: what was written beside what was understood."""
    return observations[list(PREVIEW_COLUMNS)].reset_index(drop=True)


def unmapped_labels(observations: pd.DataFrame) -> list[str]:
    return observations.loc[observations["analyte"].isna(), "label"].astype(str).unique().tolist()


def highlight_unmapped(preview: pd.DataFrame) -> pd.DataFrame | pd.io.formats.style.Styler:
    """Shade the rows whose label matched no catalogue analyte (they are kept but not scored)."""
    if len(preview) > STYLED_ROWS_MAX:
        return preview

    def shade(frame: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        styles.loc[frame["analyte"].isna().to_numpy(), :] = UNMAPPED_STYLE
        return styles

    # Styler shows six decimals by default; a value should read as the file wrote it ("1", "0.72").
    return preview.style.apply(shade, axis=None).format({"value": "{:g}", "day": "{:g}"}, na_rep="")


# ------------------------------------------------------------------------------------------- case view
def analytes_with_values(flags: pd.DataFrame) -> list[str]:
    """Catalogue analytes of a case that have at least one value or result, in table order."""
    known = flags["analyte"].notna() & (flags["value"].notna() | flags["result"].notna())
    return flags.loc[known, "analyte"].astype(str).unique().tolist()


def default_analytes(available: list[str]) -> list[str]:
    """The MAS panel analytes the case has, in panel order."""
    return [a for a in MAS_PANEL if a in available]


def _by_timepoint(scores: pd.DataFrame) -> pd.DataFrame:
    frame = scores.reset_index() if "timepoint" not in scores.columns else scores.reset_index(drop=True)
    keys = [c for c in ("case_id", "tp_order") if c in frame.columns]
    return frame.sort_values(keys, kind="stable") if keys else frame


def day_text(day: object) -> str:
    """A timepoint's day as people write it (`7`, `-2`, `0.5`); `?` when no day is known (shown, not blank)."""
    return "?" if day is None or pd.isna(day) else f"{float(day):g}"


def score_summary(scores: pd.DataFrame, meta: Mapping) -> pd.DataFrame:
    """One row per timepoint with each score's headline in words (headlines.py), in timepoint order."""
    frame = _by_timepoint(scores)
    rows = [{"Timepoint": row["timepoint"], "Day": day_text(row["day"]), **headlines.headline_row(row, meta)}
            for _, row in frame.iterrows()]
    return pd.DataFrame(rows, columns=list(headlines.HEADLINE_COLUMNS))


# The case view's per-timepoint model (headlines, audit, why lines): pure, shared with the HTML report.
timepoint_scores = headlines.timepoint_scores
TimepointScores = headlines.TimepointScores


def score_caption(meta: Mapping) -> str:
    """How to read the score summary, with the MAS 2016 population note of this case (markdown-inert)."""
    note = headlines.population_note(meta)
    return plain(
        "HScore: the range the unknown items allow (one number when every item is known), probability from "
        "Fardet 2014's table at each end. HLH-2004: criteria met of 8, ≥ 5 fulfils. Every verdict reads met, "
        "not met or unknown; the panels below say what an unknown would take."
        + (f" †MAS 2016: {note}." if note else "")
    )


def bullet_list(lines: list[str]) -> str:
    """Lines as a markdown bullet list of inert text."""
    return "\n".join(f"- {plain(line)}" for line in lines)


def item_breakdown(scores: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Items (rows) x timepoints (columns) of one score, e.g. prefix "hscore.items.": points as numbers,
    criteria in the words the verdicts use (met / not met), NA = unknown."""
    frame = _by_timepoint(scores)
    items = [c for c in frame.columns if c.startswith(prefix)]
    table = frame.set_index("timepoint")[items].T
    table.index = pd.Index([c.removeprefix(prefix) for c in items], name="item")
    table.columns = [str(c) for c in table.columns]
    words = {True: "met", False: "not met"}
    return table.map(lambda v: "unknown" if pd.isna(v) else words.get(v, str(v)) if isinstance(v, bool) else str(v))


def derived_table(flags: pd.DataFrame) -> pd.DataFrame:
    """Values, flags, x ULN and change from baseline: the table users download."""
    return flags[[c for c in DERIVED_COLUMNS if c in flags.columns]].reset_index(drop=True)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- cohort
DAY0 = "day0"
COHORT_DEFAULT_PICK = 12  # cases preselected when the user picks by hand (one colour each in the overlay)


def cohort_analytes(observations: pd.DataFrame) -> list[str]:
    """Analytes with a numeric value in at least one case, alphabetically."""
    numeric = observations["analyte"].notna() & observations["value"].notna()
    return sorted(observations.loc[numeric, "analyte"].astype(str).unique())


def analyte_name(analyte_id: str) -> str:
    """The catalogue's name of an analyte id, for pickers ("d_dimer" -> "D-dimer")."""
    try:
        return analyte(analyte_id).name
    except KeyError:
        return analyte_id


def default_index(options: list[str], preferred: str) -> int:
    return options.index(preferred) if preferred in options else 0


def alignment_options(events: pd.DataFrame) -> list[str]:
    """Day 0, then every event name of the chosen cases (medications first), to align trajectories on."""
    order = events.assign(_med=events["kind"] != "medication").sort_values(["_med", "name"], kind="stable")
    return [DAY0, *order["name"].dropna().astype(str).unique()]


def cohort_score_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Headline scores per case and timepoint, cases in order, timepoints in case order."""
    frame = _by_timepoint(scores)
    out = frame[["case_id", "timepoint", "day", *SCORE_SUMMARY_COLUMNS]]
    return out.rename(columns={**SCORE_SUMMARY_COLUMNS, "case_id": "Case", "timepoint": "Timepoint",
                               "day": "Day"}).reset_index(drop=True)
