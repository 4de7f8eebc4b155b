"""The criteria registry: every cut-off of every score, written once, as its source prints it.

Each `Criterion` says which score and item it belongs to, which timepoint-matrix input it reads, how it
compares (`>=`, `>`, `<=`, `<`, or `yes` for a finding), its cut-off in every unit the source prints
("3.0 mmol/L", "265 mg/dL"), the points it gives (HScore) and the source. The score modules evaluate these
records (`scores.logic.meets`); docs/scores.md's criteria table, the "why" lines (`rule_text`) and the
chart constants are derived from them, and a test holds the docs table equal to `criteria_table()`.
The reference calculator in benchmarks/ stays independent of this table on purpose.

Printed-unit rule: when a value arrived in a unit in which the source prints a cut-off (the tidy table's
`orig_unit`), it is compared with that printed cut-off in that unit; otherwise the canonical value is
compared with the cut-off in the canonical unit, or converted (`UNIT_FACTORS`) to the first printed unit.
So 265 mg/dL meets HLH-2004's "≥ 3.0 mmol/L (≥ 265 mg/dL)" although 3.0 mmol/L is 265.7 mg/dL.

`Tally` records hold the counting rules (2 lineages → 24 points; ≥ 5 of 8 criteria).
"""

from __future__ import annotations

from dataclasses import dataclass

FARDET = "Fardet L et al. Arthritis Rheumatol 2014;66(9):2613-20 (HScore), Table 3"
HENTER = "Henter JI et al. Pediatr Blood Cancer 2007;48(2):124-31 (HLH-2004), Table 1"
RAVELLI = "Ravelli A et al. Arthritis Rheumatol 2016;68(3):566-76 (2016 EULAR/ACR/PRINTO MAS)"
PARODI = "Parodi A et al. Arthritis Rheum 2009;60(11):3388-99 (MAS in juvenile SLE)"
MINOIA = "Minoia F et al. Ann Rheum Dis 2019;78(10):1357-62 (MS score)"
ELOSEILY = "Eloseily EMA et al. Arthritis Rheumatol 2020;72(2):326-34 (ferritin/ESR)"

# matrix input -> (how a reader names it, canonical unit of the matrix column)
INPUTS: dict[str, tuple[str, str]] = {
    "hemoglobin_g_per_l": ("Hb", "g/L"),
    "platelets_1e9_per_l": ("platelets", "×10⁹/L"),
    "wbc_1e9_per_l": ("WBC", "×10⁹/L"),
    "neutrophils_1e9_per_l": ("neutrophils", "×10⁹/L"),
    "ferritin_ng_per_ml": ("ferritin", "ng/mL"),
    "triglycerides_mmol_per_l": ("triglycerides", "mmol/L"),
    "fibrinogen_g_per_l": ("fibrinogen", "g/L"),
    "ast_u_per_l": ("AST", "U/L"),
    "ldh_u_per_l": ("LDH", "U/L"),
    "esr_mm_per_h": ("ESR", "mm/h"),
    "temperature_c": ("temperature", "°C"),
    "scd25_u_per_ml": ("sCD25", "U/mL"),
    "hepatomegaly_cm": ("liver below the costal margin", "cm"),
    "splenomegaly_cm": ("spleen below the costal margin", "cm"),
    "immunosuppression": ("known immunosuppression", ""),
    "hepatomegaly": ("hepatomegaly", ""),
    "splenomegaly": ("splenomegaly", ""),
    "hemophagocytosis": ("hemophagocytosis", ""),
    "nk_low": ("low or absent NK-cell activity", ""),
    "hemorrhage": ("hemorrhagic manifestations", ""),
    "cns_involvement": ("CNS involvement", ""),
    "arthritis": ("active arthritis", ""),
    "hscore.points": ("HScore", "points"),
    "hlh2004.met": ("HLH-2004 criteria met", ""),
    "ms_score.value": ("MS score", ""),
    "ferritin_esr_ratio.value": ("ferritin/ESR", ""),
}

# value in the printed unit = value in the input's canonical unit × factor (clinical-criteria.md, unit facts)
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("triglycerides_mmol_per_l", "mg/dL"): 88.57,
    ("fibrinogen_g_per_l", "mg/dL"): 100.0,
    ("hemoglobin_g_per_l", "g/dL"): 0.1,
    ("ferritin_ng_per_ml", "µg/L"): 1.0,
}

OPS: tuple[str, ...] = (">=", ">", "<=", "<", "yes")
_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


