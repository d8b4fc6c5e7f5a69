"""The emulator's own service model (``speechflows/emulator/core/service_model.py``) on data
built byte by byte here: its figures and failure codes, and where it deliberately differs from
the product's pre-flight (ledger § "Emulator service model")."""

from __future__ import annotations

import zipfile
from pathlib import Path

from speechflows.emulator.core.service_model import judge_dataset, judge_folder
from tests.differential.build import encode, mp3, wav


def test_long_audio_of_exactly_20_seconds_is_rejected_longer_is_taken(tmp_path: Path) -> None:
    """ "longer than 20 seconds": 20.0 s is not longer (the product only warns there)."""
    for stem, seconds in (("exact", 20.0), ("longer", 20.5)):
        (tmp_path / f"{stem}.wav").write_bytes(
            wav(rate=16000, bits=16, channels=1, seconds=seconds)
        )
        (tmp_path / f"{stem}.txt").write_text("A whole chapter of text.", encoding="utf-8")
    result = judge_folder(tmp_path, "LongAudio", "en-US")
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.seconds == 20.5
    assert sorted(result.accepted_files) == ["longer.txt", "longer.wav"]


def test_acoustic_with_two_transcripts_fails_the_import(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.wav", wav(rate=16000, bits=16, channels=1, seconds=1.0))
        zf.writestr("one.txt", "a.wav\thello\n")
        zf.writestr("two.txt", "a.wav\thello\n")
    result = judge_dataset(archive, "Acoustic", "en-US")
    assert not result.ok and result.error_code == "InvalidDataset"
    assert result.message == "2 transcripts (exactly one .txt or .tsv)"


def test_speech_to_text_failure_codes(tmp_path: Path) -> None:
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"not a zip")
    assert judge_dataset(not_zip, "Acoustic", "en-US").error_code == "DataImportFailed"
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    assert judge_dataset(latin, "Language", "de-DE").error_code == "NoUtf8WithBom"
    bad_audio = tmp_path / "audio.zip"
    with zipfile.ZipFile(bad_audio, "w") as zf:
        zf.writestr("a.wav", wav(rate=44100, bits=16, channels=1, seconds=1.0))
        zf.writestr("trans.txt", "a.wav\thello\n")
    result = judge_dataset(bad_audio, "Acoustic", "en-US")
    assert result.error_code == "InvalidAudioFormat" and "44100 Hz" in (result.message or "")


def test_figures_from_the_headers_and_lines(tmp_path: Path) -> None:
    """utteranceCount, durations and line counts: 16 kHz 16-bit mono, 1.5 s + 0.5 s; a UTF-16
    script with CR line ends; an MP3 prompt of 320 kbps and 10 s."""
    voice = tmp_path / "voice"
    voice.mkdir()
    for uid, seconds in (("0001", 1.5), ("0002", 0.5), ("0003", 31.0)):
        (voice / f"{uid}.wav").write_bytes(wav(rate=16000, bits=16, channels=1, seconds=seconds))
    script = "0001\tOne.\r0002\tTwo.\r0003\tThree.\r0004\tNo audio.\r"
    (voice / "script.txt").write_bytes(encode(script, "utf-16-bom-le"))
    result = judge_folder(voice, "AudioAndScript", "en-US")
    assert (result.accepted, result.rejected, result.seconds) == (2, 2, 2.0)
    assert result.words == 2 and result.sentences == 2
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "p.mp3").write_bytes(mp3(kbps=320, rate=48000, seconds=10.0, id3=True))
    prompt = judge_folder(prompts, "Prompt", "en-US")
    assert prompt.ok and abs(prompt.seconds - 10.0) < 0.1


def test_consent_succeeds_only_when_every_recording_is_valid(tmp_path: Path) -> None:
    (tmp_path / "good.wav").write_bytes(wav(rate=24000, bits=16, channels=1, seconds=4.0))
    assert judge_folder(tmp_path, "Consent", "en-US").ok
    (tmp_path / "bad.wav").write_bytes(wav(rate=22050, bits=16, channels=1, seconds=4.0))
    result = judge_folder(tmp_path, "Consent", "en-US")
    assert not result.ok and result.error_code == "AudioAndScriptNotMatch"


def test_a_wav_whose_script_line_is_rejected_names_the_line(tmp_path: Path) -> None:
    """One root cause: ``Q1`` is not a numeric id, so its line is rejected and the WAV with it,
    the WAV's rejection naming the line; the good pair's line is a line the model takes."""
    for stem in ("Q1", "0000000002"):
        (tmp_path / f"{stem}.wav").write_bytes(wav(rate=24000, bits=16, channels=1, seconds=1.0))
    (tmp_path / "script.txt").write_text("Q1\tHello there.\n\n0000000002\tWhat a day!\n")
    result = judge_folder(tmp_path, "AudioAndScript", "en-US")
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.accepted_lines == [("script.txt", 3)]
    by_file = {(r["file"], r["line"]): r for r in result.report["rejections"]}
    assert by_file[("Q1.wav", None)]["cause"] == ["script.txt", 1]
    assert "script.txt:1" in by_file[("Q1.wav", None)]["reason"]
    assert "cause" not in by_file[("script.txt", 1)]


def test_text_lines_taken_are_listed_and_dropped_with_a_failed_file(tmp_path: Path) -> None:
    """Accepted lines by number (blank lines counted, not taken); a LanguageMarkdown file that
    breaks a file limit takes none of its lines."""
    language = tmp_path / "l.txt"
    language.write_text("one\r\n\r\nsee https://example.com\r\ntwo\r\n")
    assert judge_dataset(language, "Language", "en-US").accepted_lines == [
        ("l.txt", 1),
        ("l.txt", 4),
    ]
    markdown = tmp_path / "m.md"
    markdown.write_text("\n".join(f"@ list l{n} =\n- x" for n in range(21)))
    result = judge_dataset(markdown, "LanguageMarkdown", "en-US")
    assert not result.ok and result.accepted == 0 and result.accepted_lines == []
