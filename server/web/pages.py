"""The faces of the hall, each a blueprint of its own package: kiosk, displays, console, phone."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, jsonify, redirect


def register(app: Flask) -> None:
    register_static(app)
    for bp in blueprints():
        app.register_blueprint(bp)

    @app.get("/")
    def index():  # noqa: ANN202
        return redirect("/api/v1/catalog")

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify({"ok": True})


def register_static(app: Flask) -> None:
    """Shared assets: the vendored Socket.IO client and the live-state helper every page uses."""
    static = Blueprint("hallq_static", __name__, static_folder=str(Path(__file__).with_name("static")),
                       static_url_path="/static")
    app.register_blueprint(static)


def blueprints() -> list[Blueprint]:
    """Each face of the hall is a package with a `bp` blueprint; add new faces here."""
    import console
    import display
    import kiosk

    return [kiosk.bp, display.bp, console.bp]
