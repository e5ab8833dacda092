"""A small HTTP server on 127.0.0.1, run in a thread by the tests: it serves files with an ETag, answers 304 to
a matching If-None-Match, and can fail on demand (500, too slow, cut short). It logs what it was asked and
how many body bytes it sent."""

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    body: bytes
    etag: bool = True  # send an ETag (its digest)
    fault: str = ""  # "", "500", "slow", "truncated" (announces more than it sends)
    redirect: str = ""  # answer 302 to this address


@dataclass
class Hit:
    path: str
    headers: dict
    status: int
    body_bytes: int
    etag: str = ""


@dataclass
class FeedServer:
    files: dict[str, Served] = field(default_factory=dict)
    log: list[Hit] = field(default_factory=list)
    slow_seconds: float = 3.0
    base: str = ""

    def put(self, path: str, body: bytes | str, **options) -> str:
        self.files[path] = Served(body.encode() if isinstance(body, str) else body, **options)
        return self.base + path

    def hits(self, path: str) -> list[Hit]:
        return [h for h in self.log if h.path == path]


def _handler(feeds: FeedServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if not any(n == "Content-Length" for n, _ in headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: what a timeout is
                status = -status
            etag = dict(headers).get("ETag", "")
            feeds.log.append(Hit(self.path, dict(self.headers), status, len(body), etag))

        def do_GET(self):
            served = feeds.files.get(self.path)
            if served is None:
                return self._answer(404, b"not found")
            if served.redirect:
                return self._answer(302, b"", [("Location", served.redirect)])
            if served.fault == "500":
                return self._answer(500, b"boom")
            if served.fault == "slow":
                time.sleep(feeds.slow_seconds)
                return self._answer(200, served.body)
            etag = '"' + hashlib.sha256(served.body).hexdigest()[:16] + '"'
            headers = [("ETag", etag)] if served.etag else []
            if served.etag and self.headers.get("If-None-Match") == etag:
                return self._answer(304, b"", headers)
            if served.fault == "truncated":
                half = served.body[: len(served.body) // 2]
                self._answer(200, half, [*headers, ("Content-Length", str(len(served.body)))])
                self.close_connection = True
                return None
            return self._answer(200, served.body, headers)

    return Handler


class running_server:
    """`with running_server() as feeds:` a FeedServer listening on 127.0.0.1 (a free port)."""

    def __enter__(self) -> FeedServer:
        self.feeds = FeedServer()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.feeds))
        self.httpd.daemon_threads = True
        self.feeds.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self.feeds

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        return False
