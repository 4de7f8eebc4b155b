"""The synthetic cohort generator: schema, realism (MAS-like and not, mixed units, gaps) and round trips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.domain.analytes import analyte
from dashboard.domain.matrix import timepoint_matrix
from dashboard.domain.schema import EVENT_COLUMNS, OBSERVATION_COLUMNS, event_frame, observation_frame
from dashboard.domain.scores import score_observations
from dashboard.domain.units import conversion_factor
from dashboard.ingest.bundle import load_case
from dashboard.synth import (
    LABS,
    MISSING_RATE,
    synthetic_events,
    synthetic_matrix,
    synthetic_observations,
    wide_labs,
    write_case_folders,
)

N = 400


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return synthetic_observations(N, seed=7)


@pytest.fixture(scope="module")
def scores(cohort) -> pd.DataFrame:
    return score_observations(cohort)


def test_observations_follow_the_tidy_schema(cohort):
    assert tuple(cohort.columns) == OBSERVATION_COLUMNS
    assert cohort.dtypes.to_dict() == observation_frame().dtypes.to_dict()
    assert cohort["case_id"].nunique() == N
    assert set(cohort["tp_order"].unique()) == {0, 1, 2, 3}


def test_same_seed_same_cohort_other_seed_other_cohort(cohort):
    pd.testing.assert_frame_equal(synthetic_observations(N, seed=7), cohort)
    assert not synthetic_observations(N, seed=8)["value"].equals(cohort["value"])


def test_empty_and_invalid_sizes():
    assert synthetic_observations(0).empty
    assert tuple(synthetic_observations(0).columns) == OBSERVATION_COLUMNS
    with pytest.raises(ValueError, match="timepoints_per_case"):
        synthetic_observations(3, timepoints_per_case=0)


def test_every_analyte_is_in_the_catalogue_in_its_canonical_unit(cohort):
    for analyte_id, unit in cohort[["analyte", "unit"]].drop_duplicates().itertuples(index=False):
        entry = analyte(analyte_id)
        if entry.kind == "numeric":
            assert unit == entry.unit, analyte_id


@pytest.mark.parametrize("spec", [s for s in LABS if s.alt_unit], ids=lambda s: s.analyte)
def test_alternative_unit_factors_agree_with_the_unit_module(spec):
    entry = analyte(spec.analyte)
    factor = conversion_factor(entry.unit, spec.alt_unit, entry.molar_mass)
    assert factor == pytest.approx(spec.alt_factor, rel=1e-3)


@pytest.mark.parametrize(
    ("analyte_id", "units"),
    [("triglycerides", {"mg/dL", "mmol/L"}), ("hemoglobin", {"g/dL", "g/L"}),
     ("platelets", {"/µL", "10^9/L"}), ("fibrinogen", {"mg/dL", "g/L"})],
)
def test_source_units_are_mixed_and_values_are_canonical(cohort, analyte_id, units):
    rows = cohort[cohort["analyte"] == analyte_id]
    assert set(rows["orig_unit"].unique()) == units
    spec = next(s for s in LABS if s.analyte == analyte_id)
    alt = rows[rows["orig_unit"] == spec.alt_unit]
    np.testing.assert_allclose(alt["value"] * spec.alt_factor, alt["orig_value"], rtol=1e-9)
    same = rows[rows["orig_unit"] == spec.unit]
    assert (same["value"] == same["orig_value"]).all()


def test_seed_like_value_triglycerides_365_8_mg_dl_is_4_13_mmol_l():
    spec = next(s for s in LABS if s.analyte == "triglycerides")
    assert 365.8 / spec.alt_factor == pytest.approx(4.13, abs=0.005)


def test_some_routine_labs_are_missing(cohort):
    cells = N * 4
    for analyte_id in ("ferritin", "platelets", "ast"):
        share = 1 - (cohort["analyte"] == analyte_id).sum() / cells
        assert share == pytest.approx(MISSING_RATE, abs=0.03), analyte_id


def test_findings_are_results_and_organ_sizes_are_cm(cohort):
    spleen = cohort[cohort["analyte"] == "splenomegaly"]
    assert set(spleen["result"].unique()) == {"positive", "negative"}
    assert (spleen.loc[spleen["value"].notna(), "result"] == "positive").all()
    assert (spleen["unit"] == "cm").all()
    immuno = cohort[cohort["analyte"] == "immunosuppression"]
    assert set(zip(immuno["result"], immuno["value"])) == {("positive", 1.0), ("negative", 0.0)}
    assert set(cohort.loc[cohort["analyte"] == "nk_activity", "result"].unique()) == {"low", "normal"}


def test_cohort_mixes_mas_like_and_non_mas_trajectories(scores):
    hscore = scores["hscore.points"].astype("float64")
    assert (hscore >= 169).sum() > 20  # MAS-like timepoints above Fardet's cut-off
    assert (hscore < 100).sum() > N  # and plenty of ordinary ones
    classified = scores["mas2016.classified"]
    assert classified.eq(True).sum() > 20
    assert classified.eq(False).sum() > N


def test_mas_like_cases_have_high_ferritin_low_platelets_and_improve(cohort):
    wide = cohort.pivot_table(index=["case_id", "tp_order"], columns="analyte", values="value",
                              aggfunc="first").reset_index()
    hot = wide[wide["ferritin"] > 5000]
    cool = wide[wide["ferritin"] < 500]
    assert len(hot) > 20 and len(cool) > 100
    assert hot["platelets"].median() < 110 < cool["platelets"].median()
    assert hot["fibrinogen"].median() < 2.5 < cool["fibrinogen"].median()
    assert hot["triglycerides"].median() > 3.0 > cool["triglycerides"].median()
    last = wide.groupby("case_id")["ferritin"].last()
    peak = wide.groupby("case_id")["ferritin"].max()
    assert (last[peak > 5000] < peak[peak > 5000] / 2).mean() > 0.8  # treated cases recover


def test_synthetic_matrix_equals_timepoint_matrix_of_the_tidy_cohort(cohort):
    pd.testing.assert_frame_equal(synthetic_matrix(N, seed=7), timepoint_matrix(cohort))


def test_events_fit_the_schema_and_every_case_has_some():
    events = synthetic_events(N, seed=7)
    assert tuple(events.columns) == EVENT_COLUMNS
    assert events.dtypes.to_dict() == event_frame().dtypes.to_dict()
    per_case = events.groupby("case_id").size()
    assert len(per_case) == N and per_case.min() >= 1
    assert (events["end_day"] >= events["start_day"]).all()
    assert set(events["kind"].unique()) == {"medication", "procedure", "clinical"}


def test_bone_marrow_biopsy_sits_on_the_day_of_the_hemophagocytosis_result(cohort):
    events = synthetic_events(N, seed=7)
    biopsies = events[events["name"] == "Bone-marrow biopsy"].set_index("case_id")
    marrow = cohort[cohort["analyte"] == "hemophagocytosis"].set_index("case_id")
    assert len(biopsies) == len(marrow) > 10
    assert biopsies["start_day"].sort_index().equals(marrow["day"].sort_index())
    found = marrow["result"].sort_index().eq("positive")
    assert biopsies["note"].sort_index().eq("hemophagocytosis").equals(found)


def test_wide_labs_has_unit_labels_reference_range_and_timepoint_columns(cohort):
    case = cohort[cohort["case_id"] == cohort["case_id"].iloc[0]]
    wide = wide_labs(case)
    assert list(wide.columns[:2]) == ["Analyte", "Reference range"]
    assert list(wide.columns[2:]) == case.drop_duplicates("timepoint").sort_values("tp_order")["timepoint"].tolist()
    assert any(label.startswith("Ferritin (ng/mL)") for label in wide["Analyte"])


def test_case_folders_parse_back_to_the_same_case(tmp_path):
    observations, events = synthetic_observations(12, seed=3), synthetic_events(12, seed=3)
    folders = write_case_folders(observations, events, tmp_path)
    assert [f.name for f in folders] == sorted(observations["case_id"].unique())
    cases = [load_case(folder) for folder in folders]
    assert [p for c in cases for p in c.problems] == []
    loaded = pd.concat([c.observations for c in cases], ignore_index=True)
    keys = ["case_id", "tp_order", "analyte"]
    a = loaded.sort_values(keys).reset_index(drop=True)
    b = observations.sort_values(keys).reset_index(drop=True)
    for column in ("case_id", "timepoint", "tp_order", "day", "analyte", "unit", "result", "orig_unit",
                   "orig_text"):
        pd.testing.assert_series_equal(a[column], b[column], check_dtype=False)
    np.testing.assert_allclose(a["value"].to_numpy("float64", na_value=np.nan),
                               b["value"].to_numpy("float64", na_value=np.nan), rtol=1e-9)
    pd.testing.assert_frame_equal(score_observations(loaded), score_observations(observations))
    pd.testing.assert_frame_equal(pd.concat([c.events for c in cases], ignore_index=True), events,
                                  check_dtype=False)


def test_synth_command_writes_folders_and_dataset(tmp_path, capsys):
    code = main(["synth", "5", "--out", str(tmp_path / "cases"), "--parquet", str(tmp_path / "ds"),
                 "--cases-per-file", "2"])
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "cases").iterdir()) == [f"synth-00000{i}" for i in range(5)]
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == [f"part-0000{i}.parquet" for i in range(3)]
    assert "wrote 5 case folders" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["synth", "0", "--out", "x"], ["synth", "3"]])
def test_synth_command_rejects_bad_arguments(argv, capsys):
    assert main(argv) == 2
    assert "casetrack synth" in capsys.readouterr().err
