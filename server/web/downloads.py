"""Query parameters the report routes share (days, whole numbers, the file format) and the answer
that sends a table as a file to download (CSV or XLSX, server/app/sheets.py)."""

from __future__ import annotations

from datetime import date

from flask import Response, request

from server.app.sheets import Table, render

from .errors import ApiError, excerpt

FORMATS = ("json", "csv", "xlsx")


def query_date(name: str) -> date | None:
    """A day YYYY-MM-DD from the query parameter `name`; None when absent; a 400 naming it otherwise."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise ApiError(400, "invalid_query", f"{name} {excerpt(raw)} is not a day YYYY-MM-DD",
                       f"{name} 须为日期 YYYY-MM-DD") from None
    if not 1900 <= day.year <= 8999:
        raise ApiError(400, "invalid_query", f"{name} {excerpt(raw)} is outside the years 1900 to 8999",
                       f"{name} 须在 1900 至 8999 年之间")
    return day


# The widest whole number a query may name: the databases' BIGINT.
BIGINT = 2**63 - 1


def query_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, "invalid_query", f"{name} must be a whole number, not {excerpt(raw)}",
                       f"{name} 须为整数") from None
    if not 0 <= value <= BIGINT:
        raise ApiError(400, "invalid_query", f"{name} must be 0 to {BIGINT}, not {excerpt(raw)}",
                       f"{name} 须在0到{BIGINT}之间")
    return value


def query_format() -> str:
    fmt = request.args.get("format", "json").strip().lower() or "json"
    if fmt not in FORMATS:
        raise ApiError(400, "invalid_query", f"format must be json, csv or xlsx, not {excerpt(fmt)}",
                       "format 须为 json、csv 或 xlsx")
    return fmt


def file_response(table: Table, fmt: str, filename: str, *more: Table) -> Response:
    """The table as a download named `filename` (ASCII; the extension is added); an XLSX has a
    sheet for each of `more` too."""
    data, mimetype = render(table, fmt, *more)
    resp = Response(data, mimetype=mimetype)
    if fmt == "csv":
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
