"""One-file HTML case report that opens offline: summary, interactive figures, score and flag tables.

Meant to be e-mailed or attached to a case-conference agenda, so it carries plotly.js inline (once,
for all figures) and needs no network. Every string that comes from the case goes through
`html.escape` (and figure JSON has `<` escaped), because case files are user-supplied.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from dashboard.charts.axis import as_float, timepoints
from dashboard.charts.cells import cell_text, range_by_sex_text, range_text, was_converted
from dashboard.charts.heatmap import row_order
from dashboard.charts.trajectories import catalogue_ranges
from dashboard.domain.headlines import headline_row, population_note, probability_range, timepoint_scores

ITEM_PREFIX = "hscore.items."
CRITERIA_PREFIX = "hlh2004.criteria."
# Other published criteria, as worded by dashboard.domain.headlines: headline -> heading.
OTHER_SCORES: dict[str, str] = {
    "MAS 2016": "2016 EULAR/ACR/PRINTO MAS (sJIA)",
    "Parodi 2009": "Parodi 2009 MAS in juvenile SLE",
    "MS score": "MS score",
    "Ferritin/ESR": "Ferritin/ESR ratio",
}
UNKNOWN = "?"  # not reported is never shown as 0 or "no"

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em auto;max-width:1250px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em} th,td{border:1px solid #ccc;padding:3px 7px}
th{background:#f2f2f2;text-align:left} td.num{text-align:right}
.flag-H{background:#fbe3d6} .flag-L{background:#d6e8f5} .flag-A{background:#f4e1ee} .flag-N{background:#e6f2e6}
.source{color:#555;font-size:.92em} .note{color:#666;font-size:.85em}
.audit{background:#fff4d6;border-left:4px solid #e0a800;padding:4px 8px} details{margin:.2em 0}
"""


def esc(value: object) -> str:
    """Escaped text of a cell; missing values become the unknown mark."""
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return UNKNOWN
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return html.escape(format(float(value), ".4g"))
    return html.escape(str(value))


def table(header: list[str], rows: list[list[str]], *, row_classes: list[list[str]] | None = None) -> str:
    """An HTML table from already-escaped cells (callers escape with `esc`)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        classes = row_classes[i] if row_classes else [""] * len(row)
        cells = "".join(
            f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for v, c in zip(row, classes, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def summary_html(meta: Mapping) -> str:
    patient = meta.get("patient") or {}
    facts = "".join(f"<li><b>{esc(k).replace('_', ' ')}</b>: {esc(v)}</li>" for k, v in patient.items())
    tps = meta.get("timepoints") or {}
    tp_list = ", ".join(f"{esc(k)} (day {esc(v)})" for k, v in tps.items())
    return (
        f"<h1>{esc(meta.get('title', 'Case report'))}</h1>"
        f"<p class='source'>Source: {esc(meta.get('source', 'not stated'))}</p>"
        + (f"<h2>Patient</h2><ul>{facts}</ul>" if facts else "")
        + (f"<p>Timepoints: {tp_list}</p>" if tp_list else "")
    )


def figure_div(fig: go.Figure, div_id: str) -> str:
    """A div plus the script drawing it; `<`, `>` and `&` in the JSON are \\u-escaped so no case string
    can close the script element."""
    payload = fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<div id="{div_id}" class="figure"></div>'
        f"<script>(function(){{var f={payload};"
        f"Plotly.newPlot('{div_id}',f.data,f.layout,{{responsive:true,displaylogo:false}});}})();</script>"
    )


def score_rows(scores: pd.DataFrame) -> pd.DataFrame:
    frame = scores.reset_index() if "timepoint" not in scores.columns else scores.reset_index(drop=True)
    return frame.sort_values("tp_order", kind="stable") if "tp_order" in frame else frame


def hscore_table(frame: pd.DataFrame) -> str:
    """HScore per timepoint with each item's points, missing items shown as '?'."""
    items = [c for c in frame.columns if c.startswith(ITEM_PREFIX)]
    header = ["Timepoint", "Day", "HScore", "Range (min–max)", "Probability"] + [
        esc(c.removeprefix(ITEM_PREFIX)) for c in items
    ]
    rows = []
    for _, r in frame.iterrows():
        rows.append(
            [
                esc(r["timepoint"]),
                esc(r.get("day")),
                f"<b>{esc(r['hscore.points'])}</b>",
                f"{esc(r['hscore.min'])}–{esc(r['hscore.max'])}",
                esc(probability_range(r)),  # a range whenever an item is unknown
            ]
            + [esc(r[c]) for c in items]
        )
    return table(header, rows)


