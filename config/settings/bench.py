"""Benchmark settings: production settings (no debug) served on plain HTTP on 127.0.0.1."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from config.settings.base import *  # noqa: E402,F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
