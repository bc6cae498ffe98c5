"""Helpers shared by the speech tests: measuring a WAV without audioop (deprecated)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.speech.audio import duration, read_wav, rms

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng): real synthesis cannot be tested",
)


def measure(path: Path) -> tuple[float, float]:
    """(seconds, RMS as a fraction of full scale) of a 16-bit mono WAV."""
    rate, pcm = read_wav(path)
    return duration(rate, pcm), rms(pcm)
