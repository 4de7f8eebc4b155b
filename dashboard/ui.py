"""The one shared Streamlit module: cached loaders, pickers, session keys and problem display.

Pages stay thin (widgets -> pure functions -> st.*); what they share lives here so a session key, a
cache or the way a problem is shown is written once. Table shaping is pure and lives in dashboard.views.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import views
from dashboard.charts.case_figure import case_figure
from dashboard.charts.heatmap import flag_heatmap
from dashboard.charts.scores import score_figure
from dashboard.charts.slides import Screen, Slide, case_slide_plan
from dashboard.charts.slides import slide_figure as build_slide
from dashboard.domain.flags import reference_flags
from dashboard.domain.scores import score_observations
from dashboard.ingest.bundle import Case, read_uploaded
from dashboard.ingest.store import CURRENT, META_FILE, CaseStore
from dashboard.report.csv_safe import safe_csv_bytes
from dashboard.report.html import case_report_html
from dashboard.report.images import export_deck, export_figure
from dashboard.views import plain

SHIPPED_CASES = Path(__file__).resolve().parent / "cases"  # data/cases, shipped inside the package too

# Session keys shared between pages (widget keys stay local to their page).
CURRENT_CASE = "current_case_id"
SLIDE_INDEX = "presentation_slide"
CHOSEN_ANALYTES = "chosen_analytes"  # {case id: analytes}: each case keeps its own choice across pages
CHOSEN_XULN = "chosen_xuln"  # a copy of the case view's toggle: widget state ends with its page
FLASH = "flash_message"
OPEN_SAVED = "open_saved_case"  # set by "Save and open": the next run goes to the case view before drawing

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"scale": 2}}
IMAGE_FORMATS = ("png", "svg", "pdf")
IMAGE_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
SCREEN = "presentation_screen"  # the browser's inner size, reported by the presentation component
FIGURE_TITLES = {"case": "Case figure", "scores": "Score trajectory", "heatmap": "Flag heatmap"}

# Static CSS of presentation mode (no user data): hide the sidebar and its toggle, enlarge the text.
PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"] {display: none;}
.block-container {padding-top: 1rem; padding-bottom: 0; max-width: 100%;}
.st-key-present_keys {display: none;}
h1, h2, h3 {font-size: 2.2rem !important;}
[data-testid="stCaptionContainer"] {font-size: 1.25rem;}
</style>"""


@dataclass(frozen=True)
class CaseData:
    """A stored case with its derived tables, computed once per stored version."""

    case: Case
    flags: pd.DataFrame
    scores: pd.DataFrame


# ----------------------------------------------------------------------------------------------- store
def get_store() -> CaseStore:
    """The case store (CASETRACK_STORE points tests at a temporary one), seeded once with the shipped cases."""
    store = CaseStore()
    _seed_once(str(store.root))
    return store


@st.cache_resource(show_spinner=False)
def _seed_once(root: str) -> list[str]:
    return views.seed_store(CaseStore(root), SHIPPED_CASES)


def case_data(store: CaseStore, case_id: str) -> CaseData:
    """Load a stored case with its flags and scores, cached on (store, case, last change)."""
    return _case_data(str(store.root), case_id, _stamp(store, [case_id]))


def _stamp(store: CaseStore, case_ids: list[str]) -> str:
    """Last changes of some cases: part of every cache key, so a save or restore is seen at once.

    One stat() per case of its current meta.json (a save writes a new one and renames it into place), not
    a read of every case's metadata: this runs on every rerun of every page.
    """
    parts = []
    for case_id in case_ids:
        try:
            info = (store.root / case_id / CURRENT / META_FILE).stat()
        except OSError:
            parts.append(f"{case_id}:absent")
            continue
        parts.append(f"{case_id}:{info.st_mtime_ns}:{info.st_ino}:{info.st_size}")
    return "|".join(parts)


@st.cache_data(show_spinner="Loading case…", max_entries=32)
def _case_data(root: str, case_id: str, stamp: str) -> CaseData:
    return derive(CaseStore(root).load(case_id))


def derive(case: Case) -> CaseData:
    """Flags and scores of a case: the derived tables every view of a case reads."""
    return CaseData(case=case, flags=reference_flags(case.observations),
                    scores=score_observations(case.observations))


