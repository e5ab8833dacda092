"""The shipped production front (deploy/nginx/carto-langue.conf.template) started locally in front of a gunicorn:
the template rendered as its header tells an operator to (envsubst), a self-signed certificate, a throw-away
main configuration, each port on 127.0.0.1. Used by the front's tests (tests/ops/test_front.py) and by the
benchmark of export downloads (bench/exports_load.py), so both measure the configuration operators deploy."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "carto-langue.conf.template"
VARIABLES = ROOT / "deploy" / "nginx" / "variables"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# Debian's /etc/nginx/nginx.conf, which the site file is deployed under, as far as serving goes: a worker per
# core, sendfile, its connection count; then only this run's paths and logs.
MAIN_CONF = """daemon off;
{user}
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
load_module {brotli};
events {{ worker_connections 768; }}
http {{
    sendfile on;
    tcp_nopush on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/carto-langue.conf;
}}
"""


def missing_tools() -> list[str]:
    """What the local front needs and this machine lacks (Debian package names)."""
    missing = []
    if not Path(NGINX).exists():
        missing.append("nginx (Debian package nginx)")
    if not BROTLI_MODULE.exists():
        missing.append("nginx's brotli module (Debian package libnginx-mod-http-brotli-filter)")
    if not shutil.which("envsubst"):
        missing.append("envsubst (Debian package gettext-base)")
    if not shutil.which("openssl"):
        missing.append("openssl (Debian package openssl)")
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key


def render_site_conf(values: dict[str, str]) -> str:
    """The template rendered as its header tells an operator to."""
    done = subprocess.run(
        ["envsubst", VARIABLES.read_text().strip()],
        input=TEMPLATE.read_text(),
        env={**os.environ, **values},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@dataclass
class LocalFront:
    https_port: int
    http_port: int


@contextmanager
def nginx_front(folder: Path, *, app_port: int, static_root: Path, exports_root: Path) -> Iterator[LocalFront]:
    """nginx with the shipped site configuration in front of the gunicorn on `app_port`, until the block ends.
    `folder`: a private folder for its configuration, certificate, logs and temporary files."""
    certificate, key = self_signed_certificate(folder)
    https_port, http_port = free_port(), free_port()
    site = render_site_conf(
        {
            "CARTO_SERVER_NAME": "127.0.0.1",
            "CARTO_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "CARTO_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "CARTO_UPSTREAM": f"127.0.0.1:{app_port}",
            "CARTO_STATIC_ROOT": str(static_root),
            "CARTO_EXPORTS_ROOT": str(exports_root),
            "CARTO_TLS_CERTIFICATE": str(certificate),
            "CARTO_TLS_CERTIFICATE_KEY": str(key),
        }
    )
    (folder / "carto-langue.conf").write_text(site)
    # As root, nginx's workers would become "nobody", who cannot read private folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(MAIN_CONF.format(tmp=folder, user=user, brotli=BROTLI_MODULE))
    command = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t: {checked.stderr}")
    nginx = subprocess.Popen(command)
    try:
        _wait_until_answering(http_port, nginx)
        yield LocalFront(https_port, http_port)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)


def _wait_until_answering(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not answer on port {port} within {seconds} s")
