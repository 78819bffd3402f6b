"""Failed logins slow down and then lock, per account and per client address."""

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from lms import lockout
from lms.models import AuditLog, LoginFailure, LoginLock

from .factories import PASSWORD, make_user
from .helpers import CLIENT_IP, attempt, is_logged_in, login_codes, login_errors, rewind

pytestmark = pytest.mark.django_db

WRONG = "salah-sandi"


@pytest.fixture
def limits(settings):
    """Wait after 2 failures and lock after 4; an address, after 10 times that."""
    settings.LOGIN_SLOWDOWN_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 4
    settings.LOGIN_LOCK_MINUTES = 15
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    settings.LOGIN_SLOWDOWN_SECONDS = 30
    settings.LOGIN_ADDRESS_FACTOR = 10
    return settings


@pytest.fixture
def budi():
    return make_user("budi", nisn="0012345678")


def error_params(response, code):
    return next(e.params for e in login_errors(response) if e.code == code)


def test_slowdown_then_lock_per_account(client, limits, budi):
    assert login_codes(attempt(client, "budi", WRONG)) == ["invalid_login"]

    second = attempt(client, "budi", WRONG)
    assert login_codes(second) == ["invalid_login", "login_slowed_down"]
    assert 29 <= error_params(second, "login_slowed_down")["seconds"] <= 30

    # During the wait even the right password is rejected, unchecked and
    # uncounted.
    early = attempt(client, "budi", PASSWORD)
    assert login_codes(early) == ["login_slowed_down"]
    assert not is_logged_in(client)
    assert LoginFailure.objects.filter(user=budi).count() == 2

    rewind(31)
    third = attempt(client, "budi", WRONG)
    assert login_codes(third) == ["invalid_login", "login_slowed_down"]
    assert 59 <= error_params(third, "login_slowed_down")["seconds"] <= 60

    rewind(61)
    fourth = attempt(client, "budi", WRONG)
    assert login_codes(fourth) == ["invalid_login", "login_locked"]

    lock = LoginLock.objects.get()
    assert lock.scope == LoginLock.Scope.ACCOUNT
    assert lock.user == budi
    assert lock.is_active()

    locked = attempt(client, "budi", PASSWORD)
    until = formats.time_format(timezone.localtime(lock.locked_until), "H:i")
    assert login_codes(locked) == ["login_locked"]
    assert error_params(locked, "login_locked") == {"time": until}
    assert until in locked.content.decode()
    assert not is_logged_in(client)


def test_lock_message_is_translated(client, limits, budi):
    for _attempt in range(4):
        rewind(120)
        attempt(client, "budi", WRONG)

    indonesian = attempt(client, "budi", PASSWORD)
    english = attempt(client, "budi", PASSWORD, HTTP_COOKIE="django_language=en")

    assert login_codes(indonesian) == login_codes(english) == ["login_locked"]
    assert english.headers["Content-Language"] == "en"
    assert indonesian.headers["Content-Language"] == "id"
    assert "locked until" in english.content.decode()


def test_wait_is_enforced_for_other_identifiers_of_account(client, limits, budi):
    attempt(client, "budi", WRONG)
    attempt(client, "0012345678", WRONG)

    response = attempt(client, "BUDI", PASSWORD)

    assert login_codes(response) == ["login_slowed_down"]
    assert set(LoginFailure.objects.values_list("account_key", flat=True)) == {
        f"user:{budi.pk}"
    }


def test_lock_expires(client, limits, budi):
    for _attempt in range(4):
        rewind(120)
        attempt(client, "budi", WRONG)
    assert LoginLock.objects.active().count() == 1

    rewind(15 * 60 + 1)
    response = attempt(client, "budi", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)
    assert LoginLock.objects.active().count() == 0
    assert not LoginFailure.objects.filter(user=budi).exists()


def test_expired_lock_starts_fresh_count(client, limits, budi):
    for _attempt in range(4):
        rewind(60)
        attempt(client, "budi", WRONG)
    # The lock expires while its failures are still inside the window.
    LoginLock.objects.update(locked_until=timezone.now())

    response = attempt(Client(), "budi", WRONG, ip="198.51.100.20")

    assert login_codes(response) == ["invalid_login"]
    assert LoginLock.objects.count() == 1


def test_success_clears_account_failures(client, limits, budi):
    attempt(client, "budi", WRONG)
    assert LoginFailure.objects.filter(user=budi).count() == 1

    response = attempt(client, "budi", PASSWORD)

    assert response.status_code == 302
    assert not LoginFailure.objects.filter(user=budi).exists()


def test_failures_outside_window_do_not_count(client, limits, budi):
    attempt(client, "budi", WRONG)
    attempt(client, "budi", WRONG)
    rewind(16 * 60)

    response = attempt(client, "budi", WRONG)

    assert login_codes(response) == ["invalid_login"]


def test_unknown_name_is_slowed_and_locked_alike(client, limits):
    codes = []
    for _attempt in range(4):
        rewind(120)
        codes.append(login_codes(attempt(client, "hantu", WRONG)))

    assert codes == [
        ["invalid_login"],
        ["invalid_login", "login_slowed_down"],
        ["invalid_login", "login_slowed_down"],
        ["invalid_login", "login_locked"],
    ]
    lock = LoginLock.objects.get(scope=LoginLock.Scope.ACCOUNT)
    assert lock.user is None
    assert lock.account_key.startswith("name:")
    assert "hantu" not in lock.account_key
    assert login_codes(attempt(client, "hantu", WRONG)) == ["login_locked"]


