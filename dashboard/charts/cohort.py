"""Cohort overlay: one analyte's trajectory in many cases, aligned on a common origin, with a binned
median and interquartile band.

Cases only become comparable once aligned: on their own day 0, on their response anchor (the first
MAS/HLH treatment, domain.response), on the first dose of a drug class ("IL-1 blockade"), or on the
first start of a named event ("dexamethasone"). Cases that cannot be aligned (no days, no such event) are
left out and counted in a note under the title, never silently shifted.
Scales: raw values, x ULN (each value / its row's upper limit), or x baseline (each value / the case's
last value at or before the origin, else its first).
The summary is a median and IQR per day bin (BIN_EDGES), over cases (a case with several values in a
bin counts once, by its median there); a bin with fewer than MIN_CASES_PER_BIN cases is not drawn, and
every bin's n is printed above the plot. A per-day median swings wherever few cases have data.
Up to `MAX_LEGEND_CASES` cases get a line each in their own colour (style.case_colour); a larger cohort
is one thin grey trace with gaps between cases (fast for thousands of cases).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.axis import as_float, uln_marks
from dashboard.charts.style import (
    CUTOFF_COLOR,
    REFERENCE_BAND_COLOR,
    Look,
    case_colour,
    finish_figure,
    look,
    safe_text,
)
from dashboard.charts.trajectories import analyte_label, analyte_unit, reference_range, use_log_axis
from dashboard.domain.drugs import TREATMENT_CLASSES, classify_events, find_class
from dashboard.domain.response import anchors

MAX_LEGEND_CASES = 12
MIN_CASES_PER_BIN = 3
DAY0 = "day0"
ANCHOR = "anchor"  # each case's response anchor: its first MAS/HLH treatment
# Day bins [lo, hi): dense around the origin, where treatment decisions fall, wider later.
BIN_EDGES: tuple[float, ...] = (-np.inf, -14, -7, -3, 0, 1, 4, 8, 15, 22, 29, 43, 57, 91, np.inf)
Scale = Literal["absolute", "xuln", "xbaseline"]
SCALES: dict[str, str] = {"absolute": "raw", "xuln": "× ULN", "xbaseline": "× baseline"}
MEDIAN_COLOR = "#111111"
IQR_FILL = "rgba(17, 17, 17, 0.16)"


def event_origin(events: pd.DataFrame, name: str) -> pd.Series:
    """case_id -> first start_day of the event `name` (case-insensitive).

    An exact name wins ("Prednisone" must not pick up a later "Prednisone taper" course's case); when
    no event has exactly that name, names containing it count ("dexamethasone" finds
    "Dexamethasone sodium phosphate").
    """
    names = events["name"].astype("string").str.casefold()
    wanted = name.casefold()
    exact = (names == wanted).fillna(False)
    match = exact if exact.any() else names.str.contains(wanted, regex=False).fillna(False)
    hits = events[match.to_numpy(dtype=bool) & events["start_day"].notna().to_numpy(dtype=bool)]
    return hits.assign(start=as_float(hits["start_day"])).groupby("case_id")["start"].min()


def origin(events: pd.DataFrame, align: str) -> pd.Series:
    """case_id -> the study day each case is aligned on: its anchor, first dose of a class, or an event."""
    if align == ANCHOR or find_class(align) is not None:
        found = anchors(events, None if align == ANCHOR else find_class(align))
        return pd.Series({case_id: a.study_day for case_id, a in found.items()}, dtype="float64")
    return event_origin(events, align)


def align_options(events: pd.DataFrame) -> list[str]:
    """What a cohort can be aligned on: the anchor, each treatment class the cases received, day 0, then
    every event name (medications first)."""
    classes = set(classify_events(events)["drug_class"].dropna().astype(str)) if len(events) else set()
    order = events.assign(_med=events["kind"] != "medication").sort_values(["_med", "name"], kind="stable")
    names = order["name"].dropna().astype(str).unique().tolist()
    return [ANCHOR, *(c for c in TREATMENT_CLASSES if c in classes), DAY0, *names]


def align_label(align: str) -> str:
    """How an alignment option reads in a picker."""
    if align == ANCHOR:
        return "anchor: first MAS/HLH treatment"
    if align == DAY0:
        return "day 0 of each case"
    if align in TREATMENT_CLASSES:
        return f"first dose of any {align}"
    return f"first start of {align}"


def response_anchor(align: str) -> str | None:
    """The anchor of the response metrics that matches an alignment (None: the default anchor)."""
    return None if align in (ANCHOR, DAY0) else align


def align_title(align: str) -> str:
    if align == DAY0:
        return "Day"
    if align == ANCHOR:
        return "Days since the anchor (first MAS/HLH treatment)"
    if (cls := find_class(align)) is not None:
        return f"Days since the first dose of {safe_text(cls)}"
    return f"Days since first {safe_text(align)}"


def baseline_values(rows: pd.DataFrame) -> pd.Series:
    """Per row, its case's last value at or before x = 0, else the case's first value (rows sorted by x)."""
    before = rows["x"].to_numpy() <= 0
    at_or_before = rows["value_f"].where(before).groupby(rows["case_id"]).transform("last")
    first = rows.groupby("case_id")["value_f"].transform("first")
    return at_or_before.fillna(first)


def aligned(
    observations: pd.DataFrame, analyte: str, align: str, events: pd.DataFrame | None, scale: Scale
) -> tuple[pd.DataFrame, int]:
    """Rows of the analyte with `x` (aligned days) and `y`; also how many cases were left out."""
    rows = observations[(observations["analyte"] == analyte) & observations["value"].notna()].copy()
    n_cases = rows["case_id"].nunique()
    rows["x"] = as_float(rows["day"])
    rows["value_f"] = as_float(rows["value"])
    if align != DAY0:
        if events is None:
            raise ValueError(f"align={align!r} needs the events table")
        rows["x"] = rows["x"] - as_float(rows["case_id"].map(origin(events, align)))
    rows = rows[np.isfinite(rows["x"]) & np.isfinite(rows["value_f"])]
    rows = rows.sort_values(["case_id", "x"], kind="stable")
    if scale == "xuln":
        x_uln = as_float(rows["x_uln"]) if "x_uln" in rows else np.full(len(rows), np.nan)
        rows["y"] = np.where(np.isfinite(x_uln), x_uln, rows["value_f"] / as_float(rows["ref_high"]))
    elif scale == "xbaseline":
        with np.errstate(divide="ignore", invalid="ignore"):
            rows["y"] = rows["value_f"] / baseline_values(rows).to_numpy()
    else:
        rows["y"] = rows["value_f"]
    rows = rows[np.isfinite(rows["y"])]
    return rows, n_cases - rows["case_id"].nunique()


def bin_label(lo: float, hi: float) -> str:
    if not np.isfinite(lo):
        return f"< {hi:g}"
    if not np.isfinite(hi):
        return f"≥ {lo:g}"
    return f"{lo:g}" if hi - lo == 1 else f"{lo:g} to {hi - 1:g}"


def binned(rows: pd.DataFrame) -> pd.DataFrame:
    """Median and IQR over cases per day bin: bin, label, x (median day of its values), n, median, q1,
    q3, drawn (n >= MIN_CASES_PER_BIN). A case counts once per bin, by its median there."""
    columns = ["bin", "label", "x", "n", "median", "q1", "q3", "drawn"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    edges = np.asarray(BIN_EDGES)
    b = np.searchsorted(edges, rows["x"].to_numpy(), side="right") - 1
    frame = pd.DataFrame({"bin": b, "case_id": rows["case_id"].astype(str).to_numpy(),
                          "x": rows["x"].to_numpy(), "y": rows["y"].to_numpy()})
    per_case = frame.groupby(["bin", "case_id"], sort=True)["y"].median()
    grouped = per_case.groupby(level="bin")
    out = pd.DataFrame({"n": grouped.size(), "median": grouped.median(), "q1": grouped.quantile(0.25),
                        "q3": grouped.quantile(0.75)})
    out["x"] = frame.groupby("bin")["x"].median()
    out = out.reset_index()
    out["label"] = [bin_label(edges[i], edges[i + 1]) for i in out["bin"]]
    out["drawn"] = out["n"] >= MIN_CASES_PER_BIN
    return out[columns]


def hover(rows: pd.DataFrame, unit: str) -> pd.Series:
    return (
        rows["case_id"].astype(str).map(safe_text)
        + "<br>"
        + rows["timepoint"].astype(str).map(safe_text)
        + "<br>x = "
        + rows["x"].map("{:g}".format)
        + "<br>"
        + rows["y"].map("{:.4g}".format)
        + " "
        + safe_text(unit)
    )


def case_traces(rows: pd.DataFrame, unit: str, lk: Look) -> list[go.Scatter]:
    """One line per case in the case's own colour, for cohorts small enough to tell apart."""
    return [
        go.Scatter(
            x=grp["x"].to_numpy(),
            y=grp["y"].to_numpy(),
            mode="lines+markers",
            name=safe_text(case_id),
            line={"color": case_colour(case_id), "width": lk.line_width * 0.75},
            marker={"size": lk.marker * 0.8},
            opacity=0.8,
            hovertext=hover(grp, unit).tolist(),
            hoverinfo="text",
            meta={"case_id": str(case_id)},
        )
        for case_id, grp in rows.groupby("case_id", sort=False)
    ]


def bundle_traces(rows: pd.DataFrame, unit: str, lk: Look) -> list[go.Scatter]:
    """All cases in one grey trace (NaN between cases breaks the line): one SVG path, fast for thousands
    of cases. Not Scattergl: without a GPU (headless, remote desktops) WebGL is emulated and took seconds."""
    gap = rows["case_id"].ne(rows["case_id"].shift()).fillna(True).to_numpy(dtype=bool)
    n = len(rows) + int(gap[1:].sum())
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    text = np.full(n, "", dtype=object)
    pos = np.arange(len(rows)) + np.concatenate([[0], np.cumsum(gap[1:])])
    x[pos], y[pos], text[pos] = rows["x"].to_numpy(), rows["y"].to_numpy(), hover(rows, unit).to_numpy()
    return [
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=f"cases (n = {rows['case_id'].nunique()})",
            line={"color": "rgba(80, 80, 80, 0.22)", "width": 1},
            hovertext=text,
            hoverinfo="text",
            connectgaps=False,
        )
    ]


