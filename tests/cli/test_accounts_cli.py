"""`corpcredit users add|list|disable` and `corpcredit tokens create|list|revoke`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from corpcredit import audit
from corpcredit.cases.accounts import AuthError, authenticate, authenticate_token
from corpcredit.cli import app
from corpcredit.store.schema import audit_log
from tests.cases.registry import ORG, seed

runner = CliRunner()
PASSWORD = "correct horse battery staple"


@pytest.fixture
def registry(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    seed(engine)
    monkeypatch.setenv("CORPCREDIT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COLUMNS", "200")
    return engine


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_users_add_list_and_disable(registry: Engine) -> None:
    code, out = run("users", "add", "rep21", "--role", "representative", "--usci", ORG,
                    "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert (code, out) == (0, f"Account rep21 created: representative for {ORG}.\n")
    assert authenticate(registry, "rep21", PASSWORD).usci == ORG
    code, out = run(
        "users", "add", "staff1", "--role", "reviewer", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0
    code, out = run("users", "list")
    assert code == 0 and "rep21" in out and "staff1" in out and "active" in out
    assert PASSWORD not in out and "argon2" not in out
    assert run("users", "disable", "staff1") == (0, "Account staff1 disabled.\n")
    with pytest.raises(AuthError):
        authenticate(registry, "staff1", PASSWORD)
    with registry.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.seq)).scalars()
        assert list(rows)[-3:] == ["account.create", "account.create", "account.disable"]
        assert audit.verify(conn).ok


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        (("users", "add", "weak", "--role", "reviewer", "--password-stdin"), "short\n",
         "account.weak_password"),
        (("users", "add", "x", "--role", "reviewer"), f"{PASSWORD}\nsomething else 123\n",
         "account.password_mismatch"),
        (("users", "add", "x", "--role", "representative", "--password-stdin"), PASSWORD + "\n",
         "account.invalid"),
        (("users", "add", "x", "--role", "king", "--password-stdin"), PASSWORD + "\n",
         "account.invalid"),
        (("users", "add", "x", "--role", "representative", "--usci", "91330106MA00000M7X",
          "--password-stdin"), PASSWORD + "\n", "usci."),
        (("users", "disable", "nobody"), None, "account.not_found"),
        (("tokens", "revoke", "99"), None, "token.not_found"),
        (("tokens", "create", "robot"), None, "account.invalid"),
    ],
)  # fmt: skip
def test_bad_requests_fail_with_a_stable_code(
    registry: Engine, args: tuple[str, ...], stdin: str | None, code: str
) -> None:
    exit_code, out = run(*args, stdin=stdin)
    assert exit_code != 0
    assert code in out


def test_a_token_is_shown_once_works_and_stops_when_revoked(registry: Engine) -> None:
    run("users", "add", "buyer", "--role", "reviewer", "--password-stdin", stdin=PASSWORD + "\n")
    code, out = run("tokens", "create", "procurement robot", "--account", "buyer", "--days", "30")
    assert code == 0
    token = next(line for line in out.splitlines() if line.startswith("cc_"))
    info = authenticate_token(registry, token)
    assert (info.role, info.account_id) == ("reviewer", 1)
    code, out = run("tokens", "list")
    assert "procurement robot" in out and token not in out and "active" in out
    assert run("tokens", "revoke", str(info.id)) == (0, f"Token {info.id} revoked.\n")
    with pytest.raises(AuthError):
        authenticate_token(registry, token)
    assert "revoked" in run("tokens", "list")[1]
