"""Values and reference ranges of the tidy step -> the canonical unit, with plausibility checks.

Part of the shared "cells -> tidy table" step (ingest/tidy.py), kept apart for size: per (analyte, unit)
group it decides the unit (stated, inferred or canonical), converts values and reference ranges, and
reports what a careful reader would: an unknown or wrong-kind unit, a negative count, a value outside the
analyte's physiological limits (naming the unit that would make it plausible), a reference range far from
the usual one, and every unit it inferred.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from dashboard.domain.analytes import Analyte, analyte
from dashboard.domain.plausibility import (
    RANGE_OFF,
    UNITLESS_RANGE_OFF,
    candidate_units,
    decides_alone,
    implausible,
    overlapping_units,
    range_far_off,
    range_ratio,
)
from dashboard.domain.sex_ranges import (
    SEX_RANGE_COLUMNS,
    SEX_RANGE_NAMES,
    SEX_UNKNOWN_NOTE,
    apply_sex,
    patient_sex,
    printed_per_sex,
)
from dashboard.domain.units import UnitError, canonical_unit, resolve_unit, split_basis, to_canonical
from dashboard.ingest.problems import Problem, error, warning


def _g(x: float) -> str:
    return f"{x:.6g}"


def _plausible_text(record: Analyte) -> str:
    low = "" if record.plausible_low is None else _g(record.plausible_low)
    high = "" if record.plausible_high is None else _g(record.plausible_high)
    return f"{low}–{high} {record.unit}"


def _suggestion(record: Analyte, units: list[str], value: float) -> str:
    if len(units) == 1:
        converted = to_canonical([value], units[0], record.id)[0]
        return f"; in {units[0]} it would be {_g(converted)} {record.unit}, which is plausible: is that its unit?"
    if units:
        return f"; it would be plausible in {' or '.join(units)}: state its unit"
    return ""


def canonical_values(frame: dict, file: str) -> list[Problem]:
    """Fill value/unit/ref_low/ref_high (canonical unit) and finding results in `frame`, in place.

    `frame` holds per observation: analyte, orig_value (as written), orig_unit (cell or row unit),
    row_unit, qualifier, result, orig_text, ref_low/ref_high as written, ref_text, line, column, label.
    Results become 1/0 for unitless findings; organ sizes give positive/negative.
    """
    problems: list[Problem] = []
    orig = frame["orig_value"]
    value, unit_out = orig.copy(), np.array(frame["orig_unit"], dtype=object)
    ref_low, ref_high = frame["ref_low"].copy(), frame["ref_high"].copy()
    by_sex = {name: frame[name].copy() for name in SEX_RANGE_NAMES if name in frame}  # a range printed per sex
    result = np.array(frame["result"], dtype=object)
    unitless = np.ones(len(orig), dtype=bool)  # unmapped, or an analyte without a canonical unit
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(frame["analyte"], frame["orig_unit"], strict=True)):
        groups.setdefault((key[0] or "", key[1] or ""), []).append(i)
    for (analyte_id, unit), positions in groups.items():
        if not analyte_id:
            continue
        rows = np.array(positions)
        record = analyte(analyte_id)
        unitless[rows] = record.unit is None
        where = (file, frame["line"][positions[0]], frame["column"][positions[0]] or None)
        try:
            stated = resolve_unit(unit or None, analyte_id)
        except UnitError as exc:
            problems.append(error(str(exc), *where, unit, exc.expected))
            continue
        if stated is not None and split_basis(stated)[0] in record.kept_units:
            value[rows], unit_out[rows] = np.nan, stated
            ref_low[rows], ref_high[rows] = np.nan, np.nan
            for limits in by_sex.values():
                limits[rows] = np.nan
            if record.unit is None:  # NK-cell activity in % lysis: the criterion reads the lab's verdict
                problems.append(warning(f"{record.name} in {stated} is kept as written: its criteria read the "
                                        "lab's verdict, which a number alone does not give, and treat it as unknown",
                                        *where, unit, "the verdict (low, absent or normal) to use it in scores"))
            else:
                problems.append(warning(f"{record.name} in {stated} is kept as written and never converted to "
                                        f"{record.unit} (no fixed conversion): criteria in {record.unit} treat it "
                                        "as unknown", *where, unit, f"{record.unit} to use it in scores"))
            continue
        effective, more = _unit_of_group(record, stated, positions, frame, file)
        problems += more
        if effective is False:
            continue
        try:
            value[rows] = to_canonical(orig[rows], effective, analyte_id)
        except UnitError as exc:
            problems.append(error(str(exc), *where, unit, exc.expected))
            continue
        unit_out[rows] = canonical_unit(effective, analyte_id)
        problems += _convert_ranges(record, effective, positions, frame,
                                    [(ref_low, ref_high), *_sex_pairs(by_sex, rows)], file)
        for position in rows[orig[rows] < 0]:
            problems.append(error(f"negative value for {record.name}", file, frame["line"][position],
                                  frame["column"][position] or None, frame["orig_text"][position],
                                  "a value of 0 or more"))
        problems += _implausible_values(record, effective, positions, frame, value, file)
        if record.kind == "finding" and record.unit is not None:
            sized = rows[~np.isnan(orig[rows])]
            result[sized] = np.where(orig[sized] > 0, "positive", "negative")
    binary = np.isin(result, ["positive", "negative"]) & np.isnan(orig) & unitless
    value[binary] = (result[binary] == "positive").astype("float64")
    frame["value"], frame["unit"], frame["result"] = value, list(unit_out), list(result)
    frame["ref_low"], frame["ref_high"] = ref_low, ref_high
    frame.update(by_sex)
    return problems


def _sex_pairs(by_sex: dict[str, np.ndarray], rows: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(low, high) column pairs of the ranges printed per sex, F then M; none when the rows have none."""
    return [(by_sex[low], by_sex[high]) for low, high in SEX_RANGE_COLUMNS.values()
            if low in by_sex and not (np.isnan(by_sex[low][rows]).all() and np.isnan(by_sex[high][rows]).all())]