@dataclass(frozen=True)
class Criterion:
    score: str                 # "hscore"
    item: str                  # the item or criterion id in the score's columns ("ferritin")
    input: str                 # timepoint-matrix input it reads ("ferritin_ng_per_ml")
    op: str                    # ">=", ">", "<=", "<", or "yes" (a finding present)
    cutoffs: tuple[str, ...]   # as printed, main unit first: ("3.0 mmol/L", "265 mg/dL"); () for "yes"
    points: int | None         # points when met (HScore), None for a met / not met criterion
    source: str

    def cut(self, unit: str) -> float | None:
        """The printed cut-off in `unit`, or None when the source does not print one in it."""
        for text in self.cutoffs:
            value, printed_unit = _split(text)
            if printed_unit == unit:
                return value
        return None

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(_split(text)[1] for text in self.cutoffs)

    @property
    def text(self) -> str:
        """"AST ≥ 30 U/L → 19", "triglycerides ≥ 3.0 mmol/L (≥ 265 mg/dL)", "splenomegaly: yes"."""
        label = INPUTS[self.input][0]
        if self.op == "yes":
            rule = f"{label}: yes"
        else:
            symbol = _SYMBOL[self.op]
            first, *others = self.cutoffs
            rule = f"{label} {symbol} {first}".rstrip()
            if others:
                rule += " (" + ", ".join(f"{symbol} {o}" for o in others) + ")"
        return rule if self.points is None else f"{rule} → {self.points}"


@dataclass(frozen=True)
class Tally:
    """A counting rule: `points[n]` for n criteria met (HScore), or met when at least `needed` are."""

    score: str
    item: str
    points: tuple[int, ...] | None
    needed: int | None
    source: str

    @property
    def text(self) -> str:
        if self.points is not None:
            return " · ".join(f"{n}: {p}" for n, p in enumerate(self.points) if p or n == len(self.points) - 1)
        return f"at least {self.needed}"


def _split(text: str) -> tuple[float, str]:
    number, _, unit = text.partition(" ")
    return float(number), unit


