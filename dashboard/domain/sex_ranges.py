"""Reference ranges printed per sex (`M: 13-17; F: 12-15`), and which of them applies to a patient.

Papers and lab reports print a sex-specific range as a label beside each range: `M: 13-17; F: 12-15`,
`M 13–17, F 12–15`, `Male 13-17 / Female 12-15`, `♂ 13-17 ♀ 12-15`, `13-17 (M), 12-15 (F)`,
`men 13.0-17.0; women 12.0-15.0`, `H 13-17 / F 12-15`, `M <50; F <35`. `split_by_sex` tells which text
belongs to which sex; `values.parse_range` reads each text as any other range.

Which sex a label means is data (`data/sex_labels.csv`: label, sex, language). Full words (`Female`,
`Frauen`, `hommes`) and the symbols mean one sex in every language; single letters do not (`M` is
male in English and female in Spanish, `mujeres`; `F` is female in English and male in Hungarian,
`férfi`). A pair of letters is read only when every language that has a meaning for both gives the same
reading of the pair: `M`/`F` (male/female in English, German, French, Italian, Spanish), `H`/`F` (hommes/
femmes, Herren/Frauen; no language has `H` for women). `M`/`V` is refused: male/female in Dutch (man,
vrouw), female/male in Spanish (mujeres, varones).

The patient's sex (case.toml `[patient] sex`, `F` or `M`) picks the range (`applied_range`); with the sex
unknown both ranges are kept and a flag is given only where both agree (domain/flags.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import numpy as np
import pandas as pd

from dashboard.domain.registry import rows

SEXES = ("F", "M")
SEX_NAMES = {"F": "female", "M": "male"}
# the stored columns (domain/schema.py) of a range printed per sex, canonical unit: sex -> (low, high)
SEX_RANGE_COLUMNS = {"F": ("ref_low_f", "ref_high_f"), "M": ("ref_low_m", "ref_high_m")}
SEX_RANGE_NAMES = (*SEX_RANGE_COLUMNS["F"], *SEX_RANGE_COLUMNS["M"])
SEX_UNKNOWN_NOTE = "range depends on sex; set [patient] sex in case.toml"
_PATIENT_SEX = {"f": "F", "female": "F", "m": "M", "male": "M"}  # what case.toml `sex` may say
EXPECTED = "a range per sex such as 'M: 13-17; F: 12-15', '13-17 (M), 12-15 (F)' or 'Male 13-17 / Female 12-15'"
_STRIP = " \t\r\n:;,/|=()[]"  # what separates a label from its range, and one sex's range from the other's


@dataclass(frozen=True)
class SexLabel:
    label: str     # as printed, casefolded ("m", "female", "♂")
    sex: str       # F | M
    language: str  # "any" for full words and symbols; a language code for single letters
    word: str      # what the label stands for there


class SexLabelError(ValueError):
    """A range that names sexes but cannot be read without guessing; `expected` says what would be read."""

    def __init__(self, message: str, expected: str = EXPECTED) -> None:
        super().__init__(message)
        self.expected = expected


@lru_cache(maxsize=1)
def sex_labels() -> tuple[SexLabel, ...]:
    """The registry `data/sex_labels.csv`, in file order."""
    return tuple(SexLabel(r["label"].casefold(), r["sex"], r["language"], r["word"]) for r in rows("sex_labels.csv"))


@lru_cache(maxsize=1)
def _label_pattern() -> re.Pattern[str]:
    """A label standing alone: after the start, a space, `;`, `,`, `|` or `(`; before a separator, a digit,
    a comparison sign or the end (`h` in `mm/h` and `F` in `°F` are no labels)."""
    names = sorted({label.label for label in sex_labels()}, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![^\s;,|(\[])({alternatives})\.?(?![^\s:=)\].,;/|\d<>≤≥])", re.IGNORECASE)


def _reading(keys: list[str], printed: list[str]) -> tuple[str, str]:
    """The sex of each of two labels, when every language reads the pair the same way; else SexLabelError."""
    languages = {label.language for label in sex_labels()}
    readings: dict[tuple[str, str], list[str]] = {}
    for language in sorted(languages):
        options = [[label for label in sex_labels() if label.label == key and label.language in (language, "any")]
                   for key in keys]
        for first, second in product(*options):
            if first.sex != second.sex:
                readings.setdefault((first.sex, second.sex), []).append(
                    f"{first.word} / {second.word}" + ("" if language == "any" else f" ({language})"))
    if not readings:
        raise SexLabelError(f"'{printed[0]}' and '{printed[1]}' do not name the two sexes in any language "
                            "casetrack knows")
    if len(readings) > 1:
        ways = "; ".join(f"{SEX_NAMES[a]}/{SEX_NAMES[b]} as {words[0]}" for (a, b), words in readings.items())
        raise SexLabelError(f"'{printed[0]}' and '{printed[1]}' name the sexes both ways round ({ways}): "
                            "which range is whose is not guessed", "the sexes written out: 'Male 13-17 / "
                            "Female 12-15'")
    return next(iter(readings))


def split_by_sex(text: str) -> dict[str, str] | None:
    """sex (F/M) -> the text of its range, for a range printed per sex; None when the text names no two sexes.

    Raises SexLabelError when the text names sexes but cannot be split without guessing: labels both ways
    round in two languages, one sex twice, more than two labels, a label without a range.
    """
    found = list(_label_pattern().finditer(text))
    if len(found) < 2:
        return None
    printed = [m.group(0) for m in found]
    if len(found) > 2:
        raise SexLabelError(f"'{text}' has {len(found)} sex labels ({', '.join(printed)}): casetrack reads one range "
                            "for each of two sexes")
    keys = [m.group(1).casefold() for m in found]
    if keys[0] == keys[1]:
        raise SexLabelError(f"'{text}' labels both ranges '{printed[0]}'")
    first, second = _reading(keys, printed)
    if not text[:found[0].start()].strip(_STRIP):  # labels before their ranges: `M: 13-17; F: 12-15`
        parts = [text[found[0].end():found[1].start()], text[found[1].end():]]
    elif not text[found[1].end():].strip(_STRIP):  # labels after their ranges: `13-17 (M), 12-15 (F)`
        parts = [text[:found[0].start()], text[found[0].end():found[1].start()]]
    else:
        raise SexLabelError(f"'{text}': which range belongs to which sex is not clear")
    split = {first: parts[0].strip(_STRIP), second: parts[1].strip(_STRIP)}
    for sex, part in split.items():
        if not part:
            raise SexLabelError(f"'{text}' gives no range for {SEX_NAMES[sex]}s")
    return split


def patient_sex(patient: object) -> str | None:
    """`F` or `M` from case.toml's [patient] table (`sex = "F"`, also `female`/`male`); None otherwise."""
    sex = patient.get("sex") if isinstance(patient, dict) else None
    return _PATIENT_SEX.get(sex.strip().casefold()) if isinstance(sex, str) else None


