"""The server-rendered pages: languages, structure, accessibility basics, no JavaScript."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.web.conftest import TestClient
from tests.web.site_registry import BLACK, HEAD, PERSON, SHANGHAI, Site

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
PAGES = ["/", "/search?q=北京示例", f"/entities/{HEAD}", "/lists/black", "/how-scores-work", "/api"]


class _Outline(HTMLParser):
    """What the checks need: headings, inputs and labels, scripts, the html lang."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.scripts = 0
        self.lang: str | None = None
        self.inputs: list[str | None] = []
        self.labels: set[str] = set()
        self.aria_labelled = 0
        self.images_without_text = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        elif tag == "input" and a.get("type") != "hidden":
            self.inputs.append(a.get("id"))
        elif tag == "svg" and not (a.get("aria-labelledby") or a.get("aria-label")):
            self.images_without_text += 1


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_has_one_h1_labelled_inputs_and_no_script(
    client: TestClient, path: str, lang: str
) -> None:
    r = client.get(path, params={"lang": lang} if "?" not in path else None)
    if "?" in path:
        r = client.get(f"{path}&lang={lang}")
    assert r.status_code == 200
    o = outline(r.text)
    assert o.lang == ("zh-CN" if lang == "zh" else "en")
    assert o.h1 == 1
    assert o.scripts == 0  # everything works without JavaScript
    assert o.inputs and all(i in o.labels for i in o.inputs)
    assert o.images_without_text == 0


def test_chinese_is_the_default_and_english_is_remembered_in_a_cookie(client: TestClient) -> None:
    zh = client.get("/")
    assert 'lang="zh-CN"' in zh.text and "查询组织信用" in zh.text
    assert zh.headers["content-language"] == "zh-CN"
    en = client.get("/?lang=en")
    assert "Look up an organisation" in en.text
    assert "lang=en" in en.headers["set-cookie"]
    assert en.headers["cache-control"] == "private, no-cache"
    later = client.get(f"/entities/{HEAD}")
    assert later.headers["content-language"] == "en" and "Score and grade" in later.text
    back = client.get(f"/entities/{HEAD}?lang=zh")
    assert "信用分与等级" in back.text


def test_the_language_switch_keeps_the_page_and_its_query(client: TestClient) -> None:
    r = client.get("/search?q=北京示例&page=1")
    assert 'href="/search?q=%E5%8C%97%E4%BA%AC%E7%A4%BA%E4%BE%8B&amp;page=1&amp;lang=en"' in r.text


@pytest.mark.parametrize("path", ["/", "/how-scores-work", "/api", "/lists/red", "/nothing-here"])
def test_english_pages_have_no_untranslated_chinese(client: TestClient, path: str) -> None:
    text = client.get(path, params={"lang": "en"}).text
    # Names and regions that exist only in Chinese are marked lang="zh-CN".
    text = re.sub(r'<(\w+)[^>]*lang="zh-CN"[^>]*>.*?</\1>', "", text)
    assert CJK.findall(text) == []


def test_organisation_page_shows_score_sentence_chart_reasons_and_branches(
    client: TestClient,
) -> None:
    html = client.get(f"/entities/{HEAD}").text
    assert "91 110105 MA01HEAD9 C" in html
    assert "923" in html and "信用一般" in html
    assert "截至" in html and "影响最大的原因是行政处罚（−40.00 分）" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<desc id="score-chart-desc">' in html and "<figcaption>" in html
    first = html.index('class="top-reason"')
    assert html.index(f'href="/entities/{SHANGHAI}"', first) < html.index(
        'class="top-reason"', first + 1
    )
    assert "来自分支机构" in html and "(50%)" in html
    assert "沪市监罚〔2026〕21号" in html
    assert "110105 — <span>北京市朝阳区</span>" in html and "9 — 市场监督管理（工商）" in html


def test_black_listed_page_shows_basis_entry_and_exit(client: TestClient, site: Site) -> None:
    html = client.get(f"/entities/{BLACK}?lang=en").text
    assert "Black list (seriously dishonest)" in html
    assert f'<dd class="exit">{site.black_exit.isoformat()}</dd>' in html
    assert "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条" in html
    assert "grade-d" in html


def test_natural_person_page_has_no_score(client: TestClient) -> None:
    html = client.get(f"/entities/{PERSON}").text
    assert "不对自然人评分" in html and "某某个体商店" in html
    assert "score-big" not in html and "<svg" not in html


def test_page_addresses_are_canonical(client: TestClient) -> None:
    r = client.get(f"/entities/{HEAD.lower()}?lang=en", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == f"/entities/{HEAD}?lang=en"


def test_search_results_show_grade_and_list_badges(client: TestClient) -> None:
    html = client.get("/search?q=武汉失信工程").text
    assert f'href="/entities/{BLACK}"' in html
    assert 'class="grade grade-d"' in html and 'class="badge badge-black"' in html


def test_searching_an_exact_usci_goes_to_the_organisation(client: TestClient) -> None:
    r = client.get(f"/search?q={BLACK}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/entities/{BLACK}"


def test_search_without_results_and_without_text(client: TestClient) -> None:
    assert "没有找到与“不存在的名字”匹配的组织" in client.get("/search?q=不存在的名字").text
    assert "请输入组织名称" in client.get("/search").text


def test_list_page_has_filters_and_a_csv_link_with_the_same_filters(client: TestClient) -> None:
    html = client.get("/lists/black?region=42").text
    assert 'href="/api/v1/lists/black?region=42&amp;format=csv"' in html
    assert f'href="/entities/{BLACK}"' in html
    assert 'value="42"' in html


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/entities/91110105MA01HEAD9X", 422, "统一社会信用代码无效"),
        ("/entities/91110000600037341L", 404, "没有找到"),
        ("/lists/black?as_of=someday", 422, "请求无法处理"),
        ("/search?q=" + "公" * 201, 422, "request.query_too_long"),
        ("/no/such/page", 404, "没有找到"),
    ],
)
def test_errors_are_friendly_pages_with_the_stable_code(
    client: TestClient, path: str, status: int, text: str
) -> None:
    r = client.get(path)
    assert r.status_code == status and "text/html" in r.headers["content-type"]
    assert text in r.text and outline(r.text).h1 == 1


def test_pages_forbid_scripts_and_framing(client: TestClient) -> None:
    r = client.get("/")
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no script source at all is allowed
    assert r.headers["x-content-type-options"] == "nosniff"
