"""Lab exports and published tables nobody here had seen: every printed value read right or refused with a
problem naming it, none wrong. The inputs and the values a careful reader takes from them (by hand) are in
tests/ingest/exports_inputs.py; `python -m tests.ingest.exports_inputs -v` prints the count."""

from __future__ import annotations

import pytest

from tests.ingest.exports_inputs import INPUTS, REFUSED, outcomes, read


@pytest.mark.parametrize("item", INPUTS, ids=lambda i: i.name)
def test_every_value_right_or_refused_never_wrong(item, tmp_path):
    got, problems = read(item, tmp_path)
    found = outcomes(item, got)
    wrong = {key: (got.get(key), item.expected.get(key)) for key, verdict in found.items() if verdict == "wrong"}
    assert not wrong
    expected_right = {key for key, want in item.expected.items() if want != REFUSED}
    assert {key for key, verdict in found.items() if verdict == "right"} == expected_right
    for text in item.says:
        assert text in problems


def test_a_computed_workbook_number_is_read_as_excel_shows_it(tmp_path):
    """The workbook's fibrinogen 0.1 + 0.2 + 2.1 (2.4000000000000004 stored) reads as the 2.4 Excel shows."""
    item = next(i for i in INPUTS if i.name.startswith("Excel workbook"))
    got, _ = read(item, tmp_path)
    assert got[("2024-03-25", "fibrinogen")]["text"] == "2.4"
