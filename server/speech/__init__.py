"""Spoken calls: "请A幺零七号到五号窗口", synthesized by espeak-ng in a worker process.

Build the words with `announcement_text` / `announcement_text_en`, hand them to a `Speech`
(`SpeechService` in the server, `FakeSpeech` in tests) and serve `path_for(audio_id)`.
`plan` decides what a busy loudspeaker says next (merging a backlog). docs/voice.md explains the
reading rule, the voice and the measurements.
"""

from server.speech.api import Speech
from server.speech.fake import FakeSpeech
from server.speech.settings import SynthSettings
from server.speech.text import announcement_text, announcement_text_en
from server.speech.worker import SpeechService

__all__ = [
    "FakeSpeech",
    "Speech",
    "SpeechService",
    "SynthSettings",
    "announcement_text",
    "announcement_text_en",
]
