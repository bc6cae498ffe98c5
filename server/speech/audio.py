"""16-bit mono PCM: the chime, pauses, and reading and writing WAV files with `wave`.

Pure standard library (`audioop` is deprecated and leaves in Python 3.13), so it is testable
without espeak-ng.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import wave
from array import array
from pathlib import Path

SAMPLE_WIDTH = 2


# Seconds of each tone of the ding-dong. "long" was the only chime until issue 9: 1.1 s of a
# 4 s call is too much when calls queue up.
_CHIMES = {"long": (0.45, 0.65), "short": (0.25, 0.35), "none": (0.0, 0.0)}
# Quieter than this (of full scale) counts as silence when trimming espeak-ng's trailing pause.
_SILENT = 0.01


@functools.cache
def chime(rate: int, kind: str = "long") -> bytes:
    """A two-tone ding-dong (E5 then C5), the cue halls sound before a call; b"" for "none".

    Each tone is a decaying sine with a quieter octave partial so it sounds like a bell rather
    than a test tone; the peak stays at half scale so the chime never drowns the voice.
    """
    try:
        ding, dong = _CHIMES[kind]
    except KeyError:
        raise ValueError(f"unknown chime {kind!r}; use one of {', '.join(_CHIMES)}") from None
    if not ding:
        return b""
    return _tone(659.25, ding, rate) + _tone(523.25, dong, rate)


def trim_tail(rate: int, pcm: bytes, keep_s: float) -> bytes:
    """`pcm` with its trailing silence cut to at most `keep_s` seconds."""
    samples = _samples(pcm)
    threshold = _SILENT * 32768
    end = len(samples)
    while end > 0 and abs(samples[end - 1]) <= threshold:
        end -= 1
    keep = min(len(samples), end + round(rate * keep_s))
    return pcm[: keep * SAMPLE_WIDTH]


def silence(rate: int, seconds: float) -> bytes:
    return bytes(SAMPLE_WIDTH * round(rate * seconds))


def read_wav(path: Path) -> tuple[int, bytes]:
    """(frame rate, PCM) of a 16-bit mono WAV; anything else is an error, not a resampling job."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(
                f"{path}: {w.getnchannels()} channel(s) of {8 * w.getsampwidth()} bits, expected 16-bit mono"
            )
        return w.getframerate(), w.readframes(w.getnframes())


def write_wav_atomically(path: Path, rate: int, pcm: bytes) -> None:
    """Write so that a reader (the HTTP handler, another process) never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(SAMPLE_WIDTH)
            w.setframerate(rate)
            w.writeframes(pcm)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def duration(rate: int, pcm: bytes) -> float:
    return len(pcm) / SAMPLE_WIDTH / rate


def rms(pcm: bytes) -> float:
    """Root mean square of the samples, as a fraction of full scale (0.0 is silence)."""
    samples = _samples(pcm)
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768


def _samples(pcm: bytes) -> array:
    samples = array("h")
    samples.frombytes(pcm)
    # WAV is little-endian whatever the machine is.
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _tone(freq: float, seconds: float, rate: int) -> bytes:
    n = round(rate * seconds)
    attack = max(1, round(rate * 0.005))  # a 5 ms ramp: an instant start clicks
    samples = array("h")
    for i in range(n):
        t = i / rate
        envelope = min(1.0, i / attack) * math.exp(-4.0 * t / seconds)
        wave_ = 0.8 * math.sin(2 * math.pi * freq * t) + 0.2 * math.sin(4 * math.pi * freq * t)
        samples.append(round(16384 * envelope * wave_))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()
