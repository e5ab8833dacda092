"""Brute force on the admin login: after LOGIN_FAILURE_LIMIT wrong passwords the right one is refused too, with a
clear message and Retry-After, every failure is logged, and the lock lifts after the cool-off."""

import datetime
import logging
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def _login(client, password, address="203.0.113.7", username="admin"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def _lock_out(client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "mauvais").status_code == 200  # the form again, with its error
    return _login(client, "mauvais")


def test_wrong_passwords_then_the_right_one_is_refused(client, admin_user, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 5
    caplog.set_level(logging.WARNING, logger="axes")

    locked = _lock_out(client, settings)
    right = _login(client, "password")

    for response in (locked, right):
        assert response.status_code == 429
        assert response["Retry-After"] == "900"
        text = response.content.decode()
        assert text.startswith(
            "Trop de tentatives de connexion échouées : la connexion est bloquée pendant 15 minutes"
        )
    assert "_auth_user_id" not in client.session
    failures = [r for r in caplog.records if "login failure" in r.getMessage()]
    assert len(failures) >= settings.AXES_FAILURE_LIMIT
    assert 'ip_address: "203.0.113.7"' in failures[0].getMessage()


def test_the_lock_is_for_one_user_from_one_address(client, admin_user, settings):
    assert _lock_out(client, settings).status_code == 429

    # The same account from another address (a colleague's office) still logs in.
    response = _login(client, "password", address="198.51.100.20")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_lock_lifts_after_the_cool_off(client, admin_user, settings):
    assert _lock_out(client, settings).status_code == 429
    assert _login(client, "password").status_code == 429

    # As if the cool-off had passed since the last attempt.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))

    response = _login(client, "password")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_failures_are_counted_for_the_client_behind_the_trusted_proxy(client, admin_user, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": "admin", "password": "mauvais"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    other = client.post(
        "/admin/login/",
        {"username": "admin", "password": "password", "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert other.status_code == 302


def test_the_admin_path_comes_from_admin_url():
    code = "from django.urls import reverse; print(reverse('admin:index'), reverse('admin:login'))"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "ADMIN_URL": "/gestion-7f3a", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["/gestion-7f3a/", "/gestion-7f3a/login/"]
