"""The PostgreSQL test harness fails loudly, with what to install, when it cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg import PostgresMissing, find_bin_dir


def test_missing_binaries_name_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresMissing, match="apt-get install postgresql"):
        find_bin_dir(search=(str(tmp_path / "nowhere" / "*"),))
