"""The test copy of the worked example must not drift from the shared original."""

from tests.worked import SHARED, WORKED


def test_worked_example_copy_matches_the_shared_original():
    names = sorted(p.name for p in WORKED.iterdir())
    assert "expected-results-2025-06-30.csv" in names
    if SHARED.is_dir():  # beside the repository in development and CI
        assert names == sorted(p.name for p in SHARED.iterdir())
        for name in names:
            assert (WORKED / name).read_bytes() == (SHARED / name).read_bytes(), name
