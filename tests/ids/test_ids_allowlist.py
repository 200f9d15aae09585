"""The audited allow-list of codes really issued that fail a check character."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpcredit.errors import InvalidIdentifier
from corpcredit.ids import AllowlistError, check_usci, is_valid, load_allowlist, parse, validate
from corpcredit.ids._checksum import usci_check_character

# Valid but for position 18 (should be "L").
BAD_OUTER = "91110000600037341M"
# Valid but for position 17 (should be "1"), position 18 recomputed.
BAD_INNER = "91110000600037342" + usci_check_character("91110000600037342")


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "allowlist.toml"
    path.write_text(body, encoding="utf-8")
    return path


def entry(usci: str, source: str | None = "SAMR notice 2020-1", added: str = "2025-01-15") -> str:
    lines = ["[[entries]]", f'usci = "{usci}"', f"added_on = {added}"]
    if source is not None:
        lines.append(f'source = "{source}"')
    return "\n".join(lines) + "\n"


def test_packaged_allowlist_is_empty_and_documents_its_format() -> None:
    assert len(load_allowlist()) == 0
    text = (Path(__file__).parents[2] / "src/corpcredit/ids/allowlist.toml").read_text("utf-8")
    for key in ("usci", "source", "added_on", "note"):
        assert key in text


def test_not_admitted_without_the_allowlist() -> None:
    assert not is_valid(BAD_OUTER)


def test_allowlisted_code_failing_the_outer_check_is_admitted_with_a_warning(
    tmp_path: Path,
) -> None:
    allowlist = load_allowlist(write(tmp_path, entry(BAD_OUTER)))
    assert validate(BAD_OUTER, allowlist=allowlist) == BAD_OUTER
    (warning, *_) = parse(BAD_OUTER, allowlist=allowlist).warnings
    assert "allow-list" in warning
    assert "SAMR notice 2020-1" in warning
    assert "position 18" in warning


def test_allowlisted_code_failing_the_inner_check_is_admitted(tmp_path: Path) -> None:
    allowlist = load_allowlist(write(tmp_path, entry(BAD_INNER)))
    assert is_valid(BAD_INNER, allowlist=allowlist)
    assert check_usci(BAD_INNER, allowlist=allowlist).valid


def test_allowlist_matches_the_normalised_form(tmp_path: Path) -> None:
    allowlist = load_allowlist(write(tmp_path, entry(BAD_OUTER.lower())))
    assert validate(" " + BAD_OUTER.lower(), allowlist=allowlist) == BAD_OUTER


def test_allowlist_admits_only_its_own_codes(tmp_path: Path) -> None:
    allowlist = load_allowlist(write(tmp_path, entry(BAD_OUTER)))
    with pytest.raises(InvalidIdentifier) as info:
        validate(BAD_INNER, allowlist=allowlist)
    assert info.value.code == "usci.org_check"


def test_entry_without_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError) as info:
        load_allowlist(write(tmp_path, entry(BAD_OUTER, source=None)))
    assert "'source' is required" in info.value.message
    assert info.value.details["entry"] == 1


def test_entry_with_blank_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError):
        load_allowlist(write(tmp_path, entry(BAD_OUTER, source="  ")))


def test_entry_failing_more_than_a_check_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError) as info:
        load_allowlist(write(tmp_path, entry("951100006000373410")))
    assert "more than a check character" in info.value.message


def test_valid_code_does_not_belong_on_the_allowlist(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError, match="already valid"):
        load_allowlist(write(tmp_path, entry("91110000600037341L")))


def test_duplicate_entry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError, match="twice"):
        load_allowlist(write(tmp_path, entry(BAD_OUTER) + entry(BAD_OUTER.lower())))


def test_entry_without_date_is_refused(tmp_path: Path) -> None:
    body = f'[[entries]]\nusci = "{BAD_OUTER}"\nsource = "register"\n'
    with pytest.raises(AllowlistError, match="added_on"):
        load_allowlist(write(tmp_path, body))


def test_broken_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "entries = [")
    with pytest.raises(AllowlistError) as info:
        load_allowlist(path)
    assert str(path) in info.value.message


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AllowlistError, match="cannot read"):
        load_allowlist(tmp_path / "nope.toml")
