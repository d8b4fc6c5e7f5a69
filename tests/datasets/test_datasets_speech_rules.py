"""Custom speech rules: Acoustic, AudioFiles and the text kinds, boundaries and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from speechflows.datasets import DataKind, build_zip, speech_audio, speech_text, validate
from speechflows.datasets.sample_files import write_text
from speechflows.datasets.speech_audio import repetition
from speechflows.datasets.synth import write_silent_wav, write_wav

AC = DataKind.ACOUSTIC


def _acoustic(
    folder: Path, lines: list[str], *, bom: bool = False, wavs: tuple[str, ...] = ("a.wav",)
) -> Path:
    for name in wavs:
        write_wav(folder / name, 1.0, rate=16000)
    write_text(folder / "trans.txt", lines, bom=bom)
    return folder


def _codes(path: Path, kind: DataKind = AC, locale: str = "en-US") -> dict[str, int]:
    return validate(path, kind, locale=locale).counts_by_code()


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"rate": 8000}, {}),
        ({"rate": 16000}, {}),
        ({"rate": 11025}, {"audio.sample_rate_unsupported": 1}),
        ({"rate": 24000}, {"audio.sample_rate_unsupported": 1}),
        ({"channels": 2}, {"audio.not_mono": 1}),
        ({"bits": 8}, {"audio.bit_depth_unsupported": 1}),
        ({"bits": 32, "tag": 3}, {"audio.bit_depth_unsupported": 1, "audio.not_pcm": 1}),
    ],
)
def test_acoustic_audio_format(
    tmp_path: Path, kw: dict[str, int], expected: dict[str, int]
) -> None:
    params = {"rate": 16000, "bits": 16, "channels": 1, "tag": 1, **kw}
    write_wav(
        tmp_path / "a.wav",
        1.0,
        rate=params["rate"],
        bits=params["bits"],
        channels=params["channels"],
        tag=params["tag"],
    )
    write_text(tmp_path / "trans.txt", ["a.wav\thello there"], bom=False)
    assert _codes(tmp_path) == expected


@pytest.mark.parametrize(
    ("seconds", "kind", "expected"),
    [
        (40.0, AC, {}),
        (41.0, AC, {"audio.too_long_for_training": 1}),
        (7200.0, DataKind.AUDIO_FILES, {}),
        (7201.0, DataKind.AUDIO_FILES, {"audio.too_long": 1}),
    ],
)
def test_stt_durations(
    tmp_path: Path, seconds: float, kind: DataKind, expected: dict[str, int]
) -> None:
    write_silent_wav(tmp_path / "a.wav", seconds, rate=8000)
    if kind is AC:
        write_text(tmp_path / "trans.txt", ["a.wav\thello there"], bom=False)
    assert _codes(tmp_path, kind) == expected


def test_transcript_names_audio_by_path_or_base_name(tmp_path: Path) -> None:
    write_wav(tmp_path / "sub" / "x.wav", 1.0, rate=16000)
    write_wav(tmp_path / "y.wav", 1.0, rate=16000)
    write_text(tmp_path / "trans.txt", ["sub/x.wav\thello", "y.wav\tgood morning"], bom=False)
    report = validate(tmp_path, AC)
    assert report.counts_by_code() == {} and report.utterance_count == 2
    assert report.accepted_files == ["sub/x.wav", "y.wav", "trans.txt"]


def test_english_transcripts_must_be_ascii_a_bom_is_fine(tmp_path: Path) -> None:
    assert _codes(_acoustic(tmp_path / "a", ["a.wav\tplain ascii"], bom=True)) == {}
    assert _codes(_acoustic(tmp_path / "b", ["a.wav\tcafé — “quoted”"])) == {
        "transcript.non_ascii": 1
    }
    assert _codes(_acoustic(tmp_path / "c", ["a.wav\tcafé"], bom=True), locale="fr-FR") == {}


def test_other_locales_without_bom_are_warned_and_accepted(tmp_path: Path) -> None:
    # Ledger "Data rules": accepted es-ES/it-IT/pt-BR sample transcripts have no BOM.
    report = validate(_acoustic(tmp_path, ["a.wav\tguten Morgen"]), AC, locale="de-DE")
    assert report.counts_by_code() == {"text.no_utf8_bom": 1} and not report.has_errors
    assert (report.utterance_count, report.rejected_count) == (1, 0)
    assert sorted(report.accepted_files) == ["a.wav", "trans.txt"]


@pytest.mark.parametrize(("chars", "expected"), [(90, {}), (91, {"transcript.line_too_long": 1})])
def test_japanese_sentence_length(tmp_path: Path, chars: int, expected: dict[str, int]) -> None:
    text = ("あいうえおかきくけこさしすせそ" * 7)[:chars]
    folder = _acoustic(tmp_path, ["a.wav\t" + text], bom=True)
    assert _codes(folder, locale="ja-JP") == expected
    assert _codes(folder, locale="en-US") == {"transcript.non_ascii": 1}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("yeah yeah yeah yeah", True),
        ("that's it that's it that's it that's it", True),
        ("aaaah no", True),
        ("yeah yeah yeah", False),
        ("the year 10000 began", False),
        ("bookkeeper", False),
        ("no no, no", False),
    ],
)
def test_repetition(text: str, found: bool) -> None:
    assert (repetition(text) is not None) is found


def test_acoustic_without_transcript_and_without_audio(tmp_path: Path) -> None:
    write_wav(tmp_path / "a" / "a.wav", 1.0, rate=16000)
    assert _codes(tmp_path / "a") == {"dataset.no_transcript": 1}
    write_text(tmp_path / "b" / "trans.txt", ["a.wav\thello"], bom=False)
    assert _codes(tmp_path / "b") == {"dataset.no_audio": 1, "transcript.no_matching_audio": 1}


def test_acoustic_binary_transcript(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav", 1.0, rate=16000)
    (tmp_path / "trans.txt").write_bytes(b"\x00\x01binary\x00")
    report = validate(tmp_path, AC)
    # One root cause, one finding: not also "add a line for a.wav" (ledger "Data rules").
    assert report.counts_by_code() == {"text.encoding_invalid": 1}
    assert report.accepted_files == [] and "trans.txt" in report.rejected_files


@pytest.mark.parametrize("kind", [AC, DataKind.AUDIO_FILES], ids=str)
def test_archive_limits_with_lowered_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: DataKind
) -> None:
    folder = _acoustic(tmp_path / "d", ["a.wav\thello", "b.wav\tgood day"], wavs=("a.wav", "b.wav"))
    zipped = build_zip(folder, tmp_path / "d.zip")
    base = _codes(zipped, kind)
    monkeypatch.setattr(speech_audio, "MAX_FILES", 2)
    monkeypatch.setattr(speech_audio, "MAX_BYTES", 1000)
    report = validate(zipped, kind)
    added = {
        c: n - base.get(c, 0) for c, n in report.counts_by_code().items() if n != base.get(c, 0)
    }
    assert added == {"dataset.too_many_files": 1, "dataset.too_large": 1}


def test_acoustic_zip_validates_like_the_folder(tmp_path: Path) -> None:
    folder = _acoustic(tmp_path / "d", ["a.wav\thello", "b.wav\tgood day"], wavs=("a.wav", "b.wav"))
    report = validate(build_zip(folder, tmp_path / "d.zip"), AC)
    assert report.counts_by_code() == {} and report.utterance_count == 2
    assert report.total_audio_seconds == pytest.approx(2.0)


# --- text kinds -------------------------------------------------------------------------------


def _text(tmp_path: Path, name: str, lines: list[str], bom: bool = True) -> Path:
    return write_text(tmp_path / name, lines, bom=bom)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("see www.contoso.com for more", {"language.uri": 1}),
        ("ftp://files.example.org/a", {"language.uri": 1}),
        ("e.g. this is fine", {}),
        ("dot.separated words", {}),
        ("¡hola amigo", {}),
        ("the café is open", {"text.char_out_of_range": 1}),
    ],
)
def test_language_lines(tmp_path: Path, line: str, expected: dict[str, int]) -> None:
    assert _codes(_text(tmp_path, "l.txt", ["good line one", line]), DataKind.LANGUAGE) == expected


def test_language_character_range_is_checked_for_english_only(tmp_path: Path) -> None:
    path = _text(tmp_path, "l.txt", ["das Café hat geöffnet"])
    assert _codes(path, DataKind.LANGUAGE, "de-DE") == {}
    assert _codes(path, DataKind.LANGUAGE, "en-GB") == {"text.char_out_of_range": 1}


def test_language_counts_and_uri_lines_rejected(tmp_path: Path) -> None:
    report = validate(
        _text(tmp_path, "l.txt", ["one", "", "two", "http://x.y/z"]), DataKind.LANGUAGE
    )
    assert (report.utterance_count, report.rejected_count) == (2, 1)
    assert report.accepted_files == ["l.txt"]


def test_language_without_bom_is_a_warning_and_accepted(tmp_path: Path) -> None:
    # Ledger "Data rules": Microsoft's accepted en-US plain-text sample has no BOM.
    report = validate(_text(tmp_path, "l.txt", ["one", "two"], bom=False), DataKind.LANGUAGE)
    assert report.counts_by_code() == {"text.no_utf8_bom": 1} and not report.has_errors
    assert (report.utterance_count, report.rejected_count, report.accepted_files) == (
        2,
        0,
        ["l.txt"],
    )


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        (DataKind.LANGUAGE, DataKind.LANGUAGE),
        (DataKind.LANGUAGE_MARKDOWN, DataKind.LANGUAGE_MARKDOWN),
        (DataKind.OUTPUT_FORMATTING, DataKind.OUTPUT_FORMATTING),
    ],
    ids=str,
)
def test_text_file_size_limits_with_lowered_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: DataKind, key: DataKind
) -> None:
    name = "x.txt" if kind is DataKind.LANGUAGE else "x.md"
    path = _text(
        tmp_path,
        name,
        ["#itn", "- a line of text"] if kind is DataKind.OUTPUT_FORMATTING else ["- a"],
    )
    monkeypatch.setitem(speech_text.MAX_BYTES, key, 5)
    assert _codes(path, kind) == {"file.too_large": 1}


def test_language_larger_than_recommended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _text(tmp_path, "l.txt", ["a sentence long enough"])
    monkeypatch.setattr(speech_text, "RECOMMENDED_LANGUAGE_BYTES", 10)
    report = validate(path, DataKind.LANGUAGE)
    assert report.counts_by_code() == {"file.larger_than_recommended": 1} and not report.has_errors


@pytest.mark.parametrize(
    "kind",
    [
        DataKind.LANGUAGE,
        DataKind.PRONUNCIATION,
        DataKind.LANGUAGE_MARKDOWN,
        DataKind.OUTPUT_FORMATTING,
    ],
    ids=str,
)
def test_text_kinds_need_a_file(tmp_path: Path, kind: DataKind) -> None:
    (tmp_path / "d").mkdir()
    assert _codes(tmp_path / "d", kind) == {"dataset.no_files": 1}


def test_pronunciation_ansi_is_fine_for_english_only(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.txt", ["Café\tk a f e"], bom=False, encoding="cp1252")
    assert _codes(path, DataKind.PRONUNCIATION, "en-US") == {}
    assert _codes(path, DataKind.PRONUNCIATION, "fr-FR") == {"text.encoding_invalid": 1}
    utf8 = write_text(tmp_path / "q.txt", ["Café\tk a f e"], bom=False)
    assert _codes(utf8, DataKind.PRONUNCIATION, "fr-FR") == {"text.no_utf8_bom": 1}


@pytest.mark.parametrize(
    ("size", "expected"), [(1024 * 1024, {}), (1024 * 1024 + 1, {"file.too_large": 1})]
)
def test_pronunciation_one_megabyte(tmp_path: Path, size: int, expected: dict[str, int]) -> None:
    line = "ABC\ta b c\n"
    body = line * ((size - 3) // len(line))
    body += "x" * (size - 3 - len(body) - 1) + "\n" if size - 3 - len(body) > 1 else ""
    path = tmp_path / "p.txt"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert path.stat().st_size in (size, size - 1)
    path.write_bytes(path.read_bytes() + b"\n" * (size - path.stat().st_size))
    assert path.stat().st_size == size
    assert {
        k: v
        for k, v in _codes(path, DataKind.PRONUNCIATION).items()
        if k != "pronunciation.missing_tab"
    } == expected


def test_markdown_lists_may_be_defined_after_use(tmp_path: Path) -> None:
    path = _text(tmp_path, "m.md", ["# s", "- go to {@city}", "@ list city =", "- Paris"])
    report = validate(path, DataKind.LANGUAGE_MARKDOWN)
    assert report.counts_by_code() == {} and report.utterance_count == 2


@pytest.mark.parametrize(
    ("lines", "expected"), [(200, {}), (201, {"formatting.section_too_long": 1})]
)
def test_itn_section_limit(tmp_path: Path, lines: int, expected: dict[str, int]) -> None:
    path = _text(
        tmp_path, "f.md", ["#itn", *(f"- rule {i}" for i in range(lines)), "#rewrite", "a\tb"]
    )
    assert _codes(path, DataKind.OUTPUT_FORMATTING) == expected


def test_formatting_counts(tmp_path: Path) -> None:
    path = _text(tmp_path, "f.md", ["#rewrite", "wifi\tWi-Fi", "no tab here", "#test", "a b\tA B."])
    report = validate(path, DataKind.OUTPUT_FORMATTING)
    assert report.counts_by_code() == {"formatting.missing_tab": 1}
    assert (report.utterance_count, report.rejected_count) == (2, 1)
