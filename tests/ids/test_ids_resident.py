"""The guard against PRC resident identity numbers in free text (GB 11643-1999)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpcredit.ids import Match, contains_resident_id, find_resident_ids, resident_id_mask
from corpcredit.ids.resident import resident_id_columns

# ISO 7064 MOD 11-2 written out independently of the library (GB 11643-1999 table).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def synthetic_id(region: str = "110105", born: str = "19491231", seq: str = "002") -> str:
    """A made-up number with a correct check character (not a real person's)."""
    body = region + born + seq
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_synthetic_builder_matches_the_textbook_example() -> None:
    assert synthetic_id() == "11010519491231002X"


def test_found_inside_chinese_text_by_position() -> None:
    text = "当事人身份证号" + synthetic_id() + "，已处罚。"
    assert find_resident_ids(text) == [Match(7, 25)]
    assert text[7:25] == synthetic_id()


def test_message_names_the_place_not_the_number() -> None:
    number = synthetic_id("440305", "19800101", "123")
    (match,) = find_resident_ids("ID: " + number)
    message = match.describe()
    assert message == "a resident identity number at characters 5–22"
    assert number[:6] not in message


def test_lower_case_x_counts() -> None:
    assert contains_resident_id("号码 " + synthetic_id().lower())


def test_digit_check_character() -> None:
    number = synthetic_id("320102", "19900307", "450")
    assert number[-1].isdigit()
    assert contains_resident_id(f"({number})")


def test_bad_checksum_is_not_matched() -> None:
    assert not contains_resident_id("身份证" + wrong_check(synthetic_id()))


@pytest.mark.parametrize("born", ["19490230", "19491301", "18991231", "20990101"])
def test_impossible_birth_date_is_not_matched(born: str) -> None:
    assert not contains_resident_id("身份证" + synthetic_id(born=born))


def test_birth_date_after_today_is_not_matched() -> None:
    number = synthetic_id(born="20250601")
    assert contains_resident_id(number, today=dt.date(2025, 6, 1))
    assert not contains_resident_id(number, today=dt.date(2025, 5, 31))


def test_non_province_prefix_is_not_matched() -> None:
    assert not contains_resident_id(synthetic_id(region="991234"))


def test_residence_permit_prefix_83_is_matched() -> None:
    assert contains_resident_id(synthetic_id(region="830000"))


@pytest.mark.parametrize(
    "text",
    [
        "91" + synthetic_id(),  # inside a longer run of digits
        synthetic_id() + "00",  # a 20-digit number
        "A" + synthetic_id(),  # inside a USCI-like run
        synthetic_id() + "b",
    ],
)
def test_not_matched_inside_a_longer_alphanumeric_run(text: str) -> None:
    assert not contains_resident_id(text)


def test_valid_usci_is_not_a_resident_id() -> None:
    assert not contains_resident_id("统一社会信用代码91110000600037341L、121200004013590816")


def test_full_width_digits_are_matched_at_the_same_positions() -> None:
    wide = synthetic_id().translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert find_resident_ids("号" + wide + "。") == [Match(1, 19)]


def test_grouped_6_8_4_is_matched() -> None:
    n = synthetic_id()
    text = f"身份证 {n[:6]} {n[6:14]} {n[14:]} 。"
    (match,) = find_resident_ids(text)
    assert text[match.start : match.end] == f"{n[:6]} {n[6:14]} {n[14:]}"
    assert contains_resident_id(f"{n[:6]}-{n[6:14]}-{n[14:]}")


def test_finds_every_number() -> None:
    a, b = synthetic_id(), synthetic_id("310101", "20000229", "017")
    assert len(find_resident_ids(f"{a}和{b}")) == 2


def test_mask_marks_rows_with_a_number() -> None:
    texts = pl.Series(
        "summary",
        [
            "罚款三万元",
            "法定代表人" + synthetic_id(),
            None,
            "电话13800138000",
            wrong_check(synthetic_id()),
            "代码91110000600037341L",
        ],
    )
    mask = resident_id_mask(texts)
    assert mask.dtype == pl.Boolean
    assert mask.name == "summary"
    assert mask.to_list() == [False, True, False, False, False, False]


def test_mask_on_text_without_candidates_is_all_false() -> None:
    assert resident_id_mask(pl.Series(["a", "b"])).to_list() == [False, False]


_text = st.lists(
    st.one_of(
        st.text(alphabet="0123456789Xx -，号ＸＸ０１９ab", max_size=30),
        st.builds(synthetic_id, born=st.sampled_from(["19491231", "20000229", "19491232"])),
    ),
    max_size=4,
).map("".join)


@settings(deadline=None)
@given(st.lists(_text, max_size=20))
def test_mask_agrees_with_the_scalar_guard(texts: list[str]) -> None:
    expected = [contains_resident_id(t) for t in texts]
    assert resident_id_mask(pl.Series(texts, dtype=pl.String)).to_list() == expected


@settings(deadline=None)
@given(st.lists(st.tuples(_text, _text, st.none() | _text), max_size=15))
def test_columns_agree_with_the_mask_of_each_column(
    rows: list[tuple[str, str, str | None]],
) -> None:
    frame = pl.DataFrame(rows, schema=["summary", "authority", "legal_basis"], orient="row")
    found = resident_id_columns(frame, frame.columns)
    for name in frame.columns:
        mask = resident_id_mask(frame.get_column(name).fill_null(""))
        if mask.any():
            assert found[name].to_list() == mask.to_list()
        else:
            assert name not in found
