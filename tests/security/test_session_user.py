"""Sessions and API tokens read their user in the same query; sessions still end at logout,
password change and deactivation, for every holder of the session cookie."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import UserSession

API = "/api/v1/model-registry/"


def twin(client: Client) -> Client:
    """Another browser holding the same session cookie (another worker, another tab)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


@pytest.fixture
def logged_in(client: Client, reader: User) -> Client:
    response = client.post(
        reverse("inventory:login"), {"username": "reader", "password": "pw-Secret-123"}
    )
    assert response.status_code == 302
    return client


def test_session_and_user_are_one_query(logged_in: Client):
    with CaptureQueriesContext(connection) as queries:
        assert logged_in.get(API).status_code == 200
    reading_users = [q["sql"] for q in queries if '"auth_user"' in q["sql"]]
    assert len(reading_users) == 1, reading_users
    assert '"user_session"' in reading_users[0]


def test_the_session_row_names_its_user(logged_in: Client, reader: User):
    key = logged_in.cookies[settings.SESSION_COOKIE_NAME].value
    assert UserSession.objects.get(session_key=key).user_id == reader.pk
    reader.delete()
    assert not UserSession.objects.filter(session_key=key).exists()


def test_logout_ends_the_session_for_every_holder(logged_in: Client):
    other = twin(logged_in)
    assert other.get(API).status_code == 200
    assert logged_in.post(reverse("inventory:logout")).status_code == 302
    assert other.get(API).status_code in (401, 403)
    assert other.get(reverse("inventory:dashboard")).status_code == 302


def test_a_password_change_ends_the_session(logged_in: Client, reader: User):
    other = twin(logged_in)
    reader.set_password("pw-Changed-456")
    reader.save()
    assert other.get(API).status_code in (401, 403)
    assert logged_in.get(reverse("inventory:dashboard")).status_code == 302


def test_a_deactivated_user_is_logged_out(logged_in: Client, reader: User):
    User.objects.filter(pk=reader.pk).update(is_active=False)
    assert logged_in.get(API).status_code in (401, 403)


def test_permissions_are_read_per_request(logged_in: Client, reader: User):
    reader.user_permissions.clear()
    assert logged_in.get(API).status_code == 403


def test_the_user_read_with_the_session_is_the_stored_user(logged_in: Client, reader: User):
    from inventory.session_user import SessionStore

    User.objects.filter(pk=reader.pk).update(last_login=None, first_name="Ré")
    store = SessionStore(logged_in.cookies[settings.SESSION_COOKIE_NAME].value)
    assert store.get("_auth_user_id") == str(reader.pk)
    stored = User.objects.get(pk=reader.pk)
    fields = [item.attname for item in User._meta.concrete_fields]
    assert [getattr(store.user_row, name) for name in fields] == [
        getattr(stored, name) for name in fields
    ]
    assert store.user_row.is_active is True
    assert SessionStore("no-such-session-key").load() == {}


def token_call(user: User, token_for) -> tuple[Any, list[str]]:
    """A client calling with ``user``'s token, and the SQL of its first list call."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(API).status_code == 200
    return client, [query["sql"] for query in queries]


def test_a_token_and_its_user_are_one_query(reader: User, token_for):
    _, queries = token_call(reader, token_for)
    reading_users = [sql for sql in queries if '"auth_user"' in sql]
    assert len(reading_users) == 1, reading_users
    assert '"api_token"' in reading_users[0]


def test_own_and_group_permissions_are_one_query(reader: User, token_for):
    from django.contrib.auth.models import Group, Permission

    reader.user_permissions.clear()
    group = Group.objects.create(name="readers")
    group.permissions.add(Permission.objects.get(codename="view_registeredmodel"))
    reader.groups.add(group)
    client, queries = token_call(reader, token_for)
    reading = [sql for sql in queries if '"auth_permission"' in sql]
    assert len(reading) == 1, reading
    assert client.get("/api/v1/engine-registry/").status_code == 403
    reader.user_permissions.add(Permission.objects.get(codename="view_engine"))
    assert client.get("/api/v1/engine-registry/").status_code == 200
    group.permissions.clear()
    assert client.get(API).status_code == 403


def test_an_expired_session_is_refused(logged_in: Client):
    import datetime

    from django.utils import timezone

    key = logged_in.cookies[settings.SESSION_COOKIE_NAME].value
    soon = timezone.now() + datetime.timedelta(seconds=30)
    UserSession.objects.filter(session_key=key).update(expire_date=soon)
    assert logged_in.get(API).status_code == 200
    gone = timezone.now() - datetime.timedelta(microseconds=1)
    UserSession.objects.filter(session_key=key).update(expire_date=gone)
    assert logged_in.get(API).status_code in (401, 403)


def test_prepared_permissions_are_the_orm_s(reader: User, make_user):
    from django.contrib.auth.models import Group, Permission

    from inventory.joined_reads import PreparedValues
    from inventory.session_user import PERMISSIONS, _permissions_of

    group = Group.objects.create(name="engines")
    group.permissions.add(Permission.objects.get(codename="change_engine"))
    reader.groups.add(group)
    nobody = make_user("nobody")
    for user in (reader, nobody):
        expected = sorted(_permissions_of(user.pk))
        assert sorted(PERMISSIONS.rows(user.pk)) == expected
    assert ("inventory", "change_engine") in PERMISSIONS.rows(reader.pk)
    assert PERMISSIONS.rows(nobody.pk) == []
    # compiled once, run as SQL after (the ORM path is only the fallback)
    assert PERMISSIONS._statements and None not in PERMISSIONS._statements.values()
    dates = PreparedValues(User, lambda pk: User.objects.filter(pk=pk).values_list("date_joined"))
    assert dates.rows(reader.pk) == [(User.objects.get(pk=reader.pk).date_joined,)]
