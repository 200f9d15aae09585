"""USCI validation (GB 32100-2015): real codes, one test per error code, normalisation."""

from __future__ import annotations

import pytest

from corpcredit.errors import CorpCreditError, InvalidIdentifier
from corpcredit.ids import compact, format, is_valid, parse, validate
from corpcredit.ids._checksum import org_check_character, usci_check_character


def with_checks(first16: str) -> str:
    """A code with both check characters computed, so only the first 16 can be wrong."""
    first17 = first16 + org_check_character(first16[8:16])
    return first17 + usci_check_character(first17)


def error_of(value: str) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        validate(value)
    return info.value


@pytest.mark.parametrize("code", ["91110000600037341L", "9144030071526726XG", "121200004013590816"])
def test_published_codes_are_valid(code: str) -> None:
    assert validate(code) == code
    assert is_valid(code)


def test_individual_business_is_valid_and_a_natural_person() -> None:
    info = parse("92340621MA2PBKRXXG")
    assert info.natural_person
    assert info.entity_type.code == "2"
    assert info.entity_type.en == "individual business"
    assert info.entity_type.zh == "个体工商户"


def test_enterprise_is_not_a_natural_person() -> None:
    info = parse("91110000600037341L")
    assert not info.natural_person
    assert info.authority.code == "9"
    assert info.authority.en == "market regulation"
    assert info.entity_type.zh == "企业"
    assert info.division_code == "110000"
    assert info.division_name == "北京市"
    assert info.province_code == "11"
    assert info.organisation_code == "600037341"
    assert info.warnings == ()


def test_parse_gives_the_full_division_name() -> None:
    assert parse("9144030071526726XG").division_name == "广东省深圳市"
    assert parse("92340621MA2PBKRXXG").division_name == "安徽省淮北市濉溪县"


@pytest.mark.parametrize("first16", ["N2110105MA000000", "A1110000MA000000", "Y1440300MA000000"])
def test_letter_authorities_are_accepted(first16: str) -> None:
    code = with_checks(first16)
    assert validate(code) == code


def test_national_level_division_is_valid() -> None:
    info = parse("11100000000013127D")
    assert info.division_code == "100000"
    assert info.division_name == "全国"
    assert info.warnings == ()


def test_wrong_length() -> None:
    exc = error_of("91110000600037341")
    assert exc.code == "usci.length"
    assert "18" in exc.message and "17" in exc.message
    assert exc.details == {"expected": 18, "found": 17}


def test_empty_input_is_wrong_length() -> None:
    assert error_of("   ").code == "usci.length"


def test_letter_o_is_a_bad_character_with_its_position() -> None:
    exc = error_of("91110000600O37341L")
    assert exc.code == "usci.character"
    assert exc.details["position"] == 12
    assert exc.details["found"] == "O"
    assert "position 12" in exc.message
    assert "I, O, Z, S, V" in exc.message
    assert "'0'" in exc.message  # the look-alike digit is suggested


def test_control_character_is_shown_escaped() -> None:
    exc = error_of("91110000600037341\x07")
    assert exc.code == "usci.character"
    assert "\\x07" in exc.message and "\x07" not in exc.message


def test_all_zeros_passes_both_checks_but_has_no_authority() -> None:
    exc = error_of("000000000000000000")
    assert exc.code == "usci.authority"
    assert exc.details == {"position": 1, "expected": "1-9, A, N, Y", "found": "0"}


def test_authority_b_is_unknown() -> None:
    exc = error_of(with_checks("B111000060003734"))
    assert exc.code == "usci.authority"
    assert "'B'" in exc.message


def test_type_not_allowed_for_authority() -> None:
    code = with_checks("9511000060003734")
    assert code == "951100006000373418"
    exc = error_of(code)
    assert exc.code == "usci.entity_type"
    assert exc.details == {"position": 2, "expected": ["1", "2", "3"], "found": "5"}
    assert "1 (enterprise), 2 (individual business), 3 (farmers' co-operative)" in exc.message


def test_province_99_is_not_a_province() -> None:
    exc = error_of(with_checks("9199000060003734"))
    assert exc.code == "usci.province"
    assert exc.details["found"] == "99"
    assert "GB/T 2260" in exc.message


def test_prefix_10_is_only_valid_as_the_national_division() -> None:
    assert error_of(with_checks("9110100060003734")).code == "usci.province"


def test_division_must_be_digits() -> None:
    exc = error_of(with_checks("9111A00060003734"))
    assert exc.code == "usci.division"
    assert exc.details["position"] == 5
    assert "positions 3-8" in exc.message


def test_wrong_outer_check_character() -> None:
    exc = error_of("91110000600037341M")
    assert exc.code == "usci.check"
    assert exc.details == {"position": 18, "expected": "L", "found": "M"}
    assert "position 18" in exc.message


def test_wrong_inner_check_character() -> None:
    # Position 17 changed and position 18 recomputed: only the GB 11714 check fails.
    first17 = "91110000600037342"
    exc = error_of(first17 + usci_check_character(first17))
    assert exc.code == "usci.org_check"
    assert exc.details == {"position": 17, "expected": "1", "found": "2"}


def test_errors_derive_from_the_project_root_error() -> None:
    exc = error_of("91110000600037341M")
    assert isinstance(exc, CorpCreditError)
    assert exc.http_status == 422
    assert exc.to_dict()["code"] == "usci.check"


@pytest.mark.parametrize(
    "typed",
    [
        "９１１１００００６０００３７３４１Ｌ",  # full-width
        " 9111 0000 6000 3734 1L ",  # spaces
        "91110000-60003734-1L",  # hyphens
        "9111\u200b0000600037341L\ufeff",  # zero-width space, BOM
        "91110000600037341l",  # lower case
        "\t91110000600037341L\n",
        "91110000\u3000600037341L",  # ideographic space
        "91110000－600037341L",  # full-width hyphen
    ],
)
def test_normalisation(typed: str) -> None:
    assert compact(typed) == "91110000600037341L"
    assert validate(typed) == "91110000600037341L"


def test_unknown_division_is_a_warning_not_an_error() -> None:
    code = with_checks("9111019960003734")
    assert validate(code) == code
    assert parse(code).warnings == (
        "division code 110199 is not in GB/T 2260 (the bundled table): it may be an "
        "abolished or mistyped division",
    )
    assert parse(code).division_name is None


def test_format_groups_by_meaning_and_compacts_back() -> None:
    assert format("91110000600037341l") == "91 110000 600037341 L"
    assert compact(format("91110000600037341L")) == "91110000600037341L"


def test_format_leaves_a_wrong_length_compacted() -> None:
    assert format("9111 00") == "911100"


def test_is_valid_is_false_for_invalid() -> None:
    assert not is_valid("91110000600037341M")
