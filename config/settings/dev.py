"""Development settings: local server on 127.0.0.1, SQLite by default, debug on."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from config.settings.base import *  # noqa: E402,F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
