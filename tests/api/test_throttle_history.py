"""The per-user API rate keeps its call times as an array of floats in the cache (one block
of bytes to pickle on every call), with DRF's sliding window unchanged."""

from __future__ import annotations

from array import array

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from inventory.api.throttles import UserRateThrottle


def test_the_api_throttles_users_with_the_array_history():
    assert [UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES


def test_call_times_are_stored_as_an_array(client, admin_user, token_for, monkeypatch):
    rates = {"user": "3/minute", "failed_auth": "1000/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(admin_user)}"}
    codes = [client.get("/api/v1/engine-registry/", **auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    history = cache.get(f"throttle_user_{admin_user.pk}")
    assert isinstance(history, array) and history.typecode == "d" and len(history) == 3
    assert list(history) == sorted(history, reverse=True)
