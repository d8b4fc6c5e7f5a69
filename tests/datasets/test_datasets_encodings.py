"""Script encodings: UTF-8 (with/without BOM), UTF-16 LE/BE (with/without BOM), ANSI, CRLF/CR."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from speechflows.datasets import DataKind, validate
from speechflows.datasets.synth import write_wav
from speechflows.datasets.textfiles import TextDecodeError, detect_encoding, iter_lines

LINES = ["0001\tHello there.", "0002\tIs it raining?", "0003\tWhat a day!"]


def _encode(text: str, encoding: str) -> bytes:
    boms = {
        "utf-8-sig": b"",
        "utf-16-le+bom": codecs.BOM_UTF16_LE,
        "utf-16-be+bom": codecs.BOM_UTF16_BE,
    }
    if encoding in boms:
        codec = encoding.split("+")[0]
        return boms[encoding] + text.encode(codec)
    return text.encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("utf-8", "ASCII"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("utf-16-le+bom", "UTF-16 LE"),
        ("utf-16-be+bom", "UTF-16 BE"),
        ("utf-16-le", "UTF-16 LE (no BOM)"),
        ("utf-16-be", "UTF-16 BE (no BOM)"),
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_scripts_parse_in_every_accepted_encoding(
    tmp_path: Path, encoding: str, label: str, newline: str
) -> None:
    for i in (1, 2, 3):
        write_wav(tmp_path / f"000{i}.wav", 0.5)
    data = _encode(newline.join(LINES) + newline, encoding)
    (tmp_path / "script.txt").write_bytes(data)
    report = validate(tmp_path, DataKind.AUDIO_AND_SCRIPT, min_utterances=0)
    assert report.counts_by_code() == {} and report.utterance_count == 3
    enc = detect_encoding(lambda: io.BytesIO(data))
    assert enc.label == label
    assert [t for _, t in iter_lines(io.BytesIO(data), enc)] == LINES


def test_utf8_non_ascii(tmp_path: Path) -> None:
    data = "0001\tThe café is open.\n".encode()
    enc = detect_encoding(lambda: io.BytesIO(data))
    assert (enc.label, enc.bom, enc.ascii) == ("UTF-8", False, False)


def test_ansi_is_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    write_wav(tmp_path / "0001.wav", 0.5)
    (tmp_path / "script.txt").write_bytes("0001\tThe café is open.\r\n".encode("cp1252"))
    report = validate(tmp_path, DataKind.AUDIO_AND_SCRIPT, min_utterances=0)
    assert report.counts_by_code() == {"text.ansi_encoding": 1} and report.utterance_count == 1


def test_zh_cn_refuses_ansi_and_ascii(tmp_path: Path) -> None:
    write_wav(tmp_path / "0001.wav", 0.5)
    (tmp_path / "script.txt").write_bytes(b"0001\tni hao.\n")
    report = validate(tmp_path, DataKind.AUDIO_AND_SCRIPT, locale="zh-CN", min_utterances=0)
    # One root cause, one finding: the refused script, not also its WAV (ledger "Data rules").
    assert report.counts_by_code() == {"text.encoding_invalid": 1}
    assert sorted(report.rejected_files) == ["0001.wav", "script.txt"]
    (tmp_path / "script.txt").write_bytes(codecs.BOM_UTF8 + "0001\t你好。\n".encode())
    assert (
        validate(
            tmp_path, DataKind.AUDIO_AND_SCRIPT, locale="zh-CN", min_utterances=0
        ).counts_by_code()
        == {}
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02binary", "binary data (NUL byte at offset 0)"),
        (codecs.BOM_UTF8 + b"ok\n\xff\xfe bad", "invalid UTF-8 with BOM at byte 6"),
    ],
)
def test_undecodable_text(data: bytes, message: str) -> None:
    with pytest.raises(TextDecodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect_encoding(lambda: io.BytesIO(data), allow_ansi=True)


def test_invalid_utf8_without_ansi_names_the_offset() -> None:
    with pytest.raises(TextDecodeError, match="invalid UTF-8 at byte 3"):
        detect_encoding(lambda: io.BytesIO(b"abc\xff"))


def test_language_refuses_utf16(tmp_path: Path) -> None:
    (tmp_path / "l.txt").write_bytes(codecs.BOM_UTF16_LE + "hello world\n".encode("utf-16-le"))
    assert validate(tmp_path / "l.txt", DataKind.LANGUAGE).counts_by_code() == {
        "text.encoding_invalid": 1
    }


def test_large_script_is_streamed_across_chunks(tmp_path: Path) -> None:
    text = "".join(f"{i:06d}\tSentence {'é' * (i % 7)}.\n" for i in range(60_000))  # > 1 MB chunk
    data = text.encode("utf-8")
    assert len(data) > 1 << 20
    enc = detect_encoding(lambda: io.BytesIO(data))
    assert enc.label == "UTF-8"
    assert sum(1 for _ in iter_lines(io.BytesIO(data), enc)) == 60_000