def _written_ranges(positions: list[int], frame: dict) -> list[tuple[float | None, float | None]]:
    """The distinct ranges of the rows as written, both sexes' of a range printed per sex."""
    columns = [("ref_low", "ref_high"), *(pair for pair in SEX_RANGE_COLUMNS.values() if pair[0] in frame)]
    pairs = {(frame[low][i], frame[high][i]) for i in positions for low, high in columns}
    return [tuple(None if np.isnan(x) else float(x) for x in pair) for pair in pairs
            if not (np.isnan(pair[0]) and np.isnan(pair[1]))]


def _unit_of_group(record: Analyte, stated: str | None, positions: list[int], frame: dict,
                   file: str) -> tuple[str | None | bool, list[Problem]]:
    """The unit the group's values are read in: stated, inferred from plausibility, or the canonical one
    (None); False when values without a unit are implausible and no unit can be inferred (errors given)."""
    orig = frame["orig_value"][positions]
    numeric = ~np.isnan(orig)
    first = positions[int(np.argmax(numeric))] if numeric.any() else positions[0]
    where = (file, frame["line"][first], frame["column"][first] or None)
    if stated is not None or record.unit is None or record.unit == "ratio" or not numeric.any():
        return stated, []
    label = frame["label"][first]
    qualifiers = [frame["qualifier"][i] for i in positions]
    bad = implausible(record.id, orig, qualifiers)
    ranges = _written_ranges(positions, frame)
    values = orig[numeric]
    quals = [q for q, n in zip(qualifiers, numeric, strict=True) if n]
    units = candidate_units(record.id, values, quals, ranges, exclude=record.unit)
    if not bad.any():
        return _plausible_without_unit(record, ranges, units, positions, frame, file)
    example = frame["orig_text"][positions[int(np.argmax(bad))]]
    if len(units) == 1 and (ranges or decides_alone(record.id, units[0])):
        why = (f"the row's reference range ({frame['ref_text'][first]}) agrees with {units[0]}" if ranges else
               f"no value plausible in {record.unit} is plausible in {units[0]}, so the number alone decides")
        return units[0], [warning(f"no unit given for {record.name}, and {example} is not plausible in "
                                  f"{record.unit} ({_plausible_text(record)}): read in {units[0]}, because {why}",
                                  *where, label, f"the unit written, e.g. '{label} ({units[0]})'")]
    problems = []
    for i, is_bad in zip(positions, bad, strict=True):
        if is_bad:
            hint = _suggestion(record, units, float(frame["orig_value"][i]))
            if len(units) == 1 and not ranges:
                hint += " (a reference range in the same unit would let casetrack read it)"
            problems.append(error(f"{record.name} {frame['orig_text'][i]} without a unit is outside the plausible "
                                  f"range {_plausible_text(record)}{hint}", file, frame["line"][i],
                                  frame["column"][i] or None, frame["orig_text"][i],
                                  f"the unit written, e.g. '{label} ({units[0] if units else record.unit})'"))
    return False, problems


