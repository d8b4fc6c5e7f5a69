"""Bad input gets one accurate finding (or error) per root cause, with a fix that works pasted.

Fixtures are bytes written by the tests (stdlib ``wave``), not the product's sample writers.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from speechflows.datasets import DataKind, validate
from speechflows.datasets.errors import NothingToStageError, UnreadableFileError
from speechflows.datasets.findings import fill_fix
from speechflows.datasets.manifest import build_manifest
from speechflows.datasets.rules import CATALOGUE

AS = "AudioAndScript"
SENTENCES = ["Hello there, how are you today?", "Café “naïve” — über alles!", "It is late."]


def _wav(path: Path, *, rate: int = 24000, seconds: float = 1.0) -> Path:
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(i / 7))) for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def _voice(folder: Path, lines: list[str], wavs: list[str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in wavs:
        _wav(folder / f"{name}.wav")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    (folder / "script.txt").write_bytes(bom + "".join(f"{x}\r\n" for x in lines).encode(encoding))
    return folder


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_script_with_bom_is_decoded_and_validated(tmp_path: Path, encoding: str) -> None:
    ids = [f"{n:010d}" for n in range(1, 4)]
    lines = [f"{i}\t{t}" for i, t in zip(ids, SENTENCES, strict=True)]
    report = validate(_voice(tmp_path, lines, ids, encoding), AS, min_utterances=0)
    assert not report.has_errors, report.summary()
    assert report.utterance_count == 3 and "script.txt" in report.accepted_files
    assert report.findings == []  # non-ASCII text decoded right: no id or text complaint


def test_utf16_script_still_checks_its_lines(tmp_path: Path) -> None:
    lines = ["0000000001\tHello there.", "abc\tNot a number."]
    report = validate(
        _voice(tmp_path, lines, ["0000000001", "abc"], "utf-16-le"), AS, min_utterances=0
    )
    assert [(f.code, f.line, f.value) for f in report.findings] == [
        ("script.id_not_numeric", 2, "abc")
    ]


def test_broken_utf16_script_is_one_finding_not_one_per_wav(tmp_path: Path) -> None:
    ids = [f"{n:010d}" for n in range(1, 4)]
    folder = _voice(tmp_path, [], ids)
    lines = [f"{i}\tSentence.".encode("utf-16-le") for i in ids]
    # Newlines written as single bytes: the UTF-16 text is cut in the middle of a character.
    (folder / "script.txt").write_bytes(codecs.BOM_UTF16_LE + b"\n".join(lines) + b"\n")
    report = validate(folder, AS, min_utterances=0)
    assert [(f.code, f.file) for f in report.findings] == [("text.encoding_invalid", "script.txt")]
    assert "UTF-16 LE" in (report.findings[0].value or "")


def test_joined_files_with_their_own_bom_say_so(tmp_path: Path) -> None:
    ids = [f"{n:010d}" for n in range(1, 3)]
    folder = _voice(tmp_path, [], ids)
    parts = [codecs.BOM_UTF16_LE + f"{i}\tSentence.\r\n".encode("utf-16-le") for i in ids]
    (folder / "script.txt").write_bytes(b"".join(parts))  # e.g. two scripts joined with cat
    report = validate(folder, AS, min_utterances=0)
    [bad] = report.findings
    assert (bad.code, bad.line) == ("script.id_not_numeric", 2)
    assert "byte order mark" in (bad.value or "") and "UTF-16 LE" in (bad.value or "")


def test_wav_of_a_malformed_line_gets_no_second_finding(tmp_path: Path) -> None:
    lines = ["0000000001\tFine.", "0000000002 No tab here.", "take3\tNot numeric."]
    report = validate(
        _voice(tmp_path, lines, ["0000000001", "0000000002", "take3"]), AS, min_utterances=0
    )
    assert [(f.code, f.file, f.line) for f in report.findings] == [
        ("script.missing_tab", "script.txt", 2),
        ("script.id_not_numeric", "script.txt", 3),
    ]
    assert report.utterance_count == 1 and report.rejected_count == 2


def test_every_rule_on_every_script_line(tmp_path: Path) -> None:
    lines = ["0000000001\tFine.", "0000000001\t", "x1\t" + "word " * 250]
    report = validate(_voice(tmp_path, lines, ["0000000001"]), AS, min_utterances=0)
    on = sorted((f.line or 0, f.code) for f in report.findings if f.file == "script.txt")
    assert on == [
        (2, "script.duplicate_id"),
        (2, "script.empty_text"),
        (3, "script.id_not_numeric"),
        (3, "script.line_too_long"),
        (3, "script.missing_end_punctuation"),
    ]


def test_symlink_loop_in_a_folder_is_named_as_such(tmp_path: Path) -> None:
    folder = _voice(tmp_path / "d", ["0000000001\tFine."], ["0000000001"])
    os.symlink("loop.wav", folder / "loop.wav")
    report = validate(folder, AS, min_utterances=0)
    loops = [f for f in report.findings if f.code == "file.symlink_loop"]
    assert [(f.file, f.severity.value) for f in loops] == [("loop.wav", "error")]
    assert "permission" not in loops[0].fix.lower() and "rm loop.wav" in loops[0].fix
    assert str(folder / "loop.wav") in (loops[0].value or "")
    assert report.utterance_count == 1  # the rest of the dataset is still validated


def test_symlink_loop_as_the_path_itself(tmp_path: Path) -> None:
    os.symlink("a.txt", tmp_path / "a.txt")
    report = validate(tmp_path / "a.txt", DataKind.LANGUAGE)
    assert report.counts_by_code() == {"file.symlink_loop": 1}
    assert "permission" not in report.findings[0].fix.lower()


def test_symlink_loop_when_staging(tmp_path: Path) -> None:
    (tmp_path / "ok.wav").write_bytes(b"x")
    os.symlink("x.wav", tmp_path / "x.wav")
    with pytest.raises(UnreadableFileError) as err:
        build_manifest(tmp_path, hash_cache=tmp_path.parent / "cache.json")
    text = str(err.value)
    assert "symlink loop at" in text and "x.wav" in text and "rm '" in text
    assert "permission" not in text.lower()


@pytest.mark.parametrize("extensions", [None, [".wav", ".txt"]])
def test_empty_folder_fix_names_no_option_the_command_lacks(
    tmp_path: Path, extensions: list[str] | None
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NothingToStageError) as err:
        build_manifest(empty, extensions=extensions, hash_cache=tmp_path / "cache.json")
    assert "--" not in err.value.fix and str(empty) in err.value.fix


PLACEHOLDER = re.compile(r"\{(?:file|src|dst|dst_wav|dst_dir)\}")
COMMAND = re.compile(r"\b(sox|ffmpeg|iconv|printf|mkdir|ln|rm) ")


def test_every_fix_command_pastes_as_is() -> None:
    checked = 0
    for kind, rules in CATALOGUE.items():
        for rule in rules.values():
            fix = fill_fix(rule.fix, "my takes/take 1.wav")
            assert not PLACEHOLDER.search(fix), (kind, rule.code, fix)
            if not COMMAND.search(fix):
                continue
            checked += 1
            assert not fix.rstrip().endswith((".", ")")), (kind, rule.code, fix)
            assert ".wav.wav" not in fix, (kind, rule.code, fix)
            if "fixed/" in fix:
                assert "mkdir -p 'fixed/my takes' && " in fix, (kind, rule.code, fix)
    assert checked >= 15


def test_bom_and_ansi_fix_commands_work_when_pasted(tmp_path: Path) -> None:
    (tmp_path / "my texts").mkdir()
    (tmp_path / "my texts/a b.txt").write_bytes(b"hello\n")
    bom_fix = CATALOGUE[DataKind.LANGUAGE]["text.no_utf8_bom"].fix
    command = fill_fix(bom_fix, "my texts/a b.txt").split("run: ", 1)[1]
    subprocess.run(["sh", "-c", command], cwd=tmp_path, check=True)
    assert (tmp_path / "fixed/my texts/a b.txt").read_bytes() == codecs.BOM_UTF8 + b"hello\n"
    (tmp_path / "my texts/a b.txt").write_bytes("caf\xe9\n".encode("cp1252"))
    ansi_fix = CATALOGUE[DataKind.AUDIO_AND_SCRIPT]["text.ansi_encoding"].fix
    command = fill_fix(ansi_fix, "my texts/a b.txt").split(": ", 1)[1]
    subprocess.run(["sh", "-c", command], cwd=tmp_path, check=True)
    assert (tmp_path / "fixed/my texts/a b.txt").read_bytes() == "café\n".encode()
