"""Credit repair end to end in a real browser (Debian's Chromium through Playwright).

A representative signs in, reads the earliest repair date in the planner, applies
with a PDF of evidence; a reviewer accepts and approves from the desk; the public
page no longer shows the record and the organisation has left the black list;
the audit chain verifies. The clock is fixed on Friday 26 September 2025.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from corpcredit import audit
from corpcredit.store import create_engine_for, upgrade
from tests.cases.registry import FRIDAY, ORG, PDF
from tests.web.conftest import SCREENSHOTS, LiveServer
from tests.web.due_process import PASSWORD, DueProcess, build
from tests.web.test_browser_site import browser  # noqa: F401  (the module's browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BLACK_DECISION = "杭市监〔2024〕SV-1号"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[DueProcess, LiveServer]]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'registry.db'}")
    upgrade(engine)
    try:
        dp = build(engine, tmp_path)
        with LiveServer(dp.app) as server:
            yield dp, server
    finally:
        engine.dispose()


def _page(browser: Browser) -> Page:  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    return ctx.new_page()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"due_process_{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/sign-in?lang=en&next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_repair_from_sign_in_to_leaving_the_black_list(
    browser: Browser,  # noqa: F811
    served: tuple[DueProcess, LiveServer],
    tmp_path: Path,
) -> None:
    dp, server = served
    base = server.url
    public_url = f"{base}/entities/{ORG}?as_of={FRIDAY}&lang=en"

    public = _page(browser)
    public.goto(public_url)
    expect(public.locator(".membership-black")).to_have_count(1)
    expect(public.get_by_text(BLACK_DECISION).first).to_be_visible()

    # The representative: planner, earliest date, application with evidence.
    rep = _page(browser)
    _sign_in(rep, base, "rep21", "/account/planner")
    expect(rep.locator("h1")).to_have_text("Repair planner")
    expect(rep.locator("td.eligibility").first).to_contain_text("May be repaired since 2025-")
    rep.get_by_role("link", name="Apply for repair").first.click()
    expect(rep.locator("h1")).to_have_text("Apply for credit repair")
    expect(rep.locator("pre.letter")).to_contain_text("信用承诺书")
    evidence = tmp_path / "licence.pdf"
    evidence.write_bytes(PDF)
    rep.get_by_label("I have read and confirm").check()
    rep.get_by_label("Evidence").set_input_files(str(evidence))
    rep.get_by_role("button", name="Apply").click()
    expect(rep.locator(".case-state")).to_have_text("submitted, awaiting intake")
    expect(rep.get_by_role("link", name="licence.pdf")).to_be_visible()
    _shot(rep, "applied")
    case_path = rep.url.removeprefix(base).split("?")[0]

    # The reviewer: the desk, then accept and approve, each with a reason.
    staff = _page(browser)
    _sign_in(staff, base, "staff1", "/desk")
    expect(staff.locator("h1")).to_have_text("Reviewer desk")
    staff.locator(f'a[href="{case_path}"]').click()
    for button, state in (("Accept", "accepted, awaiting decision"), ("Approve", "approved")):
        staff.get_by_label("Reason").fill(f"{button}: the licence shows the remedy")
        staff.get_by_role("button", name=button).click()
        expect(staff.locator(".case-state")).to_have_text(state)
    _shot(staff, "approved")

    # The public: the record is gone and the organisation is off the black list.
    public.goto(public_url)
    expect(public.locator(".membership-black")).to_have_count(0)
    expect(public.get_by_text(BLACK_DECISION)).to_have_count(0)
    _shot(public, "public_after")

    rep.reload()
    expect(rep.locator(".case-state")).to_have_text("approved")
    with dp.engine.connect() as conn:
        assert audit.verify(conn).ok