def hlh_table(frame: pd.DataFrame) -> str:
    criteria = [c for c in frame.columns if c.startswith(CRITERIA_PREFIX)]
    header = ["Timepoint", "Met", "Unknown", "Fulfilled (≥ 5/8)"] + [
        esc(c.removeprefix(CRITERIA_PREFIX)) for c in criteria
    ]
    rows = [
        [
            esc(r["timepoint"]),
            esc(r["hlh2004.met"]),
            esc(r["hlh2004.unknown"]),
            esc(r.get("hlh2004.fulfilled")),
        ]
        + [esc(r[c]) for c in criteria]
        for _, r in frame.iterrows()
    ]
    return table(header, rows)


def other_scores_table(frame: pd.DataFrame, meta: Mapping) -> str:
    """MAS 2016, Parodi 2009, MS score and ferritin/ESR per timepoint, in words and ranges (never blank)."""
    rows = []
    for _, r in frame.iterrows():
        words = headline_row(r, meta)
        rows.append([esc(r["timepoint"])] + [esc(words[name]) for name in OTHER_SCORES])
    note = population_note(meta)
    return "<h3>Other published criteria</h3>" + table(["Timepoint", *OTHER_SCORES.values()], rows) + (
        f"<p class='note'>†MAS 2016: {esc(note)}.</p>" if note else "")


def why_html(observations: pd.DataFrame, scores: pd.DataFrame, meta: Mapping) -> str:
    """Per timepoint: each score's verdict in words, the audit of what the source states, and one "why"
    line per item (the same lines as the case view, from dashboard.domain.headlines)."""
    parts = ["<h2>Why each score: verdicts, stated vs computed, item by item</h2>"]
    for tp in timepoint_scores(observations, scores, meta):
        parts.append(f"<h3>{esc(tp.label)} (day {esc(tp.day)})</h3>")
        parts.extend(f"<p class='audit'>{esc(line)}</p>" for line in tp.audit)
        for name, verdict in tp.headlines.items():
            lines = "".join(f"<li>{esc(line)}</li>" for line in tp.why.get(name, []))
            heading = esc(verdict) if verdict.startswith(name) else f"<b>{esc(name)}</b>: {esc(verdict)}"
            parts.append(f"<details><summary>{heading}</summary><ul>{lines}</ul></details>" if lines
                         else f"<p>{heading}</p>")
    return "".join(parts)


def flags_table(flags: pd.DataFrame) -> str:
    """Analytes x timepoints: value (and qualitative result) with its flag letter and colour."""
    frame = flags.copy()
    frame["row_key"] = frame["analyte"].astype("string").fillna("label:" + frame["label"].astype("string"))
    frame = frame.drop_duplicates(["row_key", "timepoint"])
    frame["text"] = cell_text(frame)
    tps = timepoints(frame)["timepoint"].astype(str).tolist()
    cells = frame.set_index(["row_key", "timepoint"])
    header = ["Analyte", "Unit", "Reference"] + [esc(t) for t in tps]
    rows, classes = [], []
    for key in row_order(frame):
        analyte_rows = frame[frame["row_key"] == key]
        first = analyte_rows.iloc[0]
        row = [esc(first["label"]), esc(first.get("unit")) if pd.notna(first.get("unit")) else "",
               esc(reference_text(analyte_rows))]
        cls = ["", "", ""]
        for tp in tps:
            if (key, tp) not in cells.index:
                row.append("")
                cls.append("")
                continue
            c = cells.loc[(key, tp)]
            shown = esc(c["text"]) if c["text"] else ""
            flag = c.get("flag")
            has_flag = flag is not None and pd.notna(flag)
            note = c.get("flag_note")  # unknown for a reason the reader can fix (a range printed per sex)
            unknown = f" <b title='{esc(note)}'>?</b>" if isinstance(note, str) and note and shown else ""
            row.append(shown + (f" <b>{esc(flag)}</b>" if has_flag and flag != "N" else unknown))
            cls.append(f"num flag-{esc(flag)}" if has_flag else "num")
        rows.append(row)
        classes.append(cls)
    return table(header, rows, row_classes=classes)


