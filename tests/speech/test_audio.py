"""The chime and the WAV plumbing, without espeak-ng."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from server.speech.audio import chime, duration, read_wav, rms, silence, trim_tail, write_wav_atomically
from tests.speech.support import measure


def test_chime_is_a_short_audible_ding_dong(tmp_path: Path) -> None:
    path = tmp_path / "chime.wav"
    write_wav_atomically(path, 22050, chime(22050))
    seconds, level = measure(path)
    assert 0.8 < seconds < 1.5
    assert 0.1 < level < 0.5
    # Two tones: the first half and the second half are both sounding.
    pcm = chime(22050)
    half = len(pcm) // 2 // 2 * 2
    assert rms(pcm[:half]) > 0.05 and rms(pcm[half:]) > 0.02


def test_chime_follows_the_sample_rate() -> None:
    assert len(chime(16000)) / 2 / 16000 == pytest.approx(len(chime(22050)) / 2 / 22050, abs=0.001)


def test_silence_is_silent() -> None:
    assert rms(silence(22050, 0.5)) == 0.0
    assert len(silence(22050, 0.5)) == 2 * 11025
    assert rms(b"") == 0.0


def test_full_scale_square_wave_has_rms_near_one() -> None:
    pcm = (b"\xff\x7f" + b"\x00\x80") * 100
    assert rms(pcm) == pytest.approx(1.0, abs=0.001)


def test_write_is_atomic_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_wav_atomically(path, 8000, silence(8000, 0.1))
    assert read_wav(path) == (8000, bytes(1600))
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


def test_stereo_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(400))
    with pytest.raises(ValueError, match="16-bit mono"):
        read_wav(path)


def test_the_short_chime_is_about_half_the_long_one_and_none_is_silent() -> None:
    assert 0.5 < duration(22050, chime(22050, "short")) < 0.7
    assert 1.0 < duration(22050, chime(22050, "long")) < 1.2
    assert chime(22050, "none") == b""
    with pytest.raises(ValueError, match="unknown chime"):
        chime(22050, "gong")


def test_trailing_silence_is_cut_to_what_is_kept() -> None:
    sound = chime(22050, "short")
    padded = sound + silence(22050, 0.45)
    trimmed = trim_tail(22050, padded, 0.1)
    assert duration(22050, sound) - 0.1 < duration(22050, trimmed) <= duration(22050, sound) + 0.1
    assert trimmed == padded[: len(trimmed)]
    assert trim_tail(22050, silence(22050, 1.0), 0.2) == silence(22050, 0.2)