C = Criterion
CRITERIA: tuple[Criterion, ...] = (
    # HScore: bands of one item in order, highest first; an item scores the first band it meets, else 0
    C("hscore", "immunosuppression", "immunosuppression", "yes", (), 18, FARDET),
    C("hscore", "temperature", "temperature_c", ">", ("39.4 °C",), 49, FARDET),
    C("hscore", "temperature", "temperature_c", ">=", ("38.4 °C",), 33, FARDET),
    C("hscore", "organomegaly", "hepatomegaly", "yes", (), None, FARDET),
    C("hscore", "organomegaly", "splenomegaly", "yes", (), None, FARDET),
    C("hscore", "cytopenias", "hemoglobin_g_per_l", "<=", ("9.2 g/dL",), None, FARDET),
    C("hscore", "cytopenias", "wbc_1e9_per_l", "<=", ("5.0 ×10⁹/L",), None, FARDET),
    C("hscore", "cytopenias", "platelets_1e9_per_l", "<=", ("110 ×10⁹/L",), None, FARDET),
    C("hscore", "ferritin", "ferritin_ng_per_ml", ">", ("6000 ng/mL",), 50, FARDET),
    C("hscore", "ferritin", "ferritin_ng_per_ml", ">=", ("2000 ng/mL",), 35, FARDET),
    C("hscore", "triglycerides", "triglycerides_mmol_per_l", ">", ("4 mmol/L",), 64, FARDET),
    C("hscore", "triglycerides", "triglycerides_mmol_per_l", ">=", ("1.5 mmol/L",), 44, FARDET),
    C("hscore", "fibrinogen", "fibrinogen_g_per_l", "<=", ("2.5 g/L",), 30, FARDET),
    C("hscore", "ast", "ast_u_per_l", ">=", ("30 U/L",), 19, FARDET),
    C("hscore", "hemophagocytosis", "hemophagocytosis", "yes", (), 35, FARDET),
    C("hscore", "diagnosis", "hscore.points", ">=", ("169 points",), None, FARDET),
    # HLH-2004
    C("hlh2004", "fever", "temperature_c", ">=", ("38.5 °C",), None, HENTER),
    C("hlh2004", "splenomegaly", "splenomegaly", "yes", (), None, HENTER),
    C("hlh2004", "cytopenias", "hemoglobin_g_per_l", "<", ("90 g/L",), None, HENTER),
    C("hlh2004", "cytopenias", "platelets_1e9_per_l", "<", ("100 ×10⁹/L",), None, HENTER),
    C("hlh2004", "cytopenias", "neutrophils_1e9_per_l", "<", ("1.0 ×10⁹/L",), None, HENTER),
    C("hlh2004", "triglycerides_fibrinogen", "triglycerides_mmol_per_l", ">=", ("3.0 mmol/L", "265 mg/dL"),
      None, HENTER),
    C("hlh2004", "triglycerides_fibrinogen", "fibrinogen_g_per_l", "<=", ("1.5 g/L",), None, HENTER),
    C("hlh2004", "hemophagocytosis", "hemophagocytosis", "yes", (), None, HENTER),
    C("hlh2004", "nk_activity", "nk_low", "yes", (), None, HENTER),
    C("hlh2004", "ferritin", "ferritin_ng_per_ml", ">=", ("500 µg/L",), None, HENTER),
    C("hlh2004", "scd25", "scd25_u_per_ml", ">=", ("2400 U/mL",), None, HENTER),
    # 2016 EULAR/ACR/PRINTO (febrile: temperature ≥ 38.0 °C, our reading of "a febrile patient")
    C("mas2016", "febrile", "temperature_c", ">=", ("38.0 °C",), None, RAVELLI),
    C("mas2016", "ferritin", "ferritin_ng_per_ml", ">", ("684 ng/mL",), None, RAVELLI),
    C("mas2016", "platelets", "platelets_1e9_per_l", "<=", ("181 ×10⁹/L",), None, RAVELLI),
    C("mas2016", "ast", "ast_u_per_l", ">", ("48 U/L",), None, RAVELLI),
    C("mas2016", "triglycerides", "triglycerides_mmol_per_l", ">", ("156 mg/dL",), None, RAVELLI),
    C("mas2016", "fibrinogen", "fibrinogen_g_per_l", "<=", ("360 mg/dL",), None, RAVELLI),
    # Parodi 2009
    C("parodi2009", "fever", "temperature_c", ">", ("38 °C",), None, PARODI),
    C("parodi2009", "hepatomegaly", "hepatomegaly_cm", ">=", ("3 cm",), None, PARODI),
    C("parodi2009", "splenomegaly", "splenomegaly_cm", ">=", ("3 cm",), None, PARODI),
    C("parodi2009", "hemorrhage", "hemorrhage", "yes", (), None, PARODI),
    C("parodi2009", "cns_involvement", "cns_involvement", "yes", (), None, PARODI),
    C("parodi2009", "cytopenias", "wbc_1e9_per_l", "<=", ("4.0 ×10⁹/L",), None, PARODI),
    C("parodi2009", "cytopenias", "hemoglobin_g_per_l", "<=", ("90 g/L",), None, PARODI),
    C("parodi2009", "cytopenias", "platelets_1e9_per_l", "<=", ("150 ×10⁹/L",), None, PARODI),
    C("parodi2009", "ferritin", "ferritin_ng_per_ml", ">", ("500 µg/L",), None, PARODI),
    C("parodi2009", "ast", "ast_u_per_l", ">", ("40 U/L",), None, PARODI),
    C("parodi2009", "ldh", "ldh_u_per_l", ">", ("567 U/L",), None, PARODI),
    C("parodi2009", "fibrinogen", "fibrinogen_g_per_l", "<=", ("1.5 g/L",), None, PARODI),
    C("parodi2009", "triglycerides", "triglycerides_mmol_per_l", ">", ("178 mg/dL",), None, PARODI),
    # thresholds on a computed value
    C("ms_score", "mas", "ms_score.value", ">=", ("-2.1",), None, MINOIA),
    C("ferritin_esr_ratio", "favours_mas", "ferritin_esr_ratio.value", ">", ("21.5",), None, ELOSEILY),
)

TALLIES: tuple[Tally, ...] = (
    Tally("hscore", "organomegaly", (0, 23, 38), None, FARDET),
    Tally("hscore", "cytopenias", (0, 0, 24, 34), None, FARDET),
    Tally("hlh2004", "cytopenias", None, 2, HENTER),
    Tally("hlh2004", "fulfilled", None, 5, HENTER),
    Tally("mas2016", "laboratory", None, 2, RAVELLI),
    Tally("parodi2009", "cytopenias", None, 2, PARODI),
    Tally("parodi2009", "clinical", None, 1, PARODI),
    Tally("parodi2009", "laboratory", None, 2, PARODI),
)


def rules(score: str, item: str) -> tuple[Criterion, ...]:
    """The criteria of one item in registry order (HScore bands highest first); an error if none."""
    found = tuple(c for c in CRITERIA if c.score == score and c.item == item)
    if not found:
        raise KeyError(f"no criterion {score}.{item} in the criteria registry")
    return found


def rule(score: str, item: str) -> Criterion:
    """The one criterion of an item that has exactly one."""
    (only,) = rules(score, item)
    return only


def band(score: str, item: str, points: int) -> Criterion | None:
    """The criterion through which an item scored `points` (None when no band gives them, e.g. 0), for a
    "why" line: band("hscore", "ast", 19).text == "AST ≥ 30 U/L → 19"."""
    return next((c for c in rules(score, item) if c.points == points), None)


