"""The worked example (../shared/examples/worked), kept with the tests.

A copy lives in ``tests/data/worked`` so the suite runs wherever the repository is
cloned; a test checks that the copy still equals the shared original when that
is present beside the repository.
"""

from pathlib import Path

WORKED = Path(__file__).resolve().parent / "data" / "worked"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "examples" / "worked"
