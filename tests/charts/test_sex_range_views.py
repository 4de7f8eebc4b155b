"""Where a range printed per sex is shown: the case figure's bands, hover, HTML report, derived table, response."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.charts.case_figure import case_figure
from dashboard.charts.style import FLAG_NAMES
from dashboard.charts.trajectories import hover_texts
from dashboard.domain.flags import PER_SEX_UNKNOWN, reference_flags
from dashboard.domain.response import response_table
from dashboard.domain.schema import event_frame
from dashboard.ingest.bundle import load_case
from dashboard.report.html import reference_text
from dashboard.views import derived_table

LABS = ('Analyte,Reference range,Day 0,Day 3,Day 7\n'
        'Hemoglobin (g/dL),M: 13-17; F: 12-15,8.1,12.5,14\n'
        'Ferritin (ng/mL),"M 30-400, F 15-150",12000,3000,300\n')


def flags_of(tmp_path: Path, sex: str | None) -> pd.DataFrame:
    folder = tmp_path / "case"
    folder.mkdir(parents=True)
    (folder / "labs.csv").write_text(LABS, encoding="utf-8")
    toml = '[timepoints]\n"Day 0" = 0\n"Day 3" = 3\n"Day 7" = 7\n'
    (folder / "case.toml").write_text(toml + (f'[patient]\nsex = "{sex}"\n' if sex else ""), encoding="utf-8")
    return reference_flags(load_case(folder).observations)


def bands(figure) -> dict[str, tuple[float, float]]:
    return {s.name: (s.y0, s.y1) for s in figure.layout.shapes if s.name and s.name.startswith("reference:")}


def test_sex_unknown_draws_both_sexes_bands_labelled(tmp_path):
    figure = case_figure(flags_of(tmp_path, None), analytes=["hemoglobin", "ferritin"])
    assert bands(figure) == {"reference:hemoglobin:F": (120.0, 150.0), "reference:hemoglobin:M": (130.0, 170.0),
                             "reference:ferritin:F": (15.0, 150.0), "reference:ferritin:M": (30.0, 400.0)}
    labels = {s.name: s.label.text for s in figure.layout.shapes if s.name and s.name.startswith("reference:")}
    assert labels["reference:hemoglobin:F"] == "F" and labels["reference:ferritin:M"] == "M"


def test_sex_known_draws_the_applied_range_only(tmp_path):
    figure = case_figure(flags_of(tmp_path, "F"), analytes=["hemoglobin", "ferritin"])
    assert bands(figure) == {"reference:hemoglobin": (120.0, 150.0), "reference:ferritin": (15.0, 150.0)}


def test_hover_says_why_a_flag_is_unknown(tmp_path):
    flags = flags_of(tmp_path, None)
    texts = hover_texts(flags[flags["analyte"] == "hemoglobin"], "g/L")
    assert "<br>low<br>" in texts[0]
    assert "<br>unknown: range depends on sex; set [patient] sex in case.toml<br>" in texts[1]
    assert "<br>within range<br>" in texts[2]  # 14 g/dL: within 12-15 and 13-17


def test_html_reference_shows_the_applied_range_or_both(tmp_path):
    unknown, female = flags_of(tmp_path / "u", None), flags_of(tmp_path / "f", "F")
    assert reference_text(unknown[unknown["analyte"] == "hemoglobin"]) == "F 120–150, M 130–170 (sex unknown)"
    assert reference_text(female[female["analyte"] == "hemoglobin"]) == \
        "120–150 (female; printed M: 13-17; F: 12-15)"
    assert reference_text(female[female["analyte"] == "ferritin"]) == "15–150 (female; printed M 30-400, F 15-150)"


@pytest.fixture(params=[None, "M"])
def sex(request):
    return request.param


def test_derived_table_keeps_both_ranges_and_the_note(tmp_path, sex):
    derived = derived_table(flags_of(tmp_path, sex)).set_index(["analyte", "timepoint"])
    hb = derived.loc[("hemoglobin", "Day 3")]
    assert (hb["ref_low_f"], hb["ref_high_f"], hb["ref_low_m"], hb["ref_high_m"]) == (120.0, 150.0, 130.0, 170.0)
    if sex is None:
        assert pd.isna(hb["ref_low"]) and hb["ref_source"] == PER_SEX_UNKNOWN and pd.isna(hb["flag"])
        assert hb["flag_note"] == "range depends on sex; set [patient] sex in case.toml"
    else:  # 12.5 g/dL is below the male 13
        assert (hb["ref_low"], hb["ref_source"], hb["flag"]) == (130.0, "report, male", "L")
        assert pd.isna(hb["flag_note"])


def test_response_never_puts_the_catalogue_in_place_of_an_unknown_sex_limit(tmp_path):
    unknown = response_table(flags_of(tmp_path / "u", None), event_frame()).set_index("analyte")
    female = response_table(flags_of(tmp_path / "f", "F"), event_frame()).set_index("analyte")
    assert np.isnan(unknown.loc["ferritin", "reference_limit"])  # 150 or 400: not the catalogue's
    assert unknown.loc["ferritin", "reference_source"] == PER_SEX_UNKNOWN
    assert (female.loc["ferritin", "reference_limit"], female.loc["ferritin", "reference_source"]) == (150.0, "report")
    assert np.isnan(unknown.loc["ferritin", "normal_after"]) and np.isnan(unknown.loc["ferritin", "normal_by"])
    assert female.loc["ferritin", "normal_after"] == 7.0 and np.isnan(female.loc["ferritin", "normal_by"])  # 300 > 150


def test_html_flags_table_marks_a_flag_unknown_for_the_sex(tmp_path):
    from dashboard.report.html import flags_table

    html = flags_table(flags_of(tmp_path, None))
    assert "125 <b title='range depends on sex; set [patient] sex in case.toml'>?</b>" in html  # Hb 12.5 g/dL
    assert "81 <b>L</b>" in html and "140</td>" in html  # low for both, within both
    assert "?</b>" not in flags_table(flags_of(tmp_path / "f", "F"))


def test_x_uln_view_says_which_analytes_it_leaves_out_for_the_sex(tmp_path):
    def title(flags):
        figure = case_figure(flags, analytes=["hemoglobin", "ferritin"], scale="xuln")
        return next(a.text for a in figure.layout.annotations if a.name == "panel-title")

    assert title(flags_of(tmp_path / "u", None)) == ("All analytes, × upper limit of normal (not shown where unknown: "
                                                     "Hemoglobin, Ferritin, ULN depends on sex)")
    assert title(flags_of(tmp_path / "f", "F")) == "All analytes, × upper limit of normal"


def test_flag_heatmap_hover_says_why_a_flag_is_unknown(tmp_path):
    from dashboard.charts.heatmap import flag_heatmap

    figure = flag_heatmap(flags_of(tmp_path, None))
    hover = [h for row in figure.data[0].hovertext for h in row]
    assert any("125 g/L" in h and h.endswith("<br>unknown: range depends on sex; set [patient] sex in case.toml")
               for h in hover)
    assert not any(FLAG_NAMES["unknown"] in h for h in hover)  # every range here was printed: the hover says why
