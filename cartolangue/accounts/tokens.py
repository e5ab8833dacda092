"""Write-API keys: a random key shown once, stored as its SHA-256 digest (a key has 256 bits of entropy: a fast
digest is enough, unlike a password), looked up by digest, refused once revoked or when its owner is inactive."""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from cartolangue.accounts.models import ApiToken

KEY_PREFIX = "cl_"
LAST_USE_PRECISION = datetime.timedelta(minutes=1)  # a busy partner does not write its token on every call


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(owner: AbstractBaseUser, name: str, structures: QuerySet) -> tuple[ApiToken, str]:
    """The token and its key, which is not stored and cannot be shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(owner=owner, name=name, digest=_digest(key), prefix=key[:10])
    token.structures.set(structures)
    return token, key


def token_for_key(key: str) -> ApiToken | None:
    """The live token of this key (not revoked, owner active), its last use updated; None otherwise."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("owner")
        .filter(digest=_digest(key), revoked_at__isnull=True, owner__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
