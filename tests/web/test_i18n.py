"""Every string of the pages exists in Chinese and in English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from corpcredit.monitoring import KINDS as EVENT_KINDS
from corpcredit.repair.machine import RepairAction
from corpcredit.repair.objection import ObjectionAction
from corpcredit.store.schema_cases import OBJECTION_STATES, REPAIR_STATES
from corpcredit.web.i18n import LANGS, Translator, catalogue_messages

WEB = Path(__file__).resolve().parents[2] / "src" / "corpcredit" / "web"
LITERAL = re.compile(r"""\bt\(\s*["']([a-z_.]+)["']\s*[,)]""")

ERROR_KINDS = ("usci", "not_found", "rate_limited", "invalid", "internal", "signin", "forbidden")

# Keys built at run time, with every value they can take.
EXPANSIONS = {
    "error.{}.title": ERROR_KINDS,
    "error.{}.help": ERROR_KINDS,
    "account.role.{}": ("public", "representative", "reviewer", "operator"),
    "cases.type.{}": ("repair", "objection"),
    "cases.state.{}": (*REPAIR_STATES, *OBJECTION_STATES),
    "cases.action.{}": ("submit", "file", *RepairAction, *ObjectionAction),
    "list.{}.short": ("black", "red", "abnormal"),
    "list.{}.name": ("black", "red", "abnormal"),
    "list.{}.about": ("black", "red", "abnormal"),
    "entity.lists.rule_{}": ("black", "red", "abnormal"),
    "entity.sentence.{}": ("black", "red", "abnormal"),
    "role.{}": ("own", "from_branch", "from_head", "from_sibling"),
    "status.{}": ("active", "revoked", "deregistered"),
    "watchlist.kind.{}": EVENT_KINDS,
}


def _sources() -> list[Path]:
    return sorted([*WEB.rglob("*.html"), *WEB.rglob("*.py")])


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in catalogue_messages().items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert _fields(texts["zh"]) == _fields(texts["en"]), key


def test_every_key_the_code_uses_exists() -> None:
    known = catalogue_messages()
    used = {k for p in _sources() for k in LITERAL.findall(p.read_text("utf-8"))}
    used |= {pattern.format(v) for pattern, values in EXPANSIONS.items() for v in values}
    assert len(used) > 150
    assert sorted(used - set(known)) == []


def test_every_key_exists_is_used() -> None:
    text = " ".join(p.read_text("utf-8") for p in _sources())
    expanded = {pattern.format(v) for pattern, values in EXPANSIONS.items() for v in values}
    unused = [
        k
        for k in catalogue_messages()
        if k not in expanded and f'"{k}"' not in text and f"'{k}'" not in text
    ]
    assert unused == []


@pytest.mark.parametrize("lang", LANGS)
def test_translator_fills_placeholders(lang: str) -> None:
    t = Translator(lang)
    assert "7" in t("search.count", total=7)
    assert t.pick("中文名", "English name") == ("中文名" if lang == "zh" else "English name")
    assert t.pick("中文名", None) == "中文名"
