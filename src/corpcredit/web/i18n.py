"""Page languages: Chinese (the default) and English, every string from one table.

The strings live in ``messages.toml`` beside this module, each key with a ``zh``
and an ``en`` text (``{name}`` placeholders are filled with :meth:`str.format`).
A test checks that every key has both languages and that every key the templates
use exists, so a page cannot show a half-translated screen.

The language of a request is ``?lang=`` when given (the page then remembers it in
a cookie), else the ``lang`` cookie, else Chinese.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "LANG_COOKIE",
    "Translator",
    "catalogue_messages",
    "request_lang",
]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "lang"
_MESSAGES = Path(__file__).with_name("messages.toml")


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and set(value) <= set(LANGS) and value:
            out[name] = {lang: str(value[lang]) for lang in value}
        elif isinstance(value, Mapping):
            out.update(_flatten(value, name + "."))
        else:
            raise ValueError(f"messages.toml: {name} must be a table of {LANGS}")
    return out


@functools.cache
def catalogue_messages() -> dict[str, dict[str, str]]:
    """Every message key with its texts per language (read once)."""
    with _MESSAGES.open("rb") as fh:
        return _flatten(tomllib.load(fh))


@dataclass(frozen=True)
class Translator:
    """The strings of one language: ``t("nav.lists")``, ``t("search.count", total=3)``."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        text = catalogue_messages()[key][self.lang]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in catalogue_messages()

    def pick(self, zh: str | None, en: str | None) -> str:
        """The English text on English pages when there is one, else the Chinese."""
        return (en or zh or "") if self.lang == "en" else (zh or en or "")

    def lang_of(self, zh: str | None, en: str | None) -> Markup:
        """`` lang="zh-CN"`` when an English page shows a Chinese name (screen readers)."""
        return Markup(' lang="zh-CN"') if self.lang == "en" and not en else Markup("")

    @property
    def chinese(self) -> Markup:
        """`` lang="zh-CN"`` on English pages, for data that only exists in Chinese."""
        return Markup(' lang="zh-CN"') if self.lang == "en" else Markup("")

    @property
    def other(self) -> str:
        """The language a switch link offers."""
        return "en" if self.lang == "zh" else "zh"


def request_lang(request: Request) -> str:
    """The language of a page request: ``?lang=``, then the cookie, then Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGS:
            return candidate
    return DEFAULT_LANG
