"""The site in a real browser: Debian's Chromium driven by Playwright against uvicorn.

One browser for the module, a fresh context (no cookies) per test; every test
saves a screenshot under ``test-output/screenshots/``. Without
``/usr/bin/chromium`` these tests fail with the command that installs it: they
never skip.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.web.conftest import SCREENSHOTS, LiveServer
from tests.web.site_registry import BLACK, HEAD, Site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with "
            "`apt-get update && apt-get install -y chromium` (never `playwright install`)",
            pytrace=False,
        )
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    p = context.new_page()
    yield p
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)


def test_search_by_chinese_name_without_legal_form_and_read_the_top_reason(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("组织名称或统一社会信用代码").fill("北京示例控股集团")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("h1")).to_have_text("“北京示例控股集团”的查询结果")
    page.locator(".hit-name").first.click()
    expect(page.locator("h1")).to_have_text("北京示例控股集团有限公司")
    expect(page.locator(".score-big")).to_contain_text("923")
    top = page.locator("tr.top-reason").first
    expect(top).to_contain_text("行政处罚")
    expect(top).to_contain_text("北京示例控股集团有限公司上海分公司")
    expect(top).to_contain_text("−40.00")


def test_switch_to_english_keeps_the_organisation_and_the_choice(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/entities/{HEAD}")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Beijing Example Holding Group Co., Ltd.")
    expect(page.locator("tr.top-reason").first).to_contain_text("administrative penalty")
    page.get_by_role("link", name="How scores work").first.click()
    expect(page.locator("h1")).to_have_text("How scores work")  # the cookie remembers


def test_black_listed_organisation_shows_its_exit_date(
    page: Page, live_server: LiveServer, site: Site
) -> None:
    page.goto(f"{live_server.url}/lists/black?lang=en")
    expect(page.locator("h1")).to_have_text("Black list (seriously dishonest)")
    page.get_by_role("link", name="Wuhan Defaulting Engineering Co., Ltd.").click()
    expect(page.locator("h1")).to_have_text("Wuhan Defaulting Engineering Co., Ltd.")
    membership = page.locator(".membership-black")
    expect(membership).to_contain_text("Scheduled exit")
    expect(membership.locator("dd.exit")).to_have_text(site.black_exit.isoformat())
    entered = (site.today - timedelta(days=300)).isoformat()
    expect(membership).to_contain_text(entered)


def test_download_a_list_as_csv(page: Page, live_server: LiveServer, site: Site) -> None:
    page.goto(f"{live_server.url}/lists/black")
    page.get_by_label("地区代码").fill("42")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".count")).to_have_text("共 1 个组织")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").click()
    download = info.value
    assert download.suggested_filename == "corpcredit-black-current-42.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["usci"], r["name"], r["scheduled_exit"]) for r in rows] == [
        (BLACK, "武汉失信工程有限公司", site.black_exit.isoformat())
    ]


def test_organisation_page_fits_a_phone_screen(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        p = ctx.new_page()
        p.goto(f"{live_server.url}/entities/{HEAD}")
        expect(p.locator(".score-big")).to_be_visible()
        overflow = p.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    finally:
        ctx.close()
