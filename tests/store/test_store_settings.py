"""Settings come from ``CORPCREDIT_*`` variables, afresh on every ``get_settings()``."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpcredit.settings import SettingsError, get_settings


def test_the_default_database_is_a_sqlite_file_under_var(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CORPCREDIT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = get_settings()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'var' / 'corpcredit.db'}"
    assert settings.rate_limit_per_minute == 120
    assert settings.catalogue_path is None
    assert not (tmp_path / "var").exists()  # created by the store on first use, not here


def test_variables_are_read_on_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", "postgresql://registry@db/registry")
    monkeypatch.setenv("CORPCREDIT_WORKERS", "3")
    assert get_settings().database_url == "postgresql://registry@db/registry"
    assert get_settings().workers == 3
    monkeypatch.setenv("CORPCREDIT_WORKERS", "5")
    assert get_settings().workers == 5


def test_an_unusable_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORPCREDIT_RATE_LIMIT_PER_MINUTE", "lots")
    with pytest.raises(SettingsError, match="CORPCREDIT_RATE_LIMIT_PER_MINUTE"):
        get_settings()
