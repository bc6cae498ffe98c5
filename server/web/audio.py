"""Announcement audio, served from the speech cache."""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from server.app.audio import find_audio

from .auth import services
from .errors import ApiError

bp = Blueprint("audio", __name__)

# The call event usually reaches a display before synthesis ends (10-40 ms); the display's
# request waits for it rather than failing.
WAIT_S = 1.5

NOT_FOUND = {
    "off": "this server does not synthesize announcements (--no-speech)",
    "unknown": "unknown announcement",
    "pending": "unknown or not yet synthesized announcement",
}


@bp.get("/audio/<audio_id>.wav")
def audio(audio_id: str) -> Response:
    found = find_audio(services(), audio_id, WAIT_S)
    if found.missing == "failed":
        raise ApiError(503, "speech_failed", f"the announcement could not be synthesized: {found.why}")
    if found.path is None:
        raise ApiError(404, "not_found", NOT_FOUND[found.missing or "unknown"])
    # Named by a hash of its words and voice: the same id is the same sound for ever.
    return send_file(found.path, mimetype="audio/wav", max_age=86400, conditional=True)