def _plausible_without_unit(record: Analyte, ranges: list, units: list[str], positions: list[int], frame: dict,
                            file: str) -> tuple[str | None | bool, list[Problem]]:
    """Values without a unit, plausible in the canonical unit: read in it, unless nothing on the row decides
    between it and another common unit (`overlapping_units`: refused), or the row's reference range is far from the
    usual one there (`UNITLESS_RANGE_OFF`); then in the one unit the range agrees with, else refused."""
    first = positions[0]
    label, ref = frame["label"][first], frame["ref_text"][first]
    close = overlapping_units(record.id, units, frame["orig_value"][positions])
    if not ranges and close:
        read = [i for i in positions if not np.isnan(frame["orig_value"][i])]
        shown = ", ".join(frame["orig_text"][i] for i in read[:3]) + (", ..." if len(read) > 3 else "")
        return False, [error(f"no unit given for {record.name}, and its values ({shown}) are plausible both in "
                             f"{record.unit} and in {' and in '.join(close)}: its unit is not guessed", file,
                             frame["line"][read[0]], frame["column"][read[0]] or None, frame["orig_text"][read[0]],
                             f"the unit written, e.g. '{label} ({record.unit})' or '{label} ({close[0]})', or the "
                             "row's reference range")]
    off = next((r for pair in ranges if (r := range_far_off(record.id, *pair, UNITLESS_RANGE_OFF))), None)
    if off is None or not record.common_units:
        return None, [warning(f"no unit given for {record.name}: read as {record.unit}", file, frame["line"][first],
                              frame["column"][first] or None, label, f"a unit, e.g. '{label} ({record.unit})'")]
    where = (file, frame["line"][first], "reference range", ref)
    far = f"the row's reference range {ref} is {_g(off)}× the usual range ({_default_text(record)}) when read in " \
          f"{record.unit}"
    if len(units) == 1:
        return units[0], [warning(f"no unit given for {record.name}, and {far}: read in {units[0]}, which the "
                                  "range agrees with", *where, f"the unit written, e.g. '{label} ({units[0]})'")]
    known = ", ".join((record.unit, *record.common_units))
    return False, [error(f"no unit given for {record.name}, and {far}: its unit is not clear (the range agrees with "
                         f"none of {known}), so its values are not read", *where,
                         f"the unit written, e.g. '{label} ({record.unit})' or "
                         f"'{label} ({record.common_units[0]})'")]


