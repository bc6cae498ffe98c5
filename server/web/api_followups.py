"""The poor ratings' follow-up routes (差评整改, issue #12): the chief's list, one follow-up, its
steps, the appeal and a manager's decision on it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.app import followups as ops

from .auth import require_staff, services
from .bodies_followups import AppealDecision, FollowupAppeal, FollowupStep
from .errors import parse_body

bp = Blueprint("api_followups", __name__, url_prefix="/api/v1/followups")

# Rating ids are positive integers the database can hold; anything else names no follow-up.
MAX_ID = 2**31 - 1


def _rating_id(raw: str) -> int:
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw)
    raise ops.FollowupNotFound(rating_id=raw[:20])


@bp.get("")
def listing() -> Response:
    staff = require_staff()
    return jsonify(ops.list_followups(services(), staff, request.args.get("status", "open")))


@bp.get("/<rating_id>")
def one(rating_id: str) -> Response:
    staff = require_staff()
    return jsonify({"followup": ops.get_followup(services(), staff, _rating_id(rating_id))})


@bp.post("/<rating_id>/steps")
def step(rating_id: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), FollowupStep)
    return jsonify({"followup": ops.step(services(), staff, _rating_id(rating_id), body.step, body.note)})


@bp.post("/<rating_id>/appeal")
def appeal(rating_id: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), FollowupAppeal)
    return jsonify({"followup": ops.request_appeal(services(), staff, _rating_id(rating_id), body.reason)})


@bp.post("/<rating_id>/appeal/decision")
def decision(rating_id: str) -> Response:
    staff = require_staff()
    body = parse_body(request.get_data(), AppealDecision)
    return jsonify({"followup": ops.decide_appeal(services(), staff, _rating_id(rating_id), body.approve,
                                                  body.reason)})
