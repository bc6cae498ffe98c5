"""The faces of the hall, each a blueprint of its own package: kiosk, displays, console, phone."""

from __future__ import annotations

from flask import Flask, jsonify, redirect


def register(app: Flask) -> None:
    @app.get("/")
    def index():  # noqa: ANN202
        return redirect("/api/v1/catalog")

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify({"ok": True})
