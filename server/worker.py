"""The gunicorn worker ``make serve`` runs: gevent, with gunicorn's own rejections in JSON.

gevent: every connection is a greenlet, not a thread, so a client that sends half a request
and waits (or reads its answer slowly) costs a little memory instead of one of the few
threads; a worker holds up to ``worker_connections`` of them, and gunicorn's gevent worker
drops a connection whose request has not fully arrived within ``keepalive`` seconds.

Requests gunicorn rejects before Flask sees them (a request line over 4,094 bytes, too many
or too large headers, a malformed request line) get gunicorn's HTML page; here they get the
API's JSON error body and the same security headers as every other answer.

A request head whose lines end in a bare LF (``GET / HTTP/1.1\n\n``) never holds the CRLF that
gunicorn 23 waits for, so it waited for ``keepalive`` (5 s) and closed silently; here it is a
400 at once.
"""

from __future__ import annotations

import json
import re

from gunicorn import util
from gunicorn.http import message
from gunicorn.http.errors import InvalidRequestLine
from gunicorn.workers.ggevent import GeventWorker

from server.http import SECURITY_HEADERS


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error``, answering ``{"error", "status"}`` JSON instead of HTML."""
    body = json.dumps({"error": f"{reason}: {mesg}" if mesg else reason, "status": status_int}).encode()
    headers = {
        "Connection": "close",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Cache-Control": "no-store",
        **SECURITY_HEADERS,
    }
    head = f"HTTP/1.1 {status_int} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    util.write_nonblock(sock, head.encode("latin-1") + b"\r\n" + body)


_BARE_LF = re.compile(rb"(?<!\r)\n")
_gunicorn_get_data = message.Request.get_data


def get_data_refusing_bare_lf(self, unreader, buf, stop=False):
    """gunicorn's ``Request.get_data`` (the reads of a request's line and headers), then a
    400 for a bare LF in the head read so far (the body, after the blank line, may hold any)."""
    _gunicorn_get_data(self, unreader, buf, stop)
    head = buf.getvalue().split(b"\r\n\r\n", 1)[0]
    if _BARE_LF.search(head):
        raise InvalidRequestLine("lines must end in CRLF, not a bare LF")


class ShelfWorker(GeventWorker):
    """gunicorn's gevent worker whose own error answers are JSON with the security headers."""

    def init_process(self) -> None:
        # gunicorn's handle_error() calls util.write_error for every request it rejects itself;
        # swap in the JSON writer in this worker process only.
        util.write_error = write_json_error
        message.Request.get_data = get_data_refusing_bare_lf
        super().init_process()