def printed_per_sex(observations: pd.DataFrame) -> np.ndarray:
    """Per row: whether its reference range was printed per sex (an old stored case has none)."""
    rows = np.zeros(len(observations), dtype=bool)
    for name in SEX_RANGE_NAMES if SEX_RANGE_NAMES[0] in observations else ():
        rows |= observations[name].notna().to_numpy(dtype=bool)  # column by column: a case is read per view
    return rows


def apply_sex(observations: pd.DataFrame, sex: str | None) -> pd.DataFrame:
    """The observations with each range printed per sex giving ref_low/ref_high: the range of the patient's sex
    (F/M), or none when the sex is unknown (both stay in the per-sex columns; flags then need both to agree).
    A copy when anything changes; the frame itself, untouched, when no range was printed per sex."""
    rows = printed_per_sex(observations)
    if not rows.any():
        return observations
    out = observations.copy()
    for name, index in (("ref_low", 0), ("ref_high", 1)):
        column = out[name].copy()
        column[rows] = out.loc[rows, SEX_RANGE_COLUMNS[sex][index]] if sex in SEX_RANGE_COLUMNS else None
        out[name] = column
    return out


def own_limits(observations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, sex_unknown) per row: the range the report printed and the case applies; for a range printed
    per sex with the sex unknown (`sex_unknown`), each limit both sexes share, else NaN: a caller must not put
    the catalogue's default in the place of such an unknown limit."""
    low = observations["ref_low"].to_numpy(dtype="float64", na_value=np.nan)
    high = observations["ref_high"].to_numpy(dtype="float64", na_value=np.nan)
    unknown = printed_per_sex(observations) & np.isnan(low) & np.isnan(high)
    if unknown.any():
        (f_low, f_high), (m_low, m_high) = ([observations[name].to_numpy(dtype="float64", na_value=np.nan)
                                             for name in SEX_RANGE_COLUMNS[sex]] for sex in SEXES)
        low = np.where(unknown & (f_low == m_low), f_low, low)
        high = np.where(unknown & (f_high == m_high), f_high, high)
    return low, high, unknown
