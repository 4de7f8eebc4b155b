"""A saved web page and a real PDF of the same table (printed by Debian's chromium, so it has a text layer).

tests/fixtures/published/labs_table.html is a journal-style table of our own: a <caption>, section rows
spanning the table, `×10<sup>9</sup>/L` (which a copy flattens to `×109/L`), a footnote marker, `nd`,
thousands commas and a censored `>40,000`. The PDF is printed from it at test time with
`chromium --headless --print-to-pdf` and read back with pdfplumber. Both must give the same case, with
values worked out by hand in canonical units (TG 1 mmol/L = 88.57 mg/dL; fibrinogen 100 mg/dL = 1 g/L).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.ingest.bundle import load_case

HTML = Path(__file__).resolve().parents[1] / "fixtures" / "published" / "labs_table.html"
TG = 88.57
EXPECTED = {
    ("wbc", "Day 1"): 1.9, ("wbc", "Day 4"): 2.4, ("wbc", "Day 10"): 5.6,
    ("hemoglobin", "Day 1"): 81.0, ("hemoglobin", "Day 4"): 76.0, ("hemoglobin", "Day 10"): 98.0,
    ("platelets", "Day 1"): 41.0, ("platelets", "Day 4"): 28.0, ("platelets", "Day 10"): 133.0,
    ("ferritin", "Day 1"): 40000.0, ("ferritin", "Day 4"): 18250.0, ("ferritin", "Day 10"): 2140.0,
    ("triglycerides", "Day 1"): 412 / TG, ("triglycerides", "Day 10"): 198 / TG,
    ("fibrinogen", "Day 1"): 1.18, ("fibrinogen", "Day 4"): 0.96, ("fibrinogen", "Day 10"): 2.4,
    ("ast", "Day 1"): 236.0, ("ast", "Day 4"): 190.0, ("ast", "Day 10"): 48.0,
    ("ldh", "Day 1"): 1890.0, ("ldh", "Day 4"): 1420.0, ("ldh", "Day 10"): 310.0,
    ("crp", "Day 1"): 9.6, ("crp", "Day 10"): 1.2,
}


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    """The HTML table printed to PDF by Debian's chromium (never a downloaded browser)."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (make chromium)"
    out = tmp_path_factory.mktemp("pdf") / "labs_table.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", HTML.as_uri()], check=True, capture_output=True, timeout=120)
    assert out.read_bytes()[:5] == b"%PDF-"
    return out


def _imported(source: Path, out: Path):
    assert main(["from-table", str(source), "--out", str(out)]) == 0
    return load_case(out)


def _check(case) -> None:
    obs = case.observations
    got = {(row.analyte, row.timepoint): float(row.value) for row in obs[obs["orig_text"].notna()].itertuples()}
    assert got == pytest.approx(EXPECTED, rel=1e-9)
    ferritin = obs[(obs["analyte"] == "ferritin") & (obs["timepoint"] == "Day 1")].iloc[0]
    assert ferritin["qualifier"] == ">"
    assert case.meta["title"] == "Table 2 Laboratory findings during the hospital stay"
    assert case.meta["timepoints"] == {"Day 1": 1, "Day 4": 4, "Day 10": 10}


def test_saved_web_page(tmp_path):
    case = _imported(HTML, tmp_path / "from-html")
    _check(case)
    report = (tmp_path / "from-html" / "import-report.txt").read_text(encoding="utf-8")
    assert "layout: html" in report
    assert "'7.6*' -> '7.6': footnote marker '*' removed" in report
    assert "'Complete blood count' has no values: read as a section header" in report


def test_pdf_printed_by_chromium(pdf, tmp_path):
    case = _imported(pdf, tmp_path / "from-pdf")
    _check(case)
    report = (tmp_path / "from-pdf" / "import-report.txt").read_text(encoding="utf-8")
    assert "layout: pdf" in report
    assert report.count("read as the exponent 10^9") == 2  # the <sup>9</sup> the PDF text flattens


def test_pdf_text_copied_and_pasted_flat_gives_the_same_case(pdf, tmp_path):
    """What a reader gets by selecting the PDF table and pasting it: lines, cells joined by spaces."""
    from dashboard.ingest.published_table.documents import pdf_lines

    text = "\n".join(line.replace("\t", " ") for line in pdf_lines(pdf.read_bytes()))
    source = tmp_path / "pasted.txt"
    source.write_text(text, encoding="utf-8")
    _check(_imported(source, tmp_path / "from-text"))


def test_stdin_and_no_table(tmp_path, monkeypatch, capsys):
    import io
    import sys

    text = "Parameter\tDay 1\tDay 3\nFerritin (ng/mL)\t9560\t8580\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["from-table", "-", "--out", str(tmp_path / "stdin-case")]) == 0
    assert load_case(tmp_path / "stdin-case").meta["timepoints"] == {"Day 1": 1, "Day 3": 3}
    prose = tmp_path / "prose.txt"
    prose.write_text("The patient was discharged on day 11 in good health.\n", encoding="utf-8")
    assert main(["from-table", str(prose), "--out", str(tmp_path / "none")]) == 1
    assert "no table found" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()


def test_pdf_blank_cells_are_placed_by_their_position(tmp_path):
    """A PDF row with blank (not measured) cells: each printed value lands in the column it sits under."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (make chromium)"
    pdf = tmp_path / "blank_cells.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", (HTML.parent / "blank_cells.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    case = _imported(pdf, tmp_path / "blank")
    obs = case.observations
    got = {(row.analyte, row.timepoint): float(row.value) for row in obs[obs["orig_text"].notna()].itertuples()}
    assert got == pytest.approx({
        ("ferritin", "Day 1"): 12450.0, ("ferritin", "Day 5"): 3200.0, ("ferritin", "Day 12"): 410.0,
        ("platelets", "Day 1"): 35.0, ("platelets", "Day 2"): 28.0, ("platelets", "Day 12"): 190.0,
        ("ast", "Day 2"): 310.0, ("ast", "Day 5"): 120.0,
        ("fibrinogen", "Day 1"): 1.1, ("fibrinogen", "Day 2"): 0.9, ("fibrinogen", "Day 5"): 1.8,
        ("fibrinogen", "Day 12"): 2.9,
        ("triglycerides", "Day 1"): 4.2, ("triglycerides", "Day 2"): 4.6, ("triglycerides", "Day 5"): 3.1,
        ("triglycerides", "Day 12"): 1.9,
    })
    assert "blank cells placed by their position" in (tmp_path / "blank" / "import-report.txt").read_text("utf-8")


def test_pdf_page_option(pdf, tmp_path, capsys):
    assert main(["from-table", str(pdf), "--page", "1", "--out", str(tmp_path / "page1")]) == 0
    _check(load_case(tmp_path / "page1"))
    assert main(["from-table", str(pdf), "--page", "2", "--out", str(tmp_path / "page2")]) == 1  # one page only
    assert "no table found" in capsys.readouterr().err
