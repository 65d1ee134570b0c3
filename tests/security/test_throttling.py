"""Login lockout (django-axes) on the login page and the admin login, and API throttles:
per user, and per address for refused tokens."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-Secret-123"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def log_in(client: Client, username: str, password: str, path: str = "/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def test_thirty_wrong_passwords_lock_the_user_at_that_address(make_user, admin_client, caplog):
    client = Client()
    make_user("victim", password=PASSWORD)
    caplog.set_level(logging.WARNING, logger="axes")
    statuses = [log_in(client, "victim", f"guess-{n}").status_code for n in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, "wrong password"
    assert set(statuses[limit:]) == {429}
    assert any("Locking out" in record.getMessage() for record in caplog.records)

    # The right password is refused too, on the login page and on the admin login.
    refused = log_in(client, "victim", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.content.decode()
    assert log_in(client, "victim", PASSWORD, "/admin/login/").status_code == 429
    assert "_auth_user_id" not in client.session

    # Only that user at that address: the same user elsewhere, another user here, log in.
    elsewhere = log_in(Client(), "victim", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302
    make_user("colleague", password=PASSWORD)
    assert log_in(Client(), "colleague", PASSWORD).status_code == 302

    # Administrators see the lockout in the admin.
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "victim" in listing.content.decode() and "127.0.0.1" in listing.content.decode()

    # Once the cool-off time has passed, the right password works again.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.filter(username="victim").update(attempt_time=past)
    assert log_in(client, "victim", PASSWORD).status_code == 302


def test_axes_reset_lifts_the_lockout(client, make_user):
    make_user("victim", password=PASSWORD)
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "victim", f"guess-{n}")
    assert log_in(client, "victim", PASSWORD).status_code == 429
    call_command("axes_reset", verbosity=0)
    assert log_in(client, "victim", PASSWORD).status_code == 302


def test_limits_and_rates_come_from_the_environment():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], s.SECURE_PROXY_SSL_HEADER]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registry_site.settings",
        "DEBUG": "",
        "SECRET_KEY": "x" * 60,
        "LOGIN_FAILURE_LIMIT": "7",
        "LOGIN_COOLOFF_MINUTES": "2",
        "API_THROTTLE_USER": "10/second",
        "API_THROTTLE_FAILED_AUTH": "3/minute",
        "TRUSTED_PROXY": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    limit, cooloff, rates, proxy_header = json.loads(out.stdout.strip().splitlines()[-1])
    assert (limit, cooloff) == (7, 120)
    assert rates == {"user": "10/second", "failed_auth": "3/minute"}
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**given: str) -> None:
        monkeypatch.setattr(
            SimpleRateThrottle,
            "THROTTLE_RATES",
            {"user": "1000/minute", "failed_auth": "1000/minute", **given},
        )

    return set_rates


def test_refused_tokens_are_throttled_per_address(client, rates, admin_user, token_for):
    rates(failed_auth="3/minute")
    good = token_for(admin_user)
    url = "/api/v1/engine-registry/"
    wrong = [client.get(url, HTTP_AUTHORIZATION=f"Bearer wrong-{n}").status_code for n in range(3)]
    assert wrong == [401, 401, 401]
    throttled = client.get(url, HTTP_AUTHORIZATION=f"Bearer {good}")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    body = throttled.json()
    assert set(body) == {"detail", "errors"} and "throttled" in body["detail"].lower()
    # Another address is not affected.
    other = client.get(url, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200


def test_api_calls_are_throttled_per_user(client, rates, admin_user, token_for):
    rates(user="3/minute")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(admin_user)}"}
    codes = [client.get("/api/v1/engine-registry/", **auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
