"""The bilingual credit commitment letter and its hash."""

from __future__ import annotations

import hashlib
from datetime import date

from corpcredit.repair import TEMPLATE_VERSION, RecordSummary, commitment_sha256, render_commitment

RECORD = RecordSummary(
    kind_zh="行政处罚",
    kind_en="administrative penalty",
    authority="杭州市西湖区市场监督管理局",
    decision_no="杭西市监罚〔2025〕12号",
    decided_on=date(2025, 1, 31),
    source="samr",
    record_id="R-12",
)


def letter(name: str = "杭州示例科技有限公司", **kw: object):
    return render_commitment(name, "91330106MA2XXXXXXX", RECORD, date(2025, 5, 6), **kw)  # type: ignore[arg-type]


def test_the_letter_is_bilingual_and_names_the_organisation_and_the_record() -> None:
    text = letter(name_en="Hangzhou Example Technology Co., Ltd.").text
    assert text.startswith("信用承诺书") and "Credit Commitment Letter" in text
    for part in (
        "杭州示例科技有限公司",
        "Hangzhou Example Technology Co., Ltd.",
        "91330106MA2XXXXXXX",
        "行政处罚",
        "administrative penalty",
        "杭西市监罚〔2025〕12号",
        "2025-01-31",
        "samr/R-12",
        "2025-05-06",
        TEMPLATE_VERSION,
    ):
        assert part in text
    assert "真实、准确、完整" in text and "true, accurate and complete" in text


def test_the_hash_is_the_sha256_of_the_utf8_text() -> None:
    out = letter()
    assert out.sha256 == hashlib.sha256(out.text.encode("utf-8")).hexdigest()
    assert out.sha256 == commitment_sha256(out.text)
    assert letter().sha256 == out.sha256  # deterministic


def test_the_hash_changes_with_any_field() -> None:
    assert letter().sha256 != letter(name="杭州另一家有限公司").sha256
    later = render_commitment(
        "杭州示例科技有限公司", "91330106MA2XXXXXXX", RECORD, date(2025, 5, 7)
    )
    assert later.sha256 != letter().sha256


def test_names_cannot_inject_lines_or_template_fields() -> None:
    text = letter(name="坏{usci}公司\n三、伪造条款").text
    assert "坏{usci}公司 三、伪造条款" in text
    assert "\n三、伪造条款" not in text
