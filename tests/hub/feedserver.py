"""A local HTTP server that plays hubs good and bad: the tests' stand-in for the web.

Each route is a :class:`Route` saying what to answer. Feeds get a real ETag
and answer ``If-None-Match`` with 304, as a well-behaved hub does.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    drip: float = 0.0  # seconds between body bytes (a slow sender)
    gzip: bool = False
    etag: bool = True
    declared_length: int | None = None  # a Content-Length that lies


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.active: dict[str, int] = {}
        self.most_at_once = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                path = self.path.split("?")[0]
                with server.lock:
                    server.hits[path] = server.hits.get(path, 0) + 1
                    server.active[path] = server.active.get(path, 0) + 1
                    server.most_at_once = max(server.most_at_once, sum(server.active.values()))
                try:
                    server.answer(self, path)
                finally:
                    with server.lock:
                        server.active[path] -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        route = self.routes.get(path)
        if route is None:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if route.delay:
            time.sleep(route.delay)
        body = route.body
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if route.etag and route.status == 200 and handler.headers.get("If-None-Match") == tag:
            handler.send_response(304)
            handler.send_header("ETag", tag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if route.gzip:
            body = gzip.compress(body)
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        if route.etag and route.status == 200:
            handler.send_header("ETag", tag)
        if route.gzip:
            handler.send_header("Content-Encoding", "gzip")
        for name, value in route.headers.items():
            handler.send_header(name, value.replace("{base}", self.url("")))
        length = route.declared_length if route.declared_length is not None else len(body)
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        try:
            if route.drip:
                for i in range(len(body)):
                    handler.wfile.write(body[i : i + 1])
                    handler.wfile.flush()
                    time.sleep(route.drip)
            else:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if route.declared_length is not None:
            handler.close_connection = True

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
