"""Accounts and API tokens on both backends: argon2 hashes, lockout, tokens shown once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from corpcredit import audit
from corpcredit.cases import (
    AuthError,
    authenticate,
    authenticate_token,
    create_account,
    create_token,
    disable_account,
    list_accounts,
    revoke_token,
)
from corpcredit.cases.accounts import LOCKOUT, MAX_FAILURES
from corpcredit.errors import CorpCreditError
from tests.cases.registry import ORG, seed

T0 = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def registry(engine: Engine) -> Engine:
    seed(engine)
    create_account(engine, "rep21", PASSWORD, "representative", usci=ORG, actor="operator:root")
    return engine


def test_a_representative_signs_in_and_the_hash_is_argon2(registry: Engine) -> None:
    account = authenticate(registry, "rep21", PASSWORD, at=T0)
    assert (account.role, account.usci) == ("representative", ORG)
    with registry.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM accounts")).scalar_one()
        assert [a.username for a in list_accounts(conn)] == ["rep21"]
        assert audit.verify(conn).ok
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_passwords_lock_the_account_for_a_while(registry: Engine) -> None:
    for i in range(MAX_FAILURES):
        with pytest.raises(AuthError) as caught:
            authenticate(registry, "rep21", "wrong password!", at=T0 + timedelta(seconds=i))
        assert caught.value.code == "auth.invalid_credentials" and caught.value.http_status == 401
    with pytest.raises(AuthError) as locked:
        authenticate(registry, "rep21", PASSWORD, at=T0 + timedelta(minutes=1))
    assert locked.value.code == "auth.locked"
    assert authenticate(registry, "rep21", PASSWORD, at=T0 + LOCKOUT + timedelta(minutes=1))


def test_unknown_and_disabled_accounts_are_refused_alike(registry: Engine) -> None:
    with pytest.raises(AuthError) as unknown:
        authenticate(registry, "nobody", PASSWORD, at=T0)
    disable_account(registry, "rep21", actor="operator:root")
    with pytest.raises(AuthError) as disabled:
        authenticate(registry, "rep21", PASSWORD, at=T0)
    assert unknown.value.message == disabled.value.message


def test_bindings_and_passwords_are_checked(registry: Engine) -> None:
    with pytest.raises(CorpCreditError) as weak:
        create_account(registry, "r2", "short", "reviewer", actor="operator:root")
    assert weak.value.code == "account.weak_password"
    with pytest.raises(CorpCreditError) as unbound:
        create_account(registry, "r3", PASSWORD, "representative", actor="operator:root")
    assert unbound.value.code == "account.invalid"
    with pytest.raises(CorpCreditError) as taken:
        create_account(registry, "rep21", PASSWORD, "reviewer", actor="operator:root")
    assert taken.value.code == "account.exists"


def test_a_token_is_shown_once_stored_hashed_and_revocable(registry: Engine) -> None:
    token, info = create_token(registry, "feed robot", "operator", actor="operator:root", at=T0)
    with registry.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_sha256 FROM api_tokens")).scalar_one()
    assert token not in stored and len(stored) == 64
    assert authenticate_token(registry, token, at=T0).role == "operator"
    revoke_token(registry, info.id, actor="operator:root")
    with pytest.raises(AuthError) as caught:
        authenticate_token(registry, token, at=T0)
    assert caught.value.code == "auth.invalid_token"


def test_an_expired_token_is_refused(registry: Engine) -> None:
    token, _ = create_token(
        registry, "short-lived", "reviewer", actor="operator:root", expires_at=T0, at=T0
    )
    with pytest.raises(AuthError):
        authenticate_token(registry, token, at=T0)
