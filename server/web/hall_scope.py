"""Which hall a request or a Socket.IO connection is for (issue 16), in a process that may serve
several (server.app.halls):

1. the `/h/CODE/` prefix of its address: a page, the API, Socket.IO (`/h/CODE/socket.io/`), all of
   a hall's addresses work under it; `HallPrefix` strips it before Flask and Engine.IO see the
   path and keeps it as the script root, so `url_for` and `request.script_root` lead back into
   the same hall;
2. else `?hall=CODE`;
3. else the hall of its credential: a device key's device, a bearer token's account (an account
   of the whole installation, like a city manager, stays at the home hall unless 1 or 2 says);
4. else the home hall, with the protocol's addresses exactly as one hall has always had them.

A hall the process does not serve is 404, naming the halls it does.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, g, request

from server.app.halls import HallSet, Served

from .errors import ApiError

ENVIRON_KEY = "hallq.hall"
_PREFIX = re.compile(r"^/h/([^/]{1,32})(/.*)?$")


class HallPrefix:
    """WSGI middleware, outermost: `/h/CODE/rest` is served as `/rest` for hall CODE."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        m = _PREFIX.match(environ.get("PATH_INFO") or "")
        if m:
            environ[ENVIRON_KEY] = m.group(1)
            environ["SCRIPT_NAME"] = (environ.get("SCRIPT_NAME") or "").rstrip("/") + "/h/" + m.group(1)
            environ["PATH_INFO"] = m.group(2) or "/"
        return self.app(environ, start_response)


def halls() -> HallSet:
    return current_app.extensions["hallq_halls"]


def named_hall(environ: dict[str, Any], args: Any) -> str | None:
    """The hall the address names (its prefix, else `?hall=`), if any."""
    code = environ.get(ENVIRON_KEY) or args.get("hall")
    return str(code) if code else None


def served(code: str) -> Served:
    found = halls().get(code)
    if found is None:
        raise ApiError(404, "unknown_hall", f"this server has no hall {code!r}; it serves {', '.join(halls().codes)}",
                       zh=f"本服务器没有代码为 {code} 的大厅")
    return found


def for_request(bearer: str | None) -> Served:
    """The hall of the current HTTP request, chosen once per request; `bearer`: its bearer token,
    if any (server.web.auth reads it)."""
    found = g.get("hallq_served")
    if found is None:
        code = named_hall(request.environ, request.args)
        if code is not None:
            found = served(code)
        elif key := request.headers.get("X-Device-Key"):
            found = halls().of_device_key(key)
        else:
            found = halls().of_token(bearer)
        g.hallq_served = found
    return found


def for_connection(auth: dict[str, Any]) -> Served:
    """The hall of a Socket.IO connection being made, from its address and its `auth`."""
    code = named_hall(request.environ, request.args)
    if code is not None:
        return served(code)
    if auth.get("device_key"):
        return halls().of_device_key(str(auth["device_key"]))
    return halls().of_token(str(auth["token"]) if auth.get("token") else None)


def elsewhere(kind: str, secret: str) -> ApiError | None:
    """The refusal for a credential another hall knows, where this hall does not: a page opened at
    one hall's address with another's key or sign-in can then say where it belongs instead of
    "unknown". Only the holder of the credential learns this, so it tells nobody anything new."""
    code = halls().hall_of(kind, secret)
    here = g.get("hallq_served")
    if code is None or (here is not None and here.services.hall.code == code):
        return None
    other = halls().get(code)
    what, what_zh = ("device key", "设备密钥") if kind == "key" else ("account", "账号")
    if other is None:  # a hall of the installation that another process serves
        return ApiError(401, "other_hall", f"this {what} belongs to another hall, {code}",
                        zh=f"该{what_zh}属于其他大厅（{code}）")
    where = "/" if other is halls().home else f"/h/{code}/"
    hall = other.services.hall
    return ApiError(401, "other_hall", f"this {what} belongs to another hall, {hall.name_en}: use it at {where}",
                    zh=f"该{what_zh}属于其他大厅（{hall.name}），请在 {where} 使用")