def cohort_frames(store: CaseStore, case_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Flagged observations, events and scores of many stored cases (cached on their last changes)."""
    return _cohort_frames(str(store.root), tuple(case_ids), _stamp(store, case_ids))


@st.cache_data(show_spinner="Loading cohort…", max_entries=8)
def _cohort_frames(root: str, case_ids: tuple[str, ...], stamp: str) -> tuple[pd.DataFrame, ...]:
    store = CaseStore(root)
    observations = store.load_all_observations(list(case_ids))
    flags = reference_flags(observations)  # adds x_uln for the x ULN overlay
    return flags, store.load_all_events(list(case_ids)), score_observations(observations)


# ---------------------------------------------------------------------------------------------- upload
@st.cache_data(show_spinner="Reading files…", max_entries=4)
def parse_upload(files: dict[str, bytes], decimal: str | None = None) -> list[tuple[str, Case | None, list[dict]]]:
    """(case id, case or None, problem records) for each case of the uploaded files; never raises.

    A file of many cases (a long table with a case column) gives one entry per case.
    """
    try:
        outcomes = read_uploaded(files, decimal=decimal)
    except Exception as err:  # noqa: BLE001 - a user file must never crash the page
        return [("", None, [views.exception_record(err, list(files))])]
    return [(o.case_id, o.case, views.problem_records(o.problems)) for o in outcomes]


def save_case(store: CaseStore, case: Case) -> bool:
    """Save a case and make it current; a refused id or a failed write is shown, never raised.

    The store leaves the stored case as it was when a save fails, so the user can simply try again.
    """
    try:
        version = store.save(case)
    except (ValueError, OSError) as err:
        st.error(f"Could not save case {plain(case.id)}: {plain(err)}", icon=":material/error:")
        return False
    st.session_state[CURRENT_CASE] = case.id
    flash(f"Saved {case.id} (version {version}).")
    warm_case_view(store, case.id)
    return True


def save_and_open(store: CaseStore, case: Case) -> None:
    """Button callback of "Save and open in case view": it saves before the page runs again, so that run
    switches to the case view at once instead of first redrawing the whole preview (OPEN_SAVED)."""
    if save_case(store, case):
        st.session_state[OPEN_SAVED] = True


def warm_case_view(store: CaseStore, case_id: str) -> None:
    """Build a just-saved case's tables and the case view's opening figure in the background, while the
    page switches or the user reads the confirmation: the case view then finds them cached (the caches
    lock per key, so a case view that asks first waits for the same result instead of building it twice)."""
    threading.Thread(target=_warm, args=(str(store.root), case_id, _stamp(store, [case_id])), daemon=True).start()


def _warm(root: str, case_id: str, stamp: str) -> None:
    try:
        data = _case_data(root, case_id, stamp)
        analytes = views.default_analytes(views.analytes_with_values(data.flags))
        _stored_figure(root, case_id, stamp, "case", tuple(analytes), False, False)  # the Overview's figure
        _case_tables(root, case_id, stamp)  # in the order the Overview sends them
    except Exception:  # noqa: BLE001 - only a head start: the case view builds (and reports) it again
        return


def show_problems(records: list[dict], *, key: str) -> None:
    """Errors as st.error, warnings as st.warning, and the full list as a table (all plain text)."""
    errors = sum(r["severity"] == "error" for r in records)
    warnings = len(records) - errors
    if errors:
        st.error(f"{errors} error(s): the case cannot be imported until they are fixed.",
                 icon=":material/error:")
    if warnings:
        st.warning(f"{warnings} warning(s): the case can be imported; please check them.",
                   icon=":material/warning:")
    if records:
        table(views.problem_frame(records), key=key)
        full = st.expander("Every message in full", expanded=errors > 0, key=f"{key}_full", on_change="rerun")
        if full.open:  # drawn only when open: the code block's highlighter is a large script to load
            with full:
                st.code(views.problem_lines(records), language=None, wrap_lines=True)


def table(frame: pd.DataFrame | pd.io.formats.style.Styler, *, key: str, hide_index: bool = True) -> None:
    """st.dataframe in a keyed container: tests (and CSS) find a table by its key, as they find widgets."""
    with st.container(key=key):
        st.dataframe(frame, hide_index=hide_index, width="stretch")


def step_slide(step: int) -> None:
    """Button callback: move the presentation before the page is drawn, so both buttons see the new slide."""
    st.session_state[SLIDE_INDEX] = int(st.session_state.get(SLIDE_INDEX, 0)) + step


def flash(message: str) -> None:
    """Keep a success message across the st.rerun() that refreshes a page after a change."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(plain(message))


# --------------------------------------------------------------------------------------------- pickers
def case_picker(cases: pd.DataFrame, *, key: str, label: str = "Case") -> str | None:
    """Select a stored case by title; the choice follows the user across pages (CURRENT_CASE)."""
    ids = cases["case_id"].astype(str).tolist()
    if not ids:
        return None
    titles = [title or cid for cid, title in zip(ids, cases["title"].fillna("").astype(str), strict=True)]
    labels = dict(zip(ids, views.distinct_labels(titles, ids), strict=True))
    current = st.session_state.get(CURRENT_CASE)
    if current not in ids:
        current = st.session_state.get(key) if st.session_state.get(key) in ids else ids[0]
    st.session_state[key] = st.session_state[CURRENT_CASE] = current
    return st.selectbox(label, ids, key=key, format_func=labels.get,
                        on_change=_follow_picker, args=(key,))


def _follow_picker(key: str) -> None:
    """A user's pick becomes the current case before the page is drawn again."""
    st.session_state[CURRENT_CASE] = st.session_state[key]


def case_heading(meta: dict, case_id: str, *, level: str = "subheader") -> None:
    """Case title and source as plain text (titles come from user files: never markdown or HTML)."""
    getattr(st, level)(plain(meta.get("title") or case_id), anchor=False)
    if meta.get("source"):
        st.caption("Source: " + plain(meta["source"]))


def analyte_picker(case_id: str, available: list[str]) -> list[str]:
    """The analytes of one case: its own last choice, else the MAS panel it has (display names shown).

    The widget key names the case, so switching case never shows (or draws) the previous case's list;
    the choice is also kept outside widget state, which Streamlit drops once a widget is not drawn.
    """
    analytes = st.multiselect(
        "Analytes", available, default=chosen_analytes(case_id, available), key=f"case_analytes:{case_id}",
        format_func=views.analyte_name,
        help="Default: the MAS panel (ferritin, platelets, WBC, hemoglobin, AST, LDH, TG, fibrinogen, CRP, D-dimer).",
    )
    st.session_state.setdefault(CHOSEN_ANALYTES, {})[case_id] = analytes
    return analytes


def chosen_analytes(case_id: str, available: list[str]) -> list[str]:
    """The case's last chosen analytes that it still has, or its default panel if never chosen."""
    chosen = st.session_state.get(CHOSEN_ANALYTES, {}).get(case_id)
    if chosen is None:
        return views.default_analytes(available)
    return [a for a in chosen if a in available]


# --------------------------------------------------------------------------------------------- figures
def build_figure(data: CaseData, name: str, analytes: list[str], *, xuln: bool, presentation: bool,
                 titled: bool = True, x_span: list[float] | None = None) -> go.Figure:
    """One figure of a case (name as in FIGURE_TITLES); `titled` puts the case title and source on it."""
    meta = data.case.meta
    labels = {"title": meta.get("title") or data.case.id, "source": meta.get("source")} if titled else {}
    if name == "case":
        return case_figure(data.flags, data.case.events, analytes, scale="xuln" if xuln else "absolute",
                           presentation=presentation, **labels)
    if name == "scores":
        return score_figure(data.scores, x_span=x_span, presentation=presentation, **labels)
    return flag_heatmap(data.flags, presentation=presentation, **labels)


def day_span(case: go.Figure) -> list[float] | None:
    """The case figure's day range: the score figure spans the same days, so the two line up on screen."""
    span = case.layout.xaxis.range
    return list(span) if span else None


def case_figures(data: CaseData, analytes: list[str], *, xuln: bool, presentation: bool = False,
                 titled: bool = True) -> dict[str, go.Figure]:
    """The three figures of a case, keyed as in FIGURE_TITLES; the score axis spans the case figure's days."""
    options = {"xuln": xuln, "presentation": presentation, "titled": titled}
    case = build_figure(data, "case", analytes, **options)
    return {
        "case": case,
        "scores": build_figure(data, "scores", analytes, x_span=day_span(case), **options),
        "heatmap": build_figure(data, "heatmap", analytes, **options),
    }


def stored_figure(store: CaseStore, case_id: str, name: str, analytes: list[str], *, xuln: bool,
                  titled: bool = True) -> go.Figure:
    """One figure of a stored case (name as in FIGURE_TITLES), cached: a section builds only its own."""
    return _stored_figure(str(store.root), case_id, _stamp(store, [case_id]), name, tuple(analytes), xuln, titled)


@dataclass(frozen=True)
class CaseTables:
    """The case view's tables, made once per stored version (not on every rerun); the downloads of the
    derived table are made when asked for (`deferred_download`)."""

    scores: pd.DataFrame
    hscore_items: pd.DataFrame
    hlh_items: pd.DataFrame
    derived: pd.DataFrame


def case_tables(store: CaseStore, case_id: str) -> CaseTables:
    return _case_tables(str(store.root), case_id, _stamp(store, [case_id]))


@st.cache_data(show_spinner=False, max_entries=32)
def _case_tables(root: str, case_id: str, stamp: str) -> CaseTables:
    data = _case_data(root, case_id, stamp)
    derived = views.derived_table(data.flags)
    return CaseTables(
        scores=views.score_summary(data.scores, data.case.meta),
        hscore_items=views.item_breakdown(data.scores, "hscore.items."),
        hlh_items=views.item_breakdown(data.scores, "hlh2004.criteria."),
        derived=derived,
    )


def timepoint_scores(store: CaseStore, case_id: str) -> list[views.TimepointScores]:
    """Headlines, audit lines and why lines per timepoint of a stored case, made once per stored version."""
    return _timepoint_scores(str(store.root), case_id, _stamp(store, [case_id]))


@st.cache_data(show_spinner=False, max_entries=32)
def _timepoint_scores(root: str, case_id: str, stamp: str) -> list[views.TimepointScores]:
    data = _case_data(root, case_id, stamp)
    return views.timepoint_scores(data.case.observations, data.scores, data.case.meta)


# Figures are cached as objects, not pickled copies: unpickling a Figure re-validates every property (0.2 s
# each, on every rerun). No caller changes a cached figure (plotly_chart and the exports only read it).
@st.cache_resource(show_spinner=False, max_entries=96)
def _stored_figure(root: str, case_id: str, stamp: str, name: str, analytes: tuple[str, ...], xuln: bool,
                   titled: bool) -> go.Figure:
    data = _case_data(root, case_id, stamp)
    span = None
    if name == "scores":  # the score axis spans the case figure's days, as in case_figures
        span = day_span(_stored_figure(root, case_id, stamp, "case", analytes, xuln, titled))
    return build_figure(data, name, list(analytes), xuln=xuln, presentation=False, titled=titled,
                        x_span=span)


# ---------------------------------------------------------------------------------------- presentation
def slide_plan(store: CaseStore, case_id: str, analytes: list[str], *, xuln: bool, screen: Screen) -> list[Slide]:
    """The slides of a case on this screen (the heatmap split into pages that fit it)."""
    data = case_data(store, case_id)
    meta = data.case.meta
    return case_slide_plan(data.flags, data.case.events, analytes, xuln=xuln, lk=screen.look,
                           height=screen.slide_height, title=meta.get("title") or case_id, source=meta.get("source"))


def slide_figure(store: CaseStore, case_id: str, slide: Slide, *, xuln: bool, screen: Screen) -> go.Figure:
    """One slide's figure, built for this screen and cached."""
    return _slide(str(store.root), case_id, _stamp(store, [case_id]), slide, xuln, screen)


@st.cache_resource(show_spinner=False, max_entries=64)
def _slide(root: str, case_id: str, stamp: str, slide: Slide, xuln: bool, screen: Screen) -> go.Figure:
    data = _case_data(root, case_id, stamp)
    meta = data.case.meta
    return build_slide(data.flags, data.case.events, data.scores, slide, xuln=xuln, lk=screen.look,
                       height=screen.slide_height, title=meta.get("title") or case_id, source=meta.get("source"))


def deferred_download(frame: pd.DataFrame, fmt: str) -> Callable[[], bytes]:
    """The derived table as formula-safe CSV or parquet, made only when the user clicks its button."""
    return (lambda: safe_csv_bytes(frame)) if fmt == "csv" else (lambda: views.parquet_bytes(frame))


def deferred_export(make: Callable[[], go.Figure], fmt: str) -> Callable[[], bytes]:
    """Image bytes made only when the user clicks (kaleido drives Chromium: too slow for every rerun)."""
    return lambda: export_figure(make(), fmt)


def deferred_deck(store: CaseStore, case_id: str, analytes: list[str], *, xuln: bool) -> Callable[[], bytes]:
    """The whole slide deck as one PDF, a 16:9 page per slide at 1920 x 1080, made when the user clicks."""

    def deck() -> bytes:
        screen = Screen()
        plan = slide_plan(store, case_id, analytes, xuln=xuln, screen=screen)
        return export_deck([slide_figure(store, case_id, s, xuln=xuln, screen=screen) for s in plan],
                           width=screen.width, height=screen.height)

    return deck


def deferred_report(data: CaseData, analytes: list[str], *, xuln: bool) -> Callable[[], str]:
    """The one-file HTML case report (figures titled with the case), made when the user clicks."""

    def report() -> str:
        figures = case_figures(data, analytes, xuln=xuln)
        titled = {FIGURE_TITLES[name]: figure for name, figure in figures.items()}
        return case_report_html(data.case.meta, data.flags, data.scores, data.case.events, titled,
                                warnings=data.case.problems)

    return report