def band_polygons(bins: pd.DataFrame) -> tuple[list[float | None], list[float | None]]:
    """x, y of one closed IQR polygon per run of consecutive drawn bins (None between runs), so the band
    never spans a bin with too few cases."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    drawn = bins["drawn"].to_numpy(dtype=bool)
    run_id = np.cumsum(~drawn)
    for _, run in bins[drawn].groupby(run_id[drawn], sort=True):
        if xs:
            xs.append(None)
            ys.append(None)
        x = run["x"].astype(float).tolist()
        xs += x + x[::-1]
        ys += run["q3"].astype(float).tolist() + run["q1"].astype(float).tolist()[::-1]
    return xs, ys


def summary_traces(bins: pd.DataFrame, lk: Look) -> list[go.Scatter]:
    """IQR band and median line over the bins with enough cases; a bin not drawn breaks both."""
    if not bins["drawn"].any():
        return []
    median = bins["median"].where(bins["drawn"])
    band_x, band_y = band_polygons(bins)
    hover_text = [
        f"days {safe_text(label)}<br>n = {n} cases<br>median {m:.4g} (IQR {a:.4g}–{b:.4g})"
        for label, n, m, a, b in zip(bins["label"], bins["n"], bins["median"], bins["q1"], bins["q3"], strict=True)
    ]
    return [
        go.Scatter(x=band_x, y=band_y, mode="lines", line={"width": 0}, fill="toself", fillcolor=IQR_FILL,
                   name="IQR (25th–75th percentile)", hoverinfo="skip", connectgaps=False),
        go.Scatter(x=bins["x"].to_numpy(dtype=float), y=median.to_numpy(dtype=float), mode="lines+markers",
                   name="median of cases", line={"color": MEDIAN_COLOR, "width": lk.line_width * 1.5},
                   marker={"size": lk.marker}, hovertext=hover_text, hoverinfo="text", connectgaps=False,
                   # whiskers too: a lone drawn bin has no band around it
                   error_y={"type": "data", "symmetric": False, "color": MEDIAN_COLOR, "thickness": 1,
                            "array": (bins["q3"] - median).to_numpy(dtype=float),
                            "arrayminus": (median - bins["q1"]).to_numpy(dtype=float)}),
    ]


def bin_counts(bins: pd.DataFrame, lk: Look) -> list[dict]:
    """'n=12' above each bin (grey italics when too few cases to draw); a count that would touch the one
    before it (bins a day apart) moves up a line."""
    span = float(bins["x"].max() - bins["x"].min()) if len(bins) else 1.0
    notes, last_x, lifted = [], None, False
    for x, n, drawn in zip(bins["x"], bins["n"], bins["drawn"], strict=True):
        lifted = last_x is not None and (x - last_x) < 0.04 * max(span, 1.0) and not lifted
        notes.append({
            "x": x, "xref": "x", "y": 1.0, "yref": "paper", "yanchor": "bottom", "showarrow": False,
            "yshift": lk.annotation + 2 if lifted else 0,
            "text": f"n={n}" if drawn else f"<i>n={n}</i>", "name": "bin-n",
            "font": {"size": lk.annotation - 2, "color": "#222222" if drawn else "#666666"},
        })
        last_x = x
    return notes


def reference_source(rows: pd.DataFrame) -> str:
    """Where the drawn reference range comes from, said on the band."""
    own = np.isfinite(as_float(rows["ref_low"])).any() or np.isfinite(as_float(rows["ref_high"])).any()
    return "most common range printed in the case reports" if own else "catalogue adult default"


def band_note(text: str, y: float, lk: Look) -> dict:
    """A label at the left edge, hanging below `y` (in axis units: log10 of the value on a log axis)."""
    return {"x": 0.005, "xref": "paper", "xanchor": "left", "y": y, "yref": "y", "yanchor": "top",
            "showarrow": False, "text": text, "name": "reference-label",
            "font": {"size": lk.annotation - 1, "color": "#1B5E20"}}


def cohort_figure(
    observations_many: pd.DataFrame,
    analyte: str,
    *,
    align: str = DAY0,
    events: pd.DataFrame | None = None,
    scale: Scale = "absolute",
    title: str | None = None,
    source: str | None = None,
    presentation: bool = False,
) -> go.Figure:
    """Spaghetti plot of `analyte` across cases with a binned median and IQR band.

    `align`: DAY0, ANCHOR, a drug class, or an event name. `scale`: "absolute", "xuln" (the frame's
    `x_uln` from `reference_flags`, else value / ref_high) or "xbaseline". `source` (where the cases come
    from) is shown under the title, before the count of cases.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    lk = look(presentation)
    rows, left_out = aligned(observations_many, analyte, align, events, scale)
    unit = analyte_unit(rows) if len(rows) else ""
    label = analyte_label(rows, analyte) if len(rows) else analyte
    many = rows["case_id"].nunique() > MAX_LEGEND_CASES
    bins = binned(rows)
    traces = ((bundle_traces if many else case_traces)(rows, unit, lk) if len(rows) else [])
    fig = go.Figure([*traces, *summary_traces(bins, lk)])
    notes = bin_counts(bins, lk)
    if scale == "xuln":
        uln_shapes, uln_notes = uln_marks(CUTOFF_COLOR)
        fig.update_layout(shapes=uln_shapes)
        notes += uln_notes + [band_note("ULN: each value's own report range, else the catalogue's", 0.0, lk)]
        fig.update_yaxes(title_text=f"{safe_text(label)}, × ULN", type="log", dtick="D2")
    elif scale == "xbaseline":
        fig.add_hline(y=1.0, line={"color": "#555555", "dash": "dot", "width": 1}, name="baseline-line")
        notes.append(band_note("baseline = 1: each case's last value at or before day 0, else its first", 0.0, lk))
        fig.update_yaxes(title_text=f"{safe_text(label)}, × baseline", type="log", dtick="D2")
    else:
        low, high = reference_range(rows, analyte) if len(rows) else (None, None)
        log = bool(len(rows)) and use_log_axis(rows["y"].to_numpy(dtype=float, na_value=np.nan), (low, high))
        if log:  # ferritin, CRP, D-dimer: as in the case view, so a 20 000 does not flatten every 300
            fig.update_yaxes(type="log")
        if high is not None or low is not None:
            top = high if high is not None else float(rows["y"].max()) * 1.15
            bottom = low if low is not None else (float(rows["y"].min()) / 2 if log else 0.0)
            fig.add_hrect(y0=bottom, y1=top, fillcolor=REFERENCE_BAND_COLOR, line_width=0, layer="below",
                          name=f"reference:{analyte}")
            limits = "–".join(f"{v:g}" for v in (low, high) if v is not None)
            if low is None:
                limits = f"≤ {high:g}"
            notes.append(band_note(f"reference range {limits} {safe_text(unit)} ({reference_source(rows)})",
                                   np.log10(top) if log else top, lk))
        fig.update_yaxes(title_text=f"{safe_text(label)} ({safe_text(unit)})" if unit else safe_text(label))
    fig.update_xaxes(title_text=align_title(align), zeroline=True, zerolinecolor="#888888")
    note = f"{rows['case_id'].nunique()} cases" + (
        f"; {left_out} left out (no {'days' if align == DAY0 else repr(align) + ' event'})" if left_out else ""
    )
    note += f"; median and IQR per day bin with ≥ {MIN_CASES_PER_BIN} cases"
    finish_figure(
        fig,
        presentation=presentation,
        title=title or f"{label} across cases",
        source=f"{source} · {note}" if source else note,
        height=int(lk.lab_row_height * 4 + 200),
    )
    for note_ in notes:
        note_.setdefault("font", {"size": lk.annotation})
    fig.update_layout(annotations=notes)
    fig.update_xaxes(zeroline=True, zerolinecolor="#888888", zerolinewidth=1.5)
    fig.update_layout(hovermode="closest", legend={"y": -0.18}, margin={"t": fig.layout.margin.t + 2 * lk.annotation + 6})
    return fig