def inputs_of(score: str, item: str) -> tuple[str, ...]:
    """The timepoint-matrix inputs an item reads, in registry order (matrix.ANALYTE_OF names their analyte,
    so a "why" line can point at the tidy rows behind them)."""
    return tuple(dict.fromkeys(c.input for c in rules(score, item)))


def tally(score: str, item: str) -> Tally:
    (only,) = (t for t in TALLIES if t.score == score and t.item == item)
    return only


def rule_text(score: str, item: str) -> str:
    """What an item or criterion takes, in words: "AST ≥ 30 U/L → 19",
    "ferritin > 6000 ng/mL → 50; ferritin ≥ 2000 ng/mL → 35; else 0",
    "≥ 2 of: Hb < 90 g/L, platelets < 100 ×10⁹/L, neutrophils < 1.0 ×10⁹/L"."""
    found = rules(score, item)
    counted = [t for t in TALLIES if t.score == score and t.item == item]
    parts = [c.text for c in found]
    if counted and counted[0].points is not None:
        return f"count of: {', '.join(parts)} (count → points {counted[0].text})"
    if counted:
        return f"≥ {counted[0].needed} of: {', '.join(parts)}"
    if score == "hlh2004" and item == "triglycerides_fibrinogen":
        return " and/or ".join(parts)
    if any(c.points for c in found):
        return "; ".join(parts) + "; else 0"
    return "; ".join(parts)


def item_points(score: str, item: str) -> int:
    """The most points an item can give (its top band, or the top of its count table)."""
    counted = [t for t in TALLIES if t.score == score and t.item == item and t.points]
    if counted:
        return max(counted[0].points)
    return max(c.points or 0 for c in rules(score, item))


def factor(input_name: str, unit: str) -> float:
    """Value in `unit` = value in the input's canonical unit × factor; 1 for the canonical unit itself."""
    if INPUTS[input_name][1] == unit:
        return 1.0
    try:
        return UNIT_FACTORS[(input_name, unit)]
    except KeyError:
        raise KeyError(f"no conversion of {input_name} to {unit!r} in criteria.UNIT_FACTORS") from None


def printed_units() -> tuple[tuple[str, str], ...]:
    """(input, unit) where a source prints a cut-off in a unit whose numbers differ from the canonical
    unit's: the timepoint matrix carries values that arrived in those units as they were written."""
    pairs = {
        (c.input, unit) for c in CRITERIA for unit in c.units
        if unit != INPUTS[c.input][1] and factor(c.input, unit) != 1.0
    }
    return tuple(sorted(pairs))


HSCORE_ITEMS: tuple[str, ...] = tuple(
    dict.fromkeys(c.item for c in CRITERIA if c.score == "hscore" and c.item != "diagnosis")
)
# Chart and headline constants, derived from the registry (charts/scores.py should import these)
HSCORE_MAX_POINTS: int = sum(item_points("hscore", i) for i in HSCORE_ITEMS)  # 337
HSCORE_CUT_OFF: float = rule("hscore", "diagnosis").cut("points")  # 169
HLH2004_CRITERIA: tuple[str, ...] = tuple(
    dict.fromkeys(c.item for c in CRITERIA if c.score == "hlh2004")
)  # the 8 criteria
HLH2004_REQUIRED: int = tally("hlh2004", "fulfilled").needed  # 5
MS_SCORE_CUT_OFF: float = rule("ms_score", "mas").cut("")  # -2.1
FERRITIN_ESR_CUT_OFF: float = rule("ferritin_esr_ratio", "favours_mas").cut("")  # 21.5


def criteria_table() -> str:
    """The registry as the Markdown table in docs/scores.md (a test holds the two equal)."""
    lines = ["| score | item | rule | source |", "|---|---|---|---|"]
    for score, item in dict.fromkeys((c.score, c.item) for c in CRITERIA):
        lines.append(f"| {score} | {item} | {rule_text(score, item)} | {_cite(rules(score, item)[0].source)} |")
    items = {(c.score, c.item) for c in CRITERIA}
    for t in TALLIES:
        if (t.score, t.item) not in items:
            rule_words = f"{_TALLY_TEXT[(t.score, t.item)]} {t.text}"
            lines.append(f"| {t.score} | {t.item} | {rule_words} | {_cite(t.source)} |")
    return "\n".join(lines)


_TALLY_TEXT = {
    ("hlh2004", "fulfilled"): "criteria met:",
    ("mas2016", "laboratory"): "febrile and ferritin, and of platelets, AST, triglycerides, fibrinogen:",
    ("parodi2009", "clinical"): "clinical criteria met (and the laboratory rule):",
    ("parodi2009", "laboratory"): "laboratory criteria met (and the clinical rule):",
}


def _cite(source: str) -> str:
    return source.split(" (")[0].split(";")[0]