def reference_text(rows: pd.DataFrame) -> str | None:
    """The reference range of an analyte's row, in the unit its values are shown in.

    The range as the report printed it when no value of the row was converted; else the converted
    range at the analyte's precision (platelets from /µL read 150–400 10^9/L, never 150000–400000).
    """
    first = rows.iloc[0]
    by_sex = range_by_sex_text(rows, first.get("analyte"))  # the range applied, or both when the sex is unknown
    if by_sex is not None:
        return by_sex
    values, originals = as_float(rows["value"]), as_float(rows["orig_value"])
    converted = any(was_converted(v, o) for v, o in zip(values, originals, strict=True) if np.isfinite(v))
    if not converted and pd.notna(first.get("ref_text")):
        return str(first["ref_text"])
    low, high = as_float(rows["ref_low"].iloc[:1])[0], as_float(rows["ref_high"].iloc[:1])[0]
    analyte = first.get("analyte")
    if not (np.isfinite(low) or np.isfinite(high)) and (rows["ref_source"] == "catalogue").any():
        low, high = catalogue_ranges().get(str(analyte), (None, None))  # the range the flag used
        return f"{range_text(low, high, analyte)} (catalogue)" if low is not None or high is not None else None
    return range_text(low, high, analyte) or None


def events_table(events: pd.DataFrame) -> str:
    if events is None or not len(events):
        return "<p>No treatments or events recorded.</p>"
    frame = events.sort_values(["start_day"], kind="stable")
    rows = []
    for _, e in frame.iterrows():
        same_day = pd.isna(e["end_day"]) or e["end_day"] == e["start_day"]
        days = esc(e["start_day"]) if same_day else f"{esc(e['start_day'])}–{esc(e['end_day'])}"
        dose = (
            ""
            if pd.isna(e["dose"])
            else f"{esc(e['dose'])} {esc(e['dose_unit']) if pd.notna(e['dose_unit']) else ''}"
        )
        rows.append(
            [
                esc(e["kind"]),
                esc(e["name"]),
                days,
                dose,
                esc(e["route"]) if pd.notna(e["route"]) else "",
                esc(e["note"]) if pd.notna(e["note"]) else "",
            ]
        )
    return table(["Kind", "Name", "Days", "Dose", "Route", "Note"], rows)


def warnings_html(problems: Sequence) -> str:
    """Every warning stored with the case (a unit inferred, a possible identifier, ...) and where it was found.

    `problems` are `ingest.problems.Problem`s (anything with location(), value, message, expected).
    """
    if not problems:
        return "<h2>Warnings (0)</h2><p>No warnings when the case was read.</p>"
    rows = [[esc(p.location()), "" if p.value is None else esc(p.value), esc(p.message),
             "" if not p.expected else esc(p.expected)] for p in problems]
    return f"<h2>Warnings ({len(problems)})</h2>" + table(
        ["Where (file:row:column)", "Value", "Warning", "Expected"], rows)


def case_report_html(
    case_meta: Mapping,
    flags: pd.DataFrame,
    scores: pd.DataFrame,
    events: pd.DataFrame | None,
    figures: Mapping[str, go.Figure],
    warnings: Sequence = (),
) -> str:
    """The whole report as one HTML string (plotly.js inline once; figures stay interactive offline)."""
    frame = score_rows(scores)
    figure_html = "".join(
        f"<h2>{esc(name)}</h2>{figure_div(fig, f'figure-{i}')}"
        for i, (name, fig) in enumerate(figures.items())
    )
    plotly_js = f"<script>{get_plotlyjs()}</script>" if figures else ""
    body = (
        summary_html(case_meta)
        + figure_html
        + "<h2>Scores per timepoint</h2><h3>HScore (Fardet 2014; cut-off 169)</h3>"
        + hscore_table(frame)
        + "<p class='note'>Item points; ? = not reported (the range assumes 0 to the item's maximum).</p>"
        + "<h3>HLH-2004 (Henter 2007)</h3>"
        + hlh_table(frame)
        + other_scores_table(frame, case_meta)
        + why_html(flags, scores, case_meta)
        + "<h2>Laboratory values and flags</h2>"
        + "<p class='note'>H high, L low, A abnormal; "
        + ("? unknown: the range depends on the patient's sex, which the case does not give; "
           if "flag_note" in flags and flags["flag_note"].notna().any() else "")
        + "blank = not measured.</p>"
        + flags_table(flags)
        + "<h2>Treatments and events</h2>"
        + events_table(events)
        + warnings_html(warnings)
        + f"<h2>Source</h2><p class='source'>{esc(case_meta.get('source', 'not stated'))}</p>"
    )
    title = esc(case_meta.get("title", "Case report"))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{CSS}</style>{plotly_js}</head><body>{body}</body></html>"
    )
