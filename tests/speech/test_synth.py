"""Real synthesis with pyttsx3 on espeak-ng: the words are read right, by the Mandarin voice,
and the file is a non-silent call of sensible length."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.core.hall import Voice
from server.speech.settings import EN_VOICE, ZH_VOICE, SynthSettings
from server.speech.text import announcement_text, announcement_text_en
from tests.speech.support import measure, needs_espeak

pytestmark = needs_espeak

ZH = announcement_text("A107", 12, Voice())
EN = announcement_text_en("A107", 12, Voice())


@pytest.fixture(scope="module")
def synth() -> Iterator[object]:
    # Imported here: pyttsx3 loads libespeak-ng as it is imported.
    from server.speech.synth import Synthesizer

    yield Synthesizer()


def _syllables(text: str, voice: str = ZH_VOICE) -> list[str]:
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-q", "-x", text], capture_output=True, text=True, check=True
    ).stdout
    return [s.replace("'", "").replace(",", "") for s in out.replace("_|", " ").split()]


def test_the_number_is_read_digit_by_digit_and_the_window_as_a_cardinal() -> None:
    syllables = _syllables(ZH)
    # A幺零七: ei yāo líng qī, and no bǎi (a hundred) anywhere.
    assert syllables[1:5] == ["ei51", "jAu55", "li35N", "tS;hi55"], syllables
    assert "pai21" not in "".join(syllables)
    # 十二号: shí èr hào.
    assert syllables[7:10] == ["s.i.35", "@r51", "XAu51"], syllables


def test_arabic_digits_would_be_read_as_a_quantity() -> None:
    """Why text.py converts the digits: the notes' finding, kept true by this test."""
    assert "pai21" in "".join(_syllables("请A107号"))


def test_english_line_reads_digits_one_by_one() -> None:
    syllables = _syllables(EN, "en")
    assert "w0n" in syllables and "zi@roU" in syllables and "sEv@n" in syllables
    assert not any("hVndrI" in s for s in syllables)


def test_the_mandarin_voice_is_the_one_speaking(synth, tmp_path: Path) -> None:
    zh, en = tmp_path / "zh.wav", tmp_path / "en.wav"
    synth.speak(ZH, ZH_VOICE, zh)
    assert synth._engine.getProperty("voice") == "sit/cmn-latn-pinyin"
    # The English fallback spells each hanzi out ("Chinese letter"): far longer.
    synth.speak(ZH, EN_VOICE, en)
    assert measure(zh)[0] < 0.7 * measure(en)[0]


def test_an_unknown_voice_is_an_error_not_english(synth, tmp_path: Path) -> None:
    from server.speech.synth import VoiceUnavailable

    with pytest.raises(VoiceUnavailable, match="no-such-voice"):
        synth.speak(ZH, "no-such-voice", tmp_path / "x.wav")
    # And the engine still works afterwards.
    synth.speak(ZH, ZH_VOICE, tmp_path / "ok.wav")


def test_an_announcement_is_a_chime_and_the_call_twice(synth, tmp_path: Path) -> None:
    once, twice = tmp_path / "once.wav", tmp_path / "twice.wav"
    seconds = synth.announcement(ZH, EN, SynthSettings(repeat=2), twice)
    synth.announcement(ZH, EN, SynthSettings(repeat=1), once)
    length, level = measure(twice)
    assert length == pytest.approx(seconds)
    assert length > 1.0 and level > 0.03
    sentence = measure(twice)[0] - measure(once)[0]
    assert 2.0 < sentence < 8.0  # one call, read at a hall's pace, plus the pause


def test_english_is_added_once_when_the_hall_wants_it(synth, tmp_path: Path) -> None:
    zh_only, both = tmp_path / "zh.wav", tmp_path / "both.wav"
    synth.announcement(ZH, EN, SynthSettings(english=False), zh_only)
    synth.announcement(ZH, EN, SynthSettings(english=True), both)
    assert measure(both)[0] > measure(zh_only)[0] + 2.0