def _implausible_values(record: Analyte, unit: str | None, positions: list[int], frame: dict,
                        value: np.ndarray, file: str) -> list[Problem]:
    """Errors for values (read in a stated or inferred unit) outside the plausible range."""
    rows = np.array(positions)
    qualifiers = [frame["qualifier"][i] for i in positions]
    problems = []
    for i, is_bad in zip(positions, implausible(record.id, value[rows], qualifiers), strict=True):
        if is_bad and frame["orig_value"][i] >= 0:  # a negative value has its own error
            written = float(frame["orig_value"][i])
            units = candidate_units(record.id, [written], [frame["qualifier"][i]], exclude=unit or record.unit)
            read = f"{frame['orig_text'][i]} {unit or record.unit}"
            if (unit or record.unit) != canonical_unit(unit, record.id):
                read += f" = {_g(value[i])} {record.unit}"
            problems.append(error(f"{record.name} {read} is outside the plausible range {_plausible_text(record)}"
                                  f"{_suggestion(record, units, written)}", file, frame["line"][i],
                                  frame["column"][i] or None, frame["orig_text"][i],
                                  "a value in the plausible range, or its right unit"))
    return problems


def _convert_ranges(record: Analyte, effective: str | None, positions: list[int], frame: dict,
                    columns: list[tuple[np.ndarray, np.ndarray]], file: str) -> list[Problem]:
    """Reference ranges (in the row's unit, else the group's) -> canonical, in place, for each (low, high)
    column pair (the one range, and each sex's of a range printed per sex); one warning when far off."""
    problems: list[Problem] = []
    warned, failed = False, set()
    for (ref_low, ref_high), i in product(columns, positions):
        if np.isnan(ref_low[i]) and np.isnan(ref_high[i]):
            continue
        try:
            unit = resolve_unit(frame["row_unit"][i], record.id) if frame["row_unit"][i] else effective
            ref_low[i], ref_high[i] = to_canonical([ref_low[i], ref_high[i]], unit, record.id)
        except UnitError as exc:
            if i not in failed:  # one error per cell, also for both sexes' ranges
                problems.append(error(f"reference range: {exc}", file, frame["line"][i], "reference range",
                                      frame["ref_text"][i], exc.expected))
            failed.add(i)
            ref_low[i] = ref_high[i] = np.nan
            continue
        ratio = range_ratio(record.id, None if np.isnan(ref_low[i]) else ref_low[i],
                            None if np.isnan(ref_high[i]) else ref_high[i])
        if not warned and ratio is not None and not 1 / RANGE_OFF < ratio < RANGE_OFF:
            warned = True
            problems.append(warning(
                f"reference range {frame['ref_text'][i]} is {_g(ratio)}× the usual range of {record.name} "
                f"({_default_text(record)}) when read in {unit or record.unit}: a unit problem? Check the unit "
                "of the row", file, frame["line"][i], "reference range", frame["ref_text"][i],
                f"a range in {unit or record.unit}, or the row's right unit"))
    return problems


def _default_text(record: Analyte) -> str:
    if record.ref_low is not None and record.ref_high is not None:
        return f"{_g(record.ref_low)}–{_g(record.ref_high)} {record.unit}"
    return f"< {_g(record.ref_high)} {record.unit}" if record.ref_high is not None else \
        f"> {_g(record.ref_low)} {record.unit}"


def with_patient_sex(observations: pd.DataFrame, meta: dict, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The observations with each range printed per sex resolved by the patient's sex (case.toml `[patient]
    sex`): that sex's range applies; with the sex unknown, one warning for the case (never a guess)."""
    rows = printed_per_sex(observations)
    if not rows.any():
        return observations, []
    patient = meta.get("patient")
    sex = patient_sex(patient)
    out = apply_sex(observations, sex)
    if sex is not None:
        return out, []
    labels = ", ".join(dict.fromkeys(out.loc[rows, "label"].astype(str)))
    first = out.iloc[int(np.argmax(rows))]
    given = patient.get("sex") if isinstance(patient, dict) else None
    why = "the patient's sex is not given" if given in (None, "") else f"the patient's sex '{given}' is neither F nor M"
    row = None if pd.isna(first["source_row"]) else int(first["source_row"])
    return out, [warning(f"reference ranges printed per sex ({labels}) and {why}: a value is flagged only where "
                         f"both sexes' ranges agree ({SEX_UNKNOWN_NOTE})", file, row, "reference range",
                         str(first["ref_text"]),
                         'sex = "F" or sex = "M" under [patient] in case.toml')]