def test_lock_writes_audit_and_masked_log(client, limits, budi, caplog):
    caplog.set_level(logging.INFO, logger="lms")
    for _attempt in range(4):
        rewind(120)
        attempt(client, "0012345678", WRONG)

    entry = AuditLog.objects.get(action="login.locked")
    assert entry.subject == budi
    assert entry.ip_address == CLIENT_IP
    assert entry.details["identifier"] == "******5678"
    assert entry.details["scope"] == "account"
    locked = [r.getMessage() for r in caplog.records if "login locked" in r.msg]
    assert len(locked) == 1
    assert "******5678" in locked[0]
    assert "0012345678" not in caplog.text


def test_address_locks_across_accounts(limits):
    limits.LOGIN_SLOWDOWN_AFTER = 10
    limits.LOGIN_LOCK_AFTER = 3
    limits.LOGIN_ADDRESS_FACTOR = 1
    for number in range(3):
        make_user(f"murid{number}")
        attempt(Client(), f"murid{number}", WRONG)
    fresh = make_user("murid-baru")

    same_network = attempt(Client(), "murid-baru", PASSWORD)
    other_network = Client()
    elsewhere = attempt(other_network, "murid-baru", PASSWORD, ip="198.51.100.44")

    lock = LoginLock.objects.get()
    assert lock.scope == LoginLock.Scope.ADDRESS
    assert lock.ip_address == CLIENT_IP
    assert lock.user is None
    assert login_codes(same_network) == ["login_locked"]
    assert "jaringan" in str(login_errors(same_network)[0].message)
    assert elsewhere.status_code == 302
    assert other_network.session["_auth_user_id"] == str(fresh.pk)


def test_address_slowdown_across_accounts(limits):
    limits.LOGIN_ADDRESS_FACTOR = 1
    make_user("murid1")
    make_user("murid2")
    attempt(Client(), "murid1", WRONG)
    attempt(Client(), "murid2", WRONG)

    response = attempt(Client(), "murid3-tidak-ada", PASSWORD)

    assert login_codes(response) == ["login_slowed_down"]


def test_address_limits_scale_with_factor(limits):
    limits.LOGIN_SLOWDOWN_AFTER = 10
    limits.LOGIN_LOCK_AFTER = 2
    limits.LOGIN_ADDRESS_FACTOR = 3
    for number in range(5):
        make_user(f"murid{number}")
        attempt(Client(), f"murid{number}", WRONG)
    assert not LoginLock.objects.exists()

    make_user("murid5")
    attempt(Client(), "murid5", WRONG)

    assert list(LoginLock.objects.values_list("scope", flat=True)) == ["address"]


def test_forwarded_for_ignored_from_untrusted_peer(limits):
    limits.LOGIN_SLOWDOWN_AFTER = 10
    limits.LOGIN_LOCK_AFTER = 3
    limits.LOGIN_ADDRESS_FACTOR = 1
    limits.TRUSTED_PROXIES = []
    for number in range(3):
        make_user(f"murid{number}")
        attempt(
            Client(),
            f"murid{number}",
            WRONG,
            ip="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number + 1}",
        )

    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {
        "10.0.0.2"
    }
    lock = LoginLock.objects.get()
    assert lock.scope == LoginLock.Scope.ADDRESS
    assert lock.ip_address == "10.0.0.2"


def test_forwarded_for_honoured_from_trusted_proxy(limits):
    limits.LOGIN_SLOWDOWN_AFTER = 10
    limits.LOGIN_LOCK_AFTER = 3
    limits.LOGIN_ADDRESS_FACTOR = 1
    limits.TRUSTED_PROXIES = ["10.0.0.2"]
    for number in range(3):
        make_user(f"murid{number}")
        attempt(
            Client(),
            f"murid{number}",
            WRONG,
            ip="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"203.0.113.99, 198.51.100.{number + 1}",
        )

    assert sorted(LoginFailure.objects.values_list("ip_address", flat=True)) == [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
    ]
    assert not LoginLock.objects.exists()


def test_garbage_forwarded_for_falls_back_to_proxy(limits, budi):
    limits.TRUSTED_PROXIES = ["10.0.0.2"]

    attempt(Client(), "budi", WRONG, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="unknown")

    assert LoginFailure.objects.get().ip_address == "10.0.0.2"


def test_wagtail_admin_login_is_locked_too(client, limits, budi):
    for _attempt in range(4):
        rewind(120)
        attempt(client, "budi", WRONG)

    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "budi", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.50",
    )

    assert response.status_code == 200
    assert not is_logged_in(client)


def test_lift_account_clears_lock_and_failures(limits, budi):
    operator = make_user("operator")
    key = lockout.account_key(budi, "budi")
    for _attempt in range(4):
        rewind(120)
        lockout.record_failure(key=key, user=budi, ip=None, identifier="budi")
    assert lockout.check(key, None).is_lock

    lifted = lockout.lift_account(budi, by=operator)

    lock = LoginLock.objects.get()
    assert lifted == 1
    assert lock.lifted_by == operator
    assert lock.lifted_at is not None
    assert lockout.check(key, None) is None
    assert AuditLog.objects.filter(action="login.unlocked", subject=budi).exists()
