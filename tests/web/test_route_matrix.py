"""Every route × every role: each route declares who may use it, and every refusal is
a 401 (no one signed in) or a 403 (signed in, not allowed); no representative
reaches another organisation's non-public data.

The routes are read from the app itself, so a new route without a declaration,
or with a path parameter this test cannot fill, fails here.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from sqlalchemy.engine import Engine

from corpcredit.cases import apply_for_repair, commitment_letter, file_objection
from corpcredit.cases.evidence import Upload
from corpcredit.web.auth import ROLES, Access
from tests.cases.registry import BLACK, CAT, FINE, FRIDAY, ORG, PDF, REP
from tests.web.due_process import ACCOUNTS, DueProcess, build, page_csrf

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

#: Routes that are FastAPI's own documentation, not the product's.
UNDECLARED = {"/api/v1/openapi.json", "/api/docs"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    access: tuple[Access, ...]

    def allows(self, role: str) -> bool:
        return all(a.allows(role) for a in self.access)


def _accesses(dependant: Dependant) -> Iterator[Access]:
    for dep in dependant.dependencies:
        if isinstance(dep.call, Access):
            yield dep.call
        yield from _accesses(dep)


def routes(app: FastAPI) -> list[Route]:
    out = []
    for rc in iter_route_contexts(app.routes):
        # FastAPI keeps a route's effective dependencies (its own plus those given to
        # include_router) on the effective route; the original route has only its own.
        effective = getattr(rc, "_effective_route", None) or rc.route
        dependant = getattr(effective, "dependant", None)
        if rc.path in UNDECLARED or rc.path.startswith("/static"):
            continue
        assert dependant is not None, f"{rc.path} is not an API route"
        found = tuple(_accesses(dependant))
        for method in sorted(rc.methods or ()):
            if method != "HEAD":
                out.append(Route(method, rc.path, found))
    return out


@pytest.fixture
def dp(engine: Engine, tmp_path: Path) -> Iterator[tuple[DueProcess, dict[str, str]]]:
    d = build(engine, tmp_path)
    case = apply_for_repair(
        engine, REP, BLACK, commitment_letter_sha(d), FRIDAY, CAT,
        evidence=[Upload("licence.pdf", PDF)], evidence_dir=d.evidence_dir,
    )  # fmt: skip
    objection = file_objection(engine, REP, FINE, "wrong date", FRIDAY, CAT)
    values = {
        "usci": ORG,
        "which": "black",
        "case_type": "repair",
        "case_id": case.case_id,
        "objection_id": objection.case_id,
        "evidence_id": "1",
    }
    yield d, values


def commitment_letter_sha(d: DueProcess) -> str:
    with d.engine.connect() as conn:
        return commitment_letter(conn, BLACK, CAT, FRIDAY).sha256


def _url(route: Route, values: dict[str, str]) -> str:
    path = route.path
    if "/cases/objection/{case_id}" in path:
        path = path.replace("{case_id}", values["objection_id"])
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for a path parameter of {route.path}: extend VALUES"
    if path.endswith("/new"):
        path += f"?source={BLACK.source}&record_id={BLACK.record_id}"
    return path


def _client(d: DueProcess, role: str) -> tuple[TestClient, str]:
    """A client of ``role`` (the first account of it: rep21 for representatives)."""
    if role == "public":
        return d.client(), ""
    username = next(u for u, (r, _) in ACCOUNTS.items() if r == role)
    c = d.signed_in(username)
    c.headers["Authorization"] = f"Bearer {d.tokens[username]}"
    return c, page_csrf(c)


def _call(
    c: TestClient, route: Route, url: str, csrf: str, form: dict[str, str] | None = None
) -> int:
    if route.method == "GET":
        return c.get(url).status_code
    # By default an incomplete form: allowed callers get a 4xx about it, never a change.
    return c.request(route.method, url, data={"csrf_token": csrf, **(form or {})}).status_code


def test_every_route_declares_who_may_use_it(engine: Engine, tmp_path: Path) -> None:
    app = build(engine, tmp_path).app
    found = routes(app)
    assert len(found) >= 25
    undeclared = [f"{r.method} {r.path}" for r in found if not r.access]
    assert undeclared == []


def test_the_full_matrix_of_roles_and_routes(dp: tuple[DueProcess, dict[str, str]]) -> None:
    d, values = dp
    # Signing out is the one step an incomplete form completes: do it last.
    table = sorted(routes(d.app), key=lambda r: r.path == "/sign-out")
    wrong = []
    for role in ROLES:
        c, csrf = _client(d, role)
        for route in table:
            status = _call(c, route, _url(route, values), csrf)
            if route.allows(role):
                ok = status not in (401, 403)
            else:
                ok = status == (401 if role == "public" else 403)
            if not ok:
                wrong.append(f"{role} {route.method} {route.path} → {status}")
    assert wrong == []
    # The matrix is not vacuous: each role is refused somewhere and allowed somewhere.
    for role in ROLES:
        assert any(r.allows(role) for r in table) and any(not r.allows(role) for r in table)


def test_a_representative_never_reaches_another_organisations_cases(
    dp: tuple[DueProcess, dict[str, str]],
) -> None:
    d, values = dp
    c = d.signed_in("rep22")
    csrf = page_csrf(c)
    own_only = [
        r
        for r in routes(d.app)
        if r.allows("representative")
        and not r.allows("public")
        and any(p in r.path for p in ("{case_id}", "{evidence_id}", "/new"))
    ]
    assert len(own_only) >= 6
    # Complete forms this time, so that only the ownership check can refuse them.
    forms = {
        "/cases/repair/new": {
            "source": BLACK.source, "record_id": BLACK.record_id, "confirm": "yes",
            "commitment_sha256": commitment_letter_sha(d),
        },
        "/cases/objection/new": {
            "source": BLACK.source, "record_id": BLACK.record_id, "statement": "not ours",
        },
        "/cases/repair/{case_id}/act": {"action": "withdraw", "reason": "by a stranger"},
    }  # fmt: skip
    statuses = {
        f"{r.method} {r.path}": _call(c, r, _url(r, values), csrf, forms.get(r.path))
        for r in own_only
    }
    assert set(statuses.values()) == {403}, sorted(statuses.items())
    assert c.get(f"/cases/objection/{values['objection_id']}").status_code == 403
    # And its own account page says nothing of the other organisation.
    page = c.get("/account").text
    assert ORG not in page and "licence.pdf" not in page
