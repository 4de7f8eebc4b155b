"""docs/case-format.md stays true: every analyte, layout column and example message it shows exists."""

from __future__ import annotations

from dashboard.cli import main
from dashboard.domain.analytes import catalogue
from dashboard.ingest.bundle import MAX_ZIP_ENTRIES
from dashboard.ingest.grid import MAX_FILE_BYTES
from dashboard.ingest.long import LONG_ALIASES
from dashboard.ingest.sdtm import SDTM_ALIASES


def doc(root) -> str:
    return (root / "docs" / "case-format.md").read_text(encoding="utf-8")


def test_every_catalogue_analyte_is_documented(root):
    text = doc(root)
    for record in catalogue():
        assert f"| `{record.id}` | {record.name} | {record.unit or '—'} | {record.kind} |" in text


def test_layout_columns_are_documented(root):
    text = doc(root)
    for column in LONG_ALIASES:
        assert f"`{column}`" in text
    for names in SDTM_ALIASES.values():
        if names[0] != "LBORNRIND_TEXT":
            assert f"`{names[0]}`" in text


def test_limits_match_the_code(root):
    text = doc(root)
    assert f"over {MAX_FILE_BYTES // (1024 * 1024)} MB are refused" in text
    assert f"more than {MAX_ZIP_ENTRIES} entries" in text


def test_example_output_is_what_check_prints(root, capsys, monkeypatch):
    monkeypatch.chdir(root)
    text = doc(root)
    for path in ("tests/fixtures/bad/decimal_comma.csv", "data/cases/seed-sle-mas"):
        main(["check", path])
        printed = capsys.readouterr().out
        assert f"$ casetrack check {path}\n{printed}" in text


def _g(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def test_every_unit_spelling_is_documented_as_the_table_says(root):
    """docs/case-format.md's spelling table is the CSV, row for row, in order."""
    from dashboard.domain.units import spellings

    text = doc(root)
    rows = []
    for s in spellings():
        who = "any analyte" if s.analytes is None else ", ".join(f"`{a}`" for a in s.analytes)
        rows.append(f"| `{s.spelling}` | `{s.unit}` | {who}{' (exactly this case)' if s.exact_case else ''} | "
                    f"{s.note} |")
    table = "| written | means | for | note |\n|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
    assert table in text


def test_every_plausible_range_is_documented(root):
    text = doc(root)
    for a in catalogue():
        if a.plausible_low is None and a.plausible_high is None:
            continue
        common = ", ".join(f"`{u}`" for u in a.common_units) or "—"
        kept = ", ".join(f"`{u}`" for u in a.kept_units) or "—"
        assert f"| `{a.id}` | {_g(a.plausible_low)}–{_g(a.plausible_high)} {a.unit} | {common} | {kept} |" in text


def test_plausibility_factors_match_the_code(root):
    from dashboard.domain.plausibility import AGREEMENT, RANGE_OFF

    text = doc(root)
    assert f"within {AGREEMENT:g}× of the catalogue's default" in text
    assert f"reference range {RANGE_OFF:g}× or more away" in text
