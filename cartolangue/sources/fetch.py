"""Getting a source's file: over HTTP(S) with timeouts, a size limit, conditional requests (ETag,
Last-Modified), retries with back-off on failures a server may recover from; or from a local path. The file
lands in a temporary folder the caller removes; nothing is read into memory whole."""

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from cartolangue.sources.models import SECRET_PREFIX

CHUNK = 256 * 1024


class FetchError(Exception):
    """A download that failed: the message says why, for the run's report."""

    def __init__(self, message: str, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


@dataclass
class Fetched:
    path: Path | None  # None: the server said the file has not changed (304)
    http_status: int | None = None
    etag: str = ""
    last_modified: str = ""
    bytes_read: int = 0
    sha256: str = ""

    @property
    def not_modified(self) -> bool:
        return self.path is None


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


class _Retry(Retry):
    """urllib3's retries, with a server's `Retry-After` capped: a sync must not sleep for a day."""

    MAX_RETRY_AFTER = 120

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.MAX_RETRY_AFTER)


def _session() -> requests.Session:
    retry = _Retry(
        total=settings.SOURCES_RETRIES,
        connect=settings.SOURCES_RETRIES,
        read=settings.SOURCES_RETRIES,
        status=settings.SOURCES_RETRIES,
        backoff_factor=settings.SOURCES_BACKOFF_SECONDS,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=("GET",),
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer is kept, and reported with its status
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _headers_from_env(names: Mapping[str, str]) -> dict[str, str]:
    headers = {}
    for header, variable in names.items():
        if not variable.startswith(SECRET_PREFIX):
            # Only variables made for the sources: never SECRET_KEY, DATABASE_URL or another of the server's.
            raise FetchError(
                _("la variable %(v)s n'est pas une variable de source (préfixe %(p)s)")
                % {"v": variable, "p": SECRET_PREFIX}
            )
        value = os.environ.get(variable)
        if value is None:
            raise FetchError(
                _("la variable d'environnement %(v)s (en-tête %(h)s) n'est pas définie")
                % {
                    "v": variable,
                    "h": header,
                }
            )
        headers[header] = value
    return headers


def _suffix(location: str) -> str:
    return Path(urlsplit(location).path).suffix.lower()[:10] if is_url(location) else Path(location).suffix.lower()


def _download(session, url, folder, headers, name, *, follow_redirects) -> Fetched:
    limit = settings.SOURCES_MAX_BYTES
    timeout = settings.SOURCES_TIMEOUT_SECONDS
    deadline = time.monotonic() + settings.SOURCES_MAX_SECONDS
    try:
        with session.get(
            url, headers=headers, stream=True, timeout=(timeout, timeout), allow_redirects=follow_redirects
        ) as response:
            if response.is_redirect:  # only when headers carry a secret: it must not follow to another host
                raise FetchError(
                    _(
                        "redirection vers %(to)s refusée : la source envoie des en-têtes secrets ; "
                        "donnez son adresse finale"
                    )
                    % {"to": response.headers.get("Location", "?")[:200]},
                    response.status_code,
                )
            if response.status_code == 304:
                return Fetched(None, 304, response.headers.get("ETag", ""), response.headers.get("Last-Modified", ""))
            if response.status_code != 200:
                raise FetchError(
                    _("le serveur a répondu %(status)d %(reason)s")
                    % {"status": response.status_code, "reason": response.reason or ""},
                    response.status_code,
                )
            announced = response.headers.get("Content-Length")
            if announced and announced.isdigit() and int(announced) > limit:
                raise FetchError(
                    _("fichier trop gros : %(n)s octets annoncés, limite %(limit)d")
                    % {
                        "n": announced,
                        "limit": limit,
                    },
                    200,
                )
            path = folder / (name + _suffix(url))
            digest, size = hashlib.sha256(), 0
            with open(path, "wb") as out:
                # As sent: with `Accept-Encoding: identity` the bytes counted are those `Content-Length` counts.
                for chunk in response.raw.stream(CHUNK, decode_content=False):
                    if time.monotonic() > deadline:
                        raise FetchError(
                            _("téléchargement trop long (plus de %(s)d s)") % {"s": settings.SOURCES_MAX_SECONDS}, 200
                        )
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(_("fichier trop gros : plus de %(limit)d octets") % {"limit": limit}, 200)
                    digest.update(chunk)
                    out.write(chunk)
            if announced and announced.isdigit() and size != int(announced):
                raise FetchError(
                    _("téléchargement tronqué : %(got)d octets reçus sur %(n)s annoncés")
                    % {
                        "got": size,
                        "n": announced,
                    },
                    200,
                )
            return Fetched(
                path,
                200,
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
                size,
                digest.hexdigest(),
            )
    except urllib3.exceptions.ReadTimeoutError as exc:  # while reading the body (urllib3 raises it as it is)
        raise FetchError(_("délai dépassé (%(s)d s) pendant la lecture") % {"s": timeout}, 200) from exc
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError) as exc:
        raise FetchError(_("téléchargement tronqué : %(e)s") % {"e": exc}, 200) from exc
    except requests.exceptions.RequestException as exc:
        if _timed_out(exc):
            raise FetchError(
                _("délai dépassé (%(s)d s, %(n)d essais)") % {"s": timeout, "n": settings.SOURCES_RETRIES + 1}
            ) from exc
        raise FetchError(_("téléchargement impossible : %(e)s") % {"e": exc}) from exc


def _timed_out(exc: Exception) -> bool:
    """A timeout, itself or as the last reason of the retries (requests then raises a ConnectionError)."""
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError)


def _local(location: str, folder: Path, name: str) -> Fetched:
    source = Path(location).resolve()
    root = Path(settings.SOURCES_LOCAL_ROOT).resolve()
    if not source.is_relative_to(root):  # the server's other files are not sources
        raise FetchError(_("%(path)s : hors du dossier des sources (%(root)s)") % {"path": location, "root": root})
    if not source.is_file():
        raise FetchError(_("%(path)s : fichier introuvable") % {"path": location})
    path = folder / (name + source.suffix.lower())
    shutil.copyfile(source, path)  # a copy: the file may change while it is imported
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return Fetched(path, None, bytes_read=path.stat().st_size, sha256=digest.hexdigest())


@contextmanager
def fetched(
    location: str,
    *,
    name: str,
    etag: str = "",
    last_modified: str = "",
    headers_from_env: Mapping[str, str] | None = None,
) -> Iterator[Fetched]:
    """The file at `location` (a URL or a path), in a temporary folder removed on leaving. With an `etag` or a
    `last_modified` from the last download, the server may answer 304: then `path` is None."""
    with tempfile.TemporaryDirectory(prefix="carto-langue-source-") as tmp:
        folder = Path(tmp)
        if not is_url(location):
            yield _local(location, folder, name)
            return
        # identity: the file as the server stores it (a compressed answer would be counted against its own length)
        headers = {"User-Agent": "Carto-Langue (synchronisation des sources)", "Accept-Encoding": "identity"}
        secrets = _headers_from_env(headers_from_env or {})
        headers.update(secrets)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with _session() as session:
            yield _download(session, location, folder, headers, name, follow_redirects=not secrets)
