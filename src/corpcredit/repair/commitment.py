"""The credit commitment letter (信用承诺书) of a repair application, bilingual.

NDRC Order 36 and SAMR Order 107 make a credit commitment part of every repair
application: the organisation declares that the materials it submits are true
and that it has met the obligations the decision imposed, and accepts the
consequences if they are not. The representative confirms the rendered text; it
is stored as is, with its SHA-256, so the letter the organisation agreed to can
be shown and checked byte for byte later.

The letter names the organisation and the record, never the person who signs
for it: the account that confirmed it is on the audit chain.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "TEMPLATE_VERSION",
    "CommitmentLetter",
    "RecordSummary",
    "commitment_sha256",
    "render_commitment",
]

TEMPLATE_VERSION = "2026.1"

_TEMPLATE = """\
信用承诺书
（模板 {version}）

承诺主体：{name}
统一社会信用代码：{usci}
申请修复的信用记录：{kind_zh}，{authority}{decision_zh}，决定日期 {decided_on}，记录编号 {record}

本主体就上述信用记录申请信用修复，郑重承诺：
一、所提交的申请材料及证明材料真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏；
二、已履行上述决定所确定的法定责任和义务，已纠正失信行为、消除不良影响；
三、如承诺不实，同意撤销信用修复决定、恢复该信用记录，并依法承担相应责任；
四、同意将本承诺书连同申请一并存档，并作为履约情况的依据。

承诺日期：{signed_on}

Credit Commitment Letter
(template {version})

Organisation: {name_en}
Unified Social Credit Identifier: {usci}
Record to be repaired: {kind_en}, {authority}{decision_en}, decided on {decided_on}, record {record}

In applying for the credit repair of the record above, the organisation solemnly declares that:
1. the application and the evidence it submits are true, accurate and complete, with no false \
statement, misleading statement or material omission;
2. it has fulfilled the legal responsibilities and obligations set by the decision above, \
corrected the conduct and removed its ill effects;
3. if this declaration proves untrue, it accepts that the repair decision be revoked and the \
record restored, and bears the legal responsibility that follows;
4. it agrees that this letter be kept with the application as the measure of its compliance.

Dated: {signed_on}

本承诺书中文文本与英文文本如有不一致，以中文文本为准。
Should the Chinese and English texts differ, the Chinese text prevails.
"""


@dataclass(frozen=True)
class RecordSummary:
    """The record a letter names: its kind's labels, authority, decision and key."""

    kind_zh: str
    kind_en: str
    authority: str
    decision_no: str | None
    decided_on: date
    source: str
    record_id: str


@dataclass(frozen=True)
class CommitmentLetter:
    """The rendered text (NFC, LF line ends), its SHA-256 and the template version."""

    text: str
    sha256: str
    template_version: str = TEMPLATE_VERSION


def commitment_sha256(text: str) -> str:
    """SHA-256 of the text's UTF-8 bytes, lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _field(value: str) -> str:
    """One line of text: NFC, control characters and line breaks folded to spaces."""
    text = unicodedata.normalize("NFC", value)
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in text).split())


def render_commitment(
    name: str,
    usci: str,
    record: RecordSummary,
    signed_on: date,
    *,
    name_en: str | None = None,
) -> CommitmentLetter:
    """The letter for ``name`` (``usci``) and ``record``, dated ``signed_on``."""
    decision = _field(record.decision_no) if record.decision_no else ""
    text = _TEMPLATE.format(
        version=TEMPLATE_VERSION,
        name=_field(name),
        name_en=_field(name_en) if name_en else _field(name),
        usci=_field(usci),
        kind_zh=_field(record.kind_zh),
        kind_en=_field(record.kind_en),
        authority=_field(record.authority),
        decision_zh=f"（{decision}）" if decision else "",
        decision_en=f" ({decision})" if decision else "",
        decided_on=record.decided_on.isoformat(),
        record=_field(f"{record.source}/{record.record_id}"),
        signed_on=signed_on.isoformat(),
    )
    return CommitmentLetter(text=text, sha256=commitment_sha256(text))
