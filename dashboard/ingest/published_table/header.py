"""Timepoint names out of a flattened header line: `Admission After mPSL After DEX 6 weeks after discharge`.

The number of columns is known from the rows; the words are split into that many names, each name
scored by how much it reads like a timepoint (`Day 7`, `After X`, `6 weeks after X`, a date) and
penalised when it starts with a continuation word (`after`, `discharge`). Only a unique best split is
used: otherwise the columns are named T1..Tn and the user names them in the grid (the values are
placed by position either way, so a name never moves a value).
"""

from __future__ import annotations

import re
from functools import cache

from dashboard.domain.registry import header_words
from dashboard.domain.timepoints import label_day
from dashboard.ingest.wide import REFERENCE_HEADERS, UNIT_HEADERS

_LEADING = re.compile(
    r"^(?:(?:laboratory|lab)\s+(?:parameters?|tests?|data|findings|values|investigations?)|parameters?|variables?|"
    r"tests?|analytes?|investigations?|items?|laboratory)\b\s*", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(?:reference|normal|ref\.?)\s*(?:ranges?|values?|intervals?|limits?)?(?:\s*\(units?\))?",
                        re.IGNORECASE)
_UNIT = re.compile(r"^units?\b\s*|\s*\bunits?$", re.IGNORECASE)


def _any_of(words: set[str]) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")(?!\w)",
                      re.IGNORECASE)


# the reference and unit headers of every language (`Normes`, `Valeurs de référence`, `Einheit`): wide.py's words
REFERENCE_NAMED = _any_of(set(REFERENCE_HEADERS))
UNIT_NAMED = _any_of(set(UNIT_HEADERS) - {"unit", "units"})  # English `unit` only at either end (_UNIT)
_NAMED_ELSEWHERE = re.compile("(?:" + "|".join(map(re.escape, header_words("named"))) + ")", re.IGNORECASE)
_NAMED = re.compile(
    r"^(?:on |at |upon |before |after |pre-?|post-?)?(?:admission|discharge|baseline|presentation|diagnosis|"
    r"follow-?up|onset|referral|transfer|initial|peak|nadir|last|recovery|remission|relapse|treatment|"
    r"therapy|readmission|autopsy|birth|delivery|surgery|transplant(?:ation)?|icu|er|ed)$", re.IGNORECASE)
_ORDINAL = re.compile(r"^(?:first|second|third|fourth|fifth|last|\d+(?:st|nd|rd|th))\s+(?:day|week|month|admission|"
                      r"visit|sample|measurement|follow-?up|hospitali[sz]ation|presentation)$", re.IGNORECASE)
_RELATIVE = re.compile(r"^(?:after|before|post|pre|during|end of|start of|at|on|upon)\b.+", re.IGNORECASE)
_SPAN = re.compile(r"^\d+(?:\.\d+)?\s*(?:h|hours?|days?|d|weeks?|wks?|months?|mo|years?|y)\b.*", re.IGNORECASE)
_DATE = re.compile(r"^\d{1,4}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?$|^\d{1,2}\s+[A-Za-z]{3,9}(?:\s+\d{2,4})?$|"
                   r"^[A-Za-z]{3,9}\s+\d{1,2},?(?:\s+\d{2,4})?$")
_STARTERS = re.compile(r"^(?:After|Before|Day|Week|Admission|Discharge|Baseline|On|At|Post|Pre|Follow|HD|D\+)",
                       re.IGNORECASE)


def strip_roles(header: str) -> str:
    """The header without the label-column name and the reference/unit column names."""
    text = " ".join(header.split())
    text = _LEADING.sub("", text)
    text = REFERENCE_NAMED.sub(" ", _REFERENCE.sub(" ", text))
    text = UNIT_NAMED.sub(" ", _UNIT.sub(" ", " ".join(text.split())))
    return " ".join(text.split())


def _score(words: tuple[str, ...]) -> float:
    name = " ".join(words)
    score = 0.0
    patterns = (_NAMED, _DATE, _ORDINAL, _SPAN, _RELATIVE)
    if (label_day(name) is not None or re.fullmatch(r"\d+", name) or any(p.match(name) for p in patterns)
            or _NAMED_ELSEWHERE.fullmatch(name)):
        score += 3
    first = words[0]
    if first[:1].islower() and first.isalpha() and first.lower() == first:
        score -= 5
    score -= 2 * sum(1 for w in words[1:] if _STARTERS.match(w) and w[:1].isupper())
    return score - 0.01 * len(words)


def split_header(header: str, n: int) -> tuple[list[str], list[str], str]:
    """n timepoint names, the notes saying how they were found (or not), and the label column's header."""
    words = tuple(strip_roles(header).split())
    generic = [f"T{i + 1}" for i in range(n)]
    if n <= 0:
        return [], [], ""
    if len(words) == n:
        return list(words), [], ""
    refused = (generic, [(f"the header '{header}' could not be split into {n} timepoint names with certainty: "
                         f"named {', '.join(generic)} (name them in the grid)")], "")
    if len(words) < n:
        return refused

    @cache
    def best(start: int, groups: int) -> tuple[float, int, tuple[tuple[str, ...], ...]]:
        """(score, number of splits reaching it, one such split) of words[start:] in `groups` names."""
        if groups == 1:
            return _score(words[start:]), 1, (words[start:],)
        found: tuple[float, int, tuple] = (float("-inf"), 0, ())
        for end in range(start + 1, len(words) - groups + 2):
            score, ways, split = best(end, groups - 1)
            total = score + _score(words[start:end])
            if total > found[0] + 1e-9:
                found = (total, ways, (words[start:end], *split))
            elif abs(total - found[0]) <= 1e-9:
                found = (found[0], found[1] + ways, found[2])
        return found

    # Words before the first name may be the label column's header (`Infectious studies Day 1 Day 3`).
    options = [(best(k, n)[0] - 0.5 * k, k) for k in range(len(words) - n + 1)]
    top = max(score for score, _ in options)
    ties = [k for score, k in options if abs(score - top) <= 1e-9]
    score, ways, split = best(ties[0], n)
    if len(ties) > 1 or ways != 1 or score < 3 * n * 0.5:
        return refused
    names = [" ".join(group) for group in split]
    label_header = " ".join(words[:ties[0]])
    dropped = f" ('{label_header}' read as the label column's header)" if label_header else ""
    return names, [f"header '{header}' read as {n} timepoints: " + " | ".join(names) + dropped], label_header


def named_count(header: str, low: int, high: int) -> int | None:
    """The one number of timepoints in low..high into which the header splits with certainty, every word
    used (`Day 1 Day 3 Day 7` -> 3), or None. Used to tell rows with a blank cell from the table's width."""
    words = strip_roles(header).split()

    def certain(k: int) -> bool:
        if k == len(words):
            return all(_score((w,)) >= 3 - 0.02 for w in words)
        names, _, label_header = split_header(header, k)  # each name a timepoint, and the words left for
        return (names[0] != "T1" and all(_score(tuple(n.split())) >= 2.9 for n in names)  # the label column
                and not (label_header and _score(tuple(label_header.split())) >= 2.9))   # header are not one

    found = [k for k in range(max(low, 1), min(high, len(words)) + 1) if certain(k)]
    return found[0] if len(found) == 1 else None
