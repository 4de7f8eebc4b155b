"""Days of timepoints inferred from their labels: `Day 7`, `D+7`, `Hospital day 7`, `HD 7`, `Week 2`, dates.

The day and week words come from domain/data/header_words.csv, so `J7`, `J+7`, `Jour 7`, `Tag 7`, `Día 7`,
`Dia 7`, `Giorno 7`, `Dag 7` are day 7 as `Day 7` is, and `Semaine 2`, `Woche 2`, `Semana 2`, `Settimana 2`
are day 14 (the single letters `D` and `J` in upper case only).

A label gives a day only when it states one: `Admission` or `After DEX` give none, and a case without
days says so instead of guessing. `Week N` is day 7N. Dates give days from the first dated column;
`03/04/2021` is read only when the whole set of labels decides day/month order (a part above 12 in some
label), because 3 April and 4 March are a month apart. Bare numbers (`1`, `5`, `14`) are timepoint names,
not days: a table may number samples, hours or days, and the label does not say which.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from dashboard.domain.registry import header_words

_MINUS = "−–"
_SUFFIX = r"(?:\s*[(:,].*)?$"  # `Day 7 (discharge)`, `Day 7: discharge`


def _words(role: str) -> str:
    """One role's header words as a regex alternation (`day|jour|tag|día|dia|...`)."""
    return "|".join(re.escape(word) for word in header_words(role))


@cache
def _day_patterns() -> tuple[tuple[re.Pattern, int], ...]:
    """(pattern, days per unit): the day and week words in every language of domain/data/header_words.csv."""
    sign = rf"[+\-{_MINUS}]"
    return (
        (re.compile(rf"^(?:hospital\s+day|HD)\s*#?\s*({sign}?\d+){_SUFFIX}", re.IGNORECASE), 1),
        (re.compile(rf"^(?:{_words('day')})\s*#?\s*({sign}?\d+){_SUFFIX}", re.IGNORECASE), 1),
        (re.compile(rf"^(?:{_words('day_letter')})\s*({sign}\d+|\d+){_SUFFIX}"), 1),
        (re.compile(rf"^(?:{_words('week')})\s*#?\s*(\d+){_SUFFIX}", re.IGNORECASE), 7),
        (re.compile(rf"^(\d+)(?:st|nd|rd|th)\s+(?:hospital\s+)?day{_SUFFIX}", re.IGNORECASE), 1),
    )


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]{3,9})\.?,?(?:[\s\-]+(\d{2}|\d{4}))?$")
# A time of day after a date (lab-system exports: `03/15/2021 08:00`, `2021-03-15T07:30:00`, `15.03.2021 8:05 PM`):
# the date gives the day (calendar days, as a hospital counts them); the label keeps the time as written.
_TIME_OF_DAY = re.compile(r"(?:[ T]|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_MONTH_NAME_DAY = re.compile(r"^([A-Za-z]{3,9})\.?[\s\-]+(\d{1,2})(?:st|nd|rd|th)?,?(?:[\s\-]+(\d{2}|\d{4}))?$")


@dataclass(frozen=True)
class DayInference:
    """label -> day (None when the label states no day), and one note per decision, for the user."""

    days: dict[str, float | None]
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.days) and all(d is not None for d in self.days.values())


def label_day(label: str) -> int | None:
    """The day a non-date label states (`Day 7`, `D+7`, `J7`, `Tag 7`, `HD 7`, `Week 2` -> 14), else None."""
    text = " ".join(str(label).split())
    for pattern, factor in _day_patterns():
        found = pattern.match(text)
        if found:
            number = found.group(1).translate(str.maketrans(_MINUS, "--"))
            return int(number) * factor
    return None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _date_parts(label: str) -> tuple[str, tuple] | None:
    """('iso' | 'numeric' | 'named', parts) when the label is a date (with or without a time), else None."""
    text = " ".join(str(label).split())
    text = _TIME_OF_DAY.sub("", text) if _TIME_OF_DAY.search(text) and _TIME_OF_DAY.sub("", text) else text
    if found := _ISO.match(text):
        return "iso", (int(found.group(1)), int(found.group(2)), int(found.group(3)))
    if found := _NUMERIC_DATE.match(text):
        if found.group(3) is None and "." in text:
            return None  # `4.5` is a number, not a date
        return "numeric", (int(found.group(1)), int(found.group(2)), _year(found.group(3)))
    for pattern, day_group, month_group in ((_DAY_MONTH_NAME, 1, 2), (_MONTH_NAME_DAY, 2, 1)):
        if found := pattern.match(text):
            month = _MONTHS.get(found.group(month_group)[:3].casefold())
            if month is not None:
                return "named", (_year(found.group(3)), month, int(found.group(day_group)))
    return None


def _numeric_order(parts: list[tuple]) -> str | None:
    """'dm' or 'md' when some numeric date decides it and none contradicts, else None."""
    first_big = any(p[0] > 12 for p in parts)
    second_big = any(p[1] > 12 for p in parts)
    if first_big and not second_big:
        return "dm"
    if second_big and not first_big:
        return "md"
    return None


def _as_date(kind: str, parts: tuple, order: str | None) -> tuple[int | None, int, int] | None:
    """(year, month, day) of a parsed date label; None when its order is undecided."""
    if kind in ("iso", "named"):
        return parts
    if order is None:
        return None
    first, second, year = parts
    day, month = (first, second) if order == "dm" else (second, first)
    return year, month, day


def infer_days(labels: Sequence[str]) -> DayInference:
    """Days of a table's timepoint labels, with a note for each inference and each refusal."""
    days: dict[str, float | None] = {}
    notes: list[str] = []
    dated = {label: parsed for label in labels if (parsed := _date_parts(label)) is not None}
    numeric = [parts for kind, parts in dated.values() if kind == "numeric"]
    order = _numeric_order(numeric) if numeric else None
    if numeric and order is None:
        notes.append("dates such as '" + next(lab for lab, (k, _) in dated.items() if k == "numeric")
                     + "' could be day/month or month/day and no date in the table decides it: no days "
                     "inferred from dates (enter them)")
    calendar: dict[str, date] = {}
    without_year = False
    for label, (kind, parts) in dated.items():
        ymd = _as_date(kind, parts, order)
        if ymd is None:
            continue
        year, month, day = ymd
        without_year = without_year or year is None
        try:
            calendar[label] = date(year or 2000, month, day)  # 2000: a leap year, so 29 Feb is a date
        except ValueError:
            notes.append(f"'{label}' is not a calendar date: no day inferred")
    dates = list(calendar.values())
    if without_year and any(later < earlier for earlier, later in itertools.pairwise(dates)):
        notes.append("dates without a year are not in order (a new year?): no days inferred from them")
        calendar = {}
    first = next(iter(calendar.values()), None)
    for label in labels:
        if label in calendar:
            days[label] = float((calendar[label] - first).days)
        else:
            stated = label_day(label)
            days[label] = None if stated is None else float(stated)
    if calendar:
        notes.append(f"days counted from the first date, '{next(iter(calendar))}' = day 0"
                     + (f" ({'day/month' if order == 'dm' else 'month/day'} order, decided by the table)"
                        if order else ""))
    stated = [label for label in labels if label not in calendar and days[label] is not None]
    if stated:
        notes.append("days read from labels: " + ", ".join(f"'{lab}' = day {days[lab]:g}" for lab in stated))
    return DayInference(days, notes)
