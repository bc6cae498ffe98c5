"""The faces of the hall, each a blueprint of its own package: kiosk, displays, console, phone."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, jsonify, redirect, request, send_from_directory
from flask.typing import ResponseReturnValue


def register(app: Flask) -> None:
    register_static(app)
    app.after_request(html_headers)
    for bp in blueprints():
        app.register_blueprint(bp)

    @app.get("/")
    def index() -> ResponseReturnValue:
        return redirect(request.script_root + "/guide/")

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        # Every browser asks for it unasked: without one, each screen's console starts with a 404.
        return send_from_directory(Path(__file__).with_name("static"), "favicon.svg", mimetype="image/svg+xml",
                                   max_age=86400)

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify({"ok": True})


def html_headers(resp: Response) -> Response:
    """Pages of the hall load nothing from outside it: the policy makes a stray external URL
    fail loudly instead of hanging a kiosk on a network the hall does not have."""
    if resp.mimetype == "text/html":
        host = request.host
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src 'self' ws://{host} wss://{host}; media-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        )
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        # The pages hold no data of their own; a cached copy must never outlive a new release.
        resp.headers["Cache-Control"] = "no-store"
    return resp


def register_static(app: Flask) -> None:
    """Shared assets: the vendored Socket.IO client and the live-state helper every page uses."""
    static = Blueprint("hallq_static", __name__, static_folder=str(Path(__file__).with_name("static")),
                       static_url_path="/static")
    app.register_blueprint(static)


def blueprints() -> list[Blueprint]:
    """Each face of the hall is a package with a `bp` blueprint; add new faces here."""
    import admin
    import console
    import display
    import guide
    import kiosk
    import manage
    import rater

    return [kiosk.bp, display.bp, console.bp, admin.bp, manage.bp, rater.bp, guide.bp]
