"""A verified token is remembered, and only as long as it may be: never past its exp, never
for another configuration, never when it was refused."""

import time

import pytest
from django.test import override_settings

from accounts import tokens
from accounts.tokens import TokenExpired, TokenInvalid, token_verify
from testing.helpers import make_token


@pytest.fixture(autouse=True)
def _counted(monkeypatch):
    """How many tokens are checked in full."""
    checks = []
    check = tokens._verify

    def counting(raw_token, config):
        checks.append(raw_token)
        return check(raw_token, config)

    monkeypatch.setattr(tokens, "_verify", counting)
    return checks


def test_a_verified_token_is_checked_in_full_once(_counted):
    token = make_token(sub="ba_memo")

    assert token_verify(raw_token=token) == token_verify(raw_token=token)
    assert token_verify(raw_token=token).id == "ba_memo"

    assert len(_counted) == 1


@override_settings(JWT_LEEWAY=0)
def test_a_remembered_token_is_refused_once_its_exp_passes():
    token = make_token(sub="ba_short", exp=int(time.time()) + 2)
    assert token_verify(raw_token=token).id == "ba_short"

    [(_, _, until)] = tokens._verified.values()
    time.sleep(max(0.0, until - time.time()) + 0.05)

    with pytest.raises(TokenExpired):
        token_verify(raw_token=token)


def test_a_remembered_token_is_not_kept_beyond_verified_seconds(monkeypatch, _counted):
    token = make_token(sub="ba_long")
    token_verify(raw_token=token)
    later = time.time() + tokens.VERIFIED_SECONDS + 1
    monkeypatch.setattr(tokens.time, "time", lambda: later)

    token_verify(raw_token=token)

    assert len(_counted) == 2


def test_a_token_remembered_under_one_secret_is_refused_under_another():
    token = make_token(sub="ba_rotated_secret")
    assert token_verify(raw_token=token).id == "ba_rotated_secret"

    with override_settings(BETTER_AUTH_SECRET="another-secret-" + "x" * 40), pytest.raises(TokenInvalid):
        token_verify(raw_token=token)


def test_a_refused_token_is_checked_every_time(_counted):
    token = make_token(sub="ba_bad", key="not-the-secret-" + "y" * 40)

    for _ in range(2):
        with pytest.raises(TokenInvalid):
            token_verify(raw_token=token)

    assert len(_counted) == 2


def test_the_memo_is_bounded_and_keeps_no_token(monkeypatch):
    monkeypatch.setattr(tokens, "MAX_VERIFIED", 3)
    made = [make_token(sub=f"ba_{number}") for number in range(10)]

    for token in made:
        token_verify(raw_token=token)

    assert 1 <= len(tokens._verified) <= 3
    assert not any(token in repr(tokens._verified) for token in made)
    assert len({id(config) for config, _, _ in tokens._verified.values()}) == 1


def test_a_full_memo_drops_the_expired_entries_first(monkeypatch):
    monkeypatch.setattr(tokens, "MAX_VERIFIED", 10)
    live = [make_token(sub=f"ba_live_{number}") for number in range(3)]
    for token in live:
        token_verify(raw_token=token)
    config = next(iter(tokens._verified.values()))[0]
    for number in range(7):  # entries whose time has passed
        tokens._verified[bytes([number]) * 32] = (config, None, time.time() - 1)

    token_verify(raw_token=make_token(sub="ba_one_more"))

    assert len(tokens._verified) == 4
    assert all(identity is not None for _, identity, _ in tokens._verified.values())
