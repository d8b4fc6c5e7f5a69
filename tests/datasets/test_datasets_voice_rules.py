"""Professional and personal voice rules: boundaries, pairing, counts, and the rules the
broken samples cannot carry (limits lowered with monkeypatch, exclusive dataset states)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from speechflows.datasets import DataKind, Severity, build_zip, validate
from speechflows.datasets import voice as voice_module
from speechflows.datasets.audio_checks import legal_name
from speechflows.datasets.sample_files import write_text
from speechflows.datasets.synth import write_mp3, write_silent_wav, write_wav

AAS = DataKind.AUDIO_AND_SCRIPT


def _aas(
    folder: Path, specs: dict[str, dict[str, float]], *, lines: list[str] | None = None
) -> Path:
    """An AudioAndScript folder: one WAV per id (keyword args of write_silent_wav) + script."""
    for uid, kw in specs.items():
        write_silent_wav(folder / f"{uid}.wav", **kw)  # type: ignore[arg-type]
    script = (
        lines
        if lines is not None
        else [f"{uid}\tA sentence for {chr(97 + i)}." for i, uid in enumerate(specs)]
    )
    write_text(folder / "script.txt", script)
    return folder


def _codes(path: Path, kind: DataKind = AAS, **kw: object) -> dict[str, int]:
    report = validate(path, kind, min_utterances=0, **kw)  # type: ignore[arg-type]
    return report.counts_by_code()


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (8000, {"audio.sample_rate_too_low": 1}),
        (15999, {"audio.sample_rate_too_low": 1}),
        (16000, {"audio.sample_rate_below_recommended": 1}),
        (22050, {"audio.sample_rate_below_recommended": 1}),
        (24000, {}),
        (48000, {}),
    ],
)
def test_audio_and_script_sample_rate(tmp_path: Path, rate: int, expected: dict[str, int]) -> None:
    assert _codes(_aas(tmp_path, {"0001": {"seconds": 1.0, "rate": rate}})) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (14.9, {}),
        (15.0, {}),
        (15.5, {"audio.long_utterance": 1}),
        (30.0, {"audio.long_utterance": 1}),
        (30.5, {"audio.too_long": 1}),
    ],
)
def test_audio_and_script_duration(
    tmp_path: Path, seconds: float, expected: dict[str, int]
) -> None:
    assert _codes(_aas(tmp_path, {"0001": {"seconds": seconds}})) == expected


@pytest.mark.parametrize(
    ("bits", "expected"), [(8, {"audio.bit_depth_too_low": 1}), (16, {}), (24, {}), (32, {})]
)
def test_audio_and_script_bit_depth(tmp_path: Path, bits: int, expected: dict[str, int]) -> None:
    assert _codes(_aas(tmp_path, {"0001": {"seconds": 1.0, "bits": bits}})) == expected


@pytest.mark.parametrize(("length", "expected"), [(1000, {}), (1001, {"script.line_too_long": 1})])
def test_script_line_length_boundary(tmp_path: Path, length: int, expected: dict[str, int]) -> None:
    line = "0001\t" + "a" * (length - 6) + "."
    assert len(line) == length
    _aas(tmp_path, {"0001": {"seconds": 1.0}}, lines=[line])
    assert _codes(tmp_path) == expected


@pytest.mark.parametrize(
    ("name", "legal"),
    [
        ("0001.wav", True),
        (" 0001.wav", False),
        ("0001.wav ", False),
        (".0001.wav", False),
        ("a:b.wav", False),
        ("a*b.wav", False),
        ("a?b.wav", False),
        ('a"b.wav', False),
        ("a<b.wav", False),
        ("a>b.wav", False),
        ("a|b.wav", False),
        ("a\\b.wav", False),
        ("a\x01b.wav", False),
        ("a b.wav", True),
    ],
)
def test_windows_legal_names(name: str, legal: bool) -> None:
    assert legal_name(name) is legal


def test_mono_is_only_a_warning_for_professional_voice(tmp_path: Path) -> None:
    report = validate(
        _aas(tmp_path, {"0001": {"seconds": 1.0, "channels": 2}}), AAS, min_utterances=0
    )
    assert report.counts_by_code() == {"audio.not_mono": 1}
    assert not report.has_errors and report.findings[0].severity is Severity.WARNING


def test_pairing_counts_and_accepted_files(tmp_path: Path) -> None:
    write_wav(tmp_path / "0001.wav", 1.0)
    write_wav(tmp_path / "0002.wav", 2.0)
    write_wav(tmp_path / "0003.wav", 1.0, rate=8000)  # rejected audio, its line goes with it
    write_wav(tmp_path / "0004.wav", 1.0)  # no line
    write_text(tmp_path / "script.txt", ["0001\tOne.", "0002\tTwo.", "0003\tThree.", "0005\tFive."])
    write_text(tmp_path / "other.txt", ["0006\tNo audio either."])
    report = validate(tmp_path, AAS, min_utterances=0)
    assert report.counts_by_code() == {
        "audio.no_matching_script": 1,
        "audio.sample_rate_too_low": 1,
        "script.no_matching_audio": 2,
    }
    assert report.utterance_count == 2
    assert report.rejected_count == 4  # 0003 (audio), 0004 (no line), 0005 and 0006 (no audio)
    assert report.accepted_files == ["0001.wav", "0002.wav", "script.txt"]
    assert sorted(report.rejected_files) == ["0003.wav", "0004.wav", "other.txt"]
    assert report.total_audio_seconds == pytest.approx(3.0)
    assert report.files_checked == 6
    finding = next(f for f in report.findings if f.value == "0005")
    assert (finding.file, finding.line, finding.value) == ("script.txt", 4, "0005")


def test_sox_fix_names_the_file(tmp_path: Path) -> None:
    report = validate(
        _aas(tmp_path, {"0001": {"seconds": 1.0, "rate": 8000}}), AAS, min_utterances=0
    )
    (finding,) = report.findings
    assert (
        finding.value == "8000 Hz"
        and "0001.wav" in finding.fix
        and finding.fix.startswith("Record again")
    )


def test_no_script_is_one_dataset_finding(tmp_path: Path) -> None:
    for i in range(3):
        write_wav(tmp_path / f"000{i}.wav", 0.5)
    report = validate(tmp_path, AAS, min_utterances=0)
    assert report.counts_by_code() == {"dataset.no_script": 1}
    assert report.rejected_count == 3 and not report.accepted_files


def test_no_audio(tmp_path: Path) -> None:
    write_text(tmp_path / "script.txt", ["0001\tHello."])
    assert _codes(tmp_path) == {"dataset.no_audio": 1, "script.no_matching_audio": 1}


@pytest.mark.parametrize(("minimum", "expected"), [(None, 1), (0, 0), (2, 1), (1, 0)])
def test_recipe_minimum_is_a_warning(tmp_path: Path, minimum: int | None, expected: int) -> None:
    report = validate(_aas(tmp_path, {"0001": {"seconds": 1.0}}), AAS, min_utterances=minimum)
    assert report.counts_by_code().get("dataset.too_few_utterances", 0) == expected
    assert not report.has_errors


def test_questions_and_exclamations_counted_from_ten_lines(tmp_path: Path) -> None:
    specs = {f"{i:04d}": {"seconds": 0.5} for i in range(10)}
    lines = [f"{uid}\tStatement number {chr(97 + i)}." for i, uid in enumerate(specs)]
    assert set(_codes(_aas(tmp_path / "a", specs, lines=lines))) == {
        "script.few_questions",
        "script.few_exclamations",
    }
    lines[0], lines[1] = "0000\tIs it?", "0001\tIt is!"
    assert _codes(_aas(tmp_path / "b", specs, lines=lines)) == {}
    nine = dict(list(specs.items())[:9])
    plain = [f"{uid}\tStatement number {chr(97 + i)}." for i, uid in enumerate(nine)]
    assert _codes(_aas(tmp_path / "c", nine, lines=plain)) == {}  # under ten lines: not checked


@pytest.mark.parametrize(
    ("kind", "limit_name", "files"),
    [
        (AAS, "MAX_ZIP_BYTES", 1),
        (DataKind.LONG_AUDIO, "MAX_ZIP_BYTES", 1),
        (DataKind.AUDIO_ONLY, "MAX_ZIP_BYTES", 1),
    ],
)
def test_dataset_too_large_with_a_lowered_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: DataKind, limit_name: str, files: int
) -> None:
    write_silent_wav(tmp_path / "0001.wav", 32.0, rate=24000)
    write_text(tmp_path / "0001.txt", ["0001\tA long read text."])
    monkeypatch.setattr(voice_module, limit_name, 1000)
    report = validate(tmp_path, kind, min_utterances=0)
    assert report.counts_by_code().get("dataset.too_large") == 1
    assert report.findings[-1].severity is Severity.WARNING


@pytest.mark.parametrize("kind", [DataKind.LONG_AUDIO, DataKind.AUDIO_ONLY], ids=str)
def test_too_many_files_with_a_lowered_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: DataKind
) -> None:
    for name in ("a", "b"):
        write_silent_wav(tmp_path / f"{name}.wav", 32.0, rate=24000)
        if kind is DataKind.LONG_AUDIO:
            write_text(tmp_path / f"{name}.txt", ["Some text."])
    assert "dataset.too_many_files" not in _codes(tmp_path, kind)
    monkeypatch.setattr(voice_module, "MAX_LONG_AUDIO_FILES", 1)
    assert _codes(tmp_path, kind) == {"dataset.too_many_files": 1}


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(19.0, {"audio.too_short": 1}), (20.5, {"audio.shorter_than_recommended": 1}), (31.0, {})],
)
def test_long_audio_duration(tmp_path: Path, seconds: float, expected: dict[str, int]) -> None:
    write_silent_wav(tmp_path / "a.wav", seconds, rate=24000)
    write_text(tmp_path / "a.txt", ["The whole transcript."])
    assert _codes(tmp_path, DataKind.LONG_AUDIO) == expected


@pytest.mark.parametrize(
    ("kbps", "expected"), [(192, {"audio.bitrate_too_low": 1}), (256, {}), (320, {})]
)
def test_long_audio_mp3_bitrate(tmp_path: Path, kbps: int, expected: dict[str, int]) -> None:
    write_mp3(tmp_path / "a.mp3", 31.0, kbps=kbps)
    write_text(tmp_path / "a.txt", ["The whole transcript."])
    report = validate(tmp_path, DataKind.LONG_AUDIO)
    assert report.counts_by_code() == expected
    assert report.accepted_files == ([] if expected else ["a.mp3", "a.txt"])


@pytest.mark.parametrize(
    "kind",
    [
        DataKind.AUDIO_ONLY,
        DataKind.LONG_AUDIO,
        DataKind.CONSENT,
        DataKind.PROMPT,
        DataKind.AUDIO_FILES,
    ],
    ids=str,
)
def test_no_audio_in_audio_kinds(tmp_path: Path, kind: DataKind) -> None:
    (tmp_path / "empty").mkdir()
    assert _codes(tmp_path / "empty", kind) == {"dataset.no_audio": 1}


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(4.9, {"audio.too_short": 1}), (5.0, {}), (90.0, {}), (90.5, {"audio.too_long": 1})],
)
def test_prompt_duration(tmp_path: Path, seconds: float, expected: dict[str, int]) -> None:
    write_silent_wav(tmp_path / "p.wav", seconds, rate=24000)
    assert _codes(tmp_path / "p.wav", DataKind.PROMPT) == expected


@pytest.mark.parametrize(
    ("rate", "bits", "ok"),
    [
        (16000, 16, True),
        (44100, 24, True),
        (48000, 32, True),
        (22050, 16, False),
        (24000, 8, False),
        (8000, 16, False),
    ],
)
def test_personal_voice_wav_formats(tmp_path: Path, rate: int, bits: int, ok: bool) -> None:
    path = write_wav(tmp_path / "consent.wav", 4.0, rate=rate, bits=bits)
    assert validate(path, DataKind.CONSENT).has_errors is not ok


@pytest.mark.parametrize(
    ("kbps", "ok"), [(128, True), (192, True), (256, True), (320, True), (160, False), (64, False)]
)
def test_personal_voice_mp3_bitrates(tmp_path: Path, kbps: int, ok: bool) -> None:
    path = write_mp3(tmp_path / "prompt.mp3", 6.0, kbps=kbps)
    assert validate(path, DataKind.PROMPT).has_errors is not ok


def test_prompt_file_size_limit(tmp_path: Path) -> None:
    # The spec's x-ms-max-length is 31,457,280 bytes (30 MiB), not 30,000,000.
    small = write_silent_wav(tmp_path / "a.wav", 10.0, trailing_chunk=30_900_000)
    big = write_silent_wav(tmp_path / "b.wav", 10.0, trailing_chunk=31_500_000)
    assert 30_000_000 < small.stat().st_size <= 31_457_280 < big.stat().st_size
    assert _codes(small, DataKind.PROMPT) == {}
    assert _codes(big, DataKind.PROMPT) == {"audio.file_too_large": 1}


def test_zip_input_matches_folder_input(tmp_path: Path) -> None:
    folder = _aas(
        tmp_path / "f", {"0001": {"seconds": 1.0}, "0002": {"seconds": 1.0, "rate": 8000}}
    )
    zipped = build_zip(folder, tmp_path / "f.zip")
    a, b = validate(folder, AAS, min_utterances=0), validate(zipped, AAS, min_utterances=0)
    assert a.counts_by_code() == b.counts_by_code() == {"audio.sample_rate_too_low": 1}
    assert a.accepted_files == b.accepted_files and a.utterance_count == b.utterance_count == 1
    assert b.total_bytes == zipped.stat().st_size


def _corrupt_member(zpath: Path, member: str) -> None:
    raw = bytearray(zpath.read_bytes())
    start = raw.index(member.encode()) + len(member)
    raw[start + 10 : start + 60] = b"\xff" * 50  # garble the deflate stream
    zpath.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("kind", "member"), [(DataKind.LANGUAGE, "l.txt"), (DataKind.ACOUSTIC, "trans.txt")], ids=str
)
def test_unreadable_text_member_is_a_finding(tmp_path: Path, kind: DataKind, member: str) -> None:
    zpath = tmp_path / "t.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            member, "\ufeff" + "".join(f"line number {i}\tsome words\n" for i in range(400))
        )
    _corrupt_member(zpath, member)
    report = validate(zpath, kind)
    assert report.counts_by_code().get("file.unreadable") == 1
    assert member in report.rejected_files


def test_unreadable_member_is_a_finding(tmp_path: Path) -> None:
    zpath = tmp_path / "bad.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("0001.wav", write_wav(tmp_path / "x.wav", 1.0).read_bytes())
        zf.writestr("script.txt", "0001\tHello there.\n")
    raw = bytearray(zpath.read_bytes())
    start = raw.index(b"0001.wav") + len("0001.wav")
    raw[start + 10 : start + 60] = b"\xff" * 50  # corrupt the deflate stream of the WAV
    zpath.write_bytes(bytes(raw))
    report = validate(zpath, AAS, min_utterances=0)
    assert report.counts_by_code() == {"file.unreadable": 1}
    assert report.rejected_files == ["0001.wav", "script.txt"]


@pytest.mark.parametrize("kind", list(DataKind), ids=str)
def test_missing_path_and_bad_zip(tmp_path: Path, kind: DataKind) -> None:
    assert _codes(tmp_path / "nope", kind) == {"dataset.not_found": 1}
    (tmp_path / "bad.zip").write_bytes(b"this is not a zip")
    report = validate(tmp_path / "bad.zip", kind)
    assert report.counts_by_code() == {"zip.invalid": 1}
    assert report.rejected_files == ["bad.zip"]


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    for i in range(600):
        write_silent_wav(tmp_path / f"{i:04d}.wav", 1.0)
    write_text(tmp_path / "s.txt", [f"{i:04d}\tLine {chr(97 + i % 26)}." for i in range(600)])
    calls: list[tuple[int, int]] = []
    validate(tmp_path, AAS, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (601, 601)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) >= 3


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="AudioAndScript"):
        validate(tmp_path, "Video")


def test_kind_names_are_case_insensitive(tmp_path: Path) -> None:
    assert validate(tmp_path / "nope", "audioandscript").kind is AAS
