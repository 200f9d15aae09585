"""One typed settings object, read from ``CORPCREDIT_*`` environment variables.

Build it with :func:`get_settings` at the edge (a CLI command, the web app factory)
and pass it in; nothing reads the environment behind the caller's back, so tests
set variables (or construct ``Settings(...)``) instead of patching globals.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpcredit.errors import CorpCreditError

__all__ = ["Settings", "SettingsError", "default_database_url", "get_settings"]


class SettingsError(CorpCreditError):
    """A ``CORPCREDIT_*`` variable with a value that cannot be used."""

    code = "settings.invalid"
    http_status = 500


def default_database_url() -> str:
    """The SQLite file ``var/corpcredit.db`` under the current directory, as a URL.

    The directory is created on first use (by the store), not here.
    """
    return f"sqlite:///{(Path.cwd() / 'var' / 'corpcredit.db').resolve()}"


def _default_evidence_dir() -> Path:
    return (Path.cwd() / "var" / "evidence").resolve()


def _default_workers() -> int:
    return os.cpu_count() or 1


class Settings(BaseSettings):
    """Everything an operator can configure; each field is ``CORPCREDIT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CORPCREDIT_", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path or postgresql://user:pass@host/db.",
    )
    catalogue_path: Path | None = Field(
        default=None, description="A rule catalogue (TOML) replacing the packaged default."
    )
    evidence_dir: Path = Field(
        default_factory=_default_evidence_dir,
        description="Where evidence files of repair applications are kept.",
    )
    calendar_notices: Path | None = Field(
        default=None,
        description="A TOML file of State Council holiday notices for years the "
        "chinesecalendar package does not cover yet (see corpcredit.calendar).",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhook receivers on loopback or private addresses "
        "(an internal deployment); by default only public addresses are posted to.",
    )
    rate_limit_per_minute: int = Field(default=120, ge=1)
    response_cache_entries: int = Field(
        default=20_000,
        ge=0,
        description="Public answers each server process keeps in memory until the "
        "registry changes (SQLite only; 0: none).",
    )
    workers: int = Field(
        default_factory=_default_workers, ge=1, description="Processes for bulk scoring."
    )


def get_settings() -> Settings:
    """Read the settings from the environment, afresh on every call."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"CORPCREDIT_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from exc
