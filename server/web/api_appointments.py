"""Appointments (预约, article 21) over HTTP: no key needed, a booking is held by its code.

    GET  /api/v1/appointments/slots?item=CODE&date=YYYY-MM-DD   the day's slots, capacity and what is left
    POST /api/v1/appointments                {"item", "start", "applicant": {"name", "id_number", "phone"}}
                                             201 the booking; 409 full / already booked; 429 with Retry-After
    GET  /api/v1/appointments/{code}         the booking, applicant masked
    POST /api/v1/appointments/{code}/cancel  {"last4"}: cancelled; one 404 for unknown code and wrong last4
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from server.app import appointment_ops, appointments
from server.app.progress import TooManyLookups
from server.core.appointment_codes import TooManyBookings

from .auth import client_address, services
from .bodies import parse_instant
from .bodies_appointments import Book, CancelBooking
from .errors import ApiError, error_response, parse_body

bp = Blueprint("api_appointments", __name__, url_prefix="/api/v1")

NO_STORE = {"Cache-Control": "no-store"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _query(name: str, what: str, zh: str) -> str:
    raw = request.args.get(name, "")
    if not raw.strip():
        raise ApiError(400, "invalid_query", f"{name} is required: {what}", f"缺少参数 {name}（{zh}）")
    return raw.strip()


@bp.get("/appointments/slots")
def slots() -> ResponseReturnValue:
    item = _query("item", "a service item code", "办理事项编码")
    raw = _query("date", "a date as YYYY-MM-DD", "日期，格式 YYYY-MM-DD")
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_query", "date must be a date as YYYY-MM-DD",
                       "date 须为日期，格式 YYYY-MM-DD") from None
    return jsonify(appointments.slots(services(), item, day))


@bp.post("/appointments")
def book() -> ResponseReturnValue:
    body = parse_body(request.get_data(), Book)
    try:
        start = parse_instant(body.start, "start")
    except ApiError as exc:
        raise ApiError(400, "invalid_start", exc.message, exc.message_zh) from None
    try:
        made = appointments.book(services(), body.item, start, body.applicant.model_dump(), client_address())
    except TooManyBookings as exc:
        response, status = error_response(429, exc.code, exc.message, exc.message_zh, retry_after_s=exc.retry_after_s)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response, status
    return jsonify(made), 201, NO_STORE


@bp.get("/appointments/<appointment_code>")
def get(appointment_code: str) -> ResponseReturnValue:
    return jsonify(appointment_ops.get(services(), appointment_code)), 200, NO_STORE


@bp.post("/appointments/<appointment_code>/cancel")
def cancel(appointment_code: str) -> ResponseReturnValue:
    body = parse_body(request.get_data(), CancelBooking)
    try:
        done = appointment_ops.cancel(services(), appointment_code, body.last4, client_address())
    except TooManyLookups as exc:  # wrong last fours counted per code and per address
        response, status = error_response(429, exc.code, exc.message, exc.message_zh, retry_after_s=exc.retry_after_s)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response, status
    return jsonify(done), 200, NO_STORE
