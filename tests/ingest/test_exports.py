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
