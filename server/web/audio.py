"""Announcement audio, served from the speech cache."""

from __future__ import annotations

from flask import Blueprint, current_app, send_file

from server.speech.settings import is_audio_id

from .errors import ApiError

bp = Blueprint("audio", __name__)

# The call event usually reaches a display before synthesis ends (10-40 ms); the display's
# request waits for it rather than failing.
WAIT_S = 1.5


@bp.get("/audio/<audio_id>.wav")
def audio(audio_id: str):  # noqa: ANN201
    speech = current_app.extensions["hallq"].speech
    if speech is None:
        raise ApiError(404, "not_found", "this server does not synthesize announcements (--no-speech)")
    if not is_audio_id(audio_id):
        raise ApiError(404, "not_found", "unknown announcement")
    if not speech.wait_ready(audio_id, WAIT_S):
        why = speech.error(audio_id)
        if why:
            raise ApiError(503, "speech_failed", f"the announcement could not be synthesized: {why}")
        raise ApiError(404, "not_found", "unknown or not yet synthesized announcement")
    path = speech.path_for(audio_id)
    if path is None:
        raise ApiError(404, "not_found", "unknown announcement")
    # Named by a hash of its words and voice: the same id is the same sound for ever.
    return send_file(path, mimetype="audio/wav", max_age=86400, conditional=True)
