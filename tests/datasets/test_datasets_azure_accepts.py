"""Never stricter than Azure: data Microsoft publishes as accepted validates with zero errors.

Every fixture here is written byte by byte by the test (stdlib ``wave``/``zipfile``, no product
writer), reproducing the facts of reference/azure-speech.md §4.4 for several locales; each has
a broken twin that must still be rejected with one finding per root cause. The ledger rows of
``docs/azure-behaviour.md`` ("Data rules", "Dataset formats") name these tests.
"""

from __future__ import annotations

import codecs
import math
import struct
import wave
import zipfile
from pathlib import Path

import pytest

from speechflows.datasets import Severity, ValidationReport, validate

BOM = codecs.BOM_UTF8

# Accented text as a Spanish, Italian or Brazilian speaker transcribes it (UTF-8, no BOM).
ACCENTED = {
    "es-ES": ["¿Dónde está la estación?", "El niño comió piña y jamón.", "Añádelo al año próximo."],
    "it-IT": ["Perché è così difficile?", "La città è già piena.", "Più caffè, per piacere."],
    "pt-BR": ["Não há ação sem reação.", "Você já comeu pão de queijo?", "A lição está difícil."],
}
# ~230 characters per line, as in the accepted ja-JP sample transcripts (no repeated runs).
JA_LINE = (
    "今日は天気が良いので、公園まで散歩に行きました。駅の近くに新しい喫茶店ができたそうです。"
    "来週の会議では、売上の報告と新製品の計画について話し合う予定です。"
    "東京から大阪までは新幹線でおよそ二時間半かかります。"
    "子供たちは夏休みに祖父母の家へ遊びに行き、川で魚を釣ったり山に登ったりしました。"
    "お客様のお問い合わせには、担当者が順番にお答えいたしますので、少々お待ちください。"
    "図書館で借りた本を返すのを忘れてしまい、延滞の連絡が届きました。明日は朝早く起きて準備します。"
)[:230]


def _wav(path: Path, *, rate: int = 16000, width: int = 2, seconds: float = 0.5) -> Path:
    frames = int(rate * seconds)
    if width == 1:  # 8-bit WAV is unsigned
        data = bytes(128 + int(60 * math.sin(i / 8)) for i in range(frames))
    else:
        data = b"".join(struct.pack("<h", int(8000 * math.sin(i / 8))) for i in range(frames))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return path


def _acoustic_zip(
    folder: Path, texts: list[str], *, bom: bool, extra: dict[str, bytes] | None = None
) -> Path:
    """A zip of ``utt<n>.wav`` plus ``trans.txt`` (``utt<n>.wav<TAB>text`` per line, CRLF)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, text in enumerate(texts, 1):
        _wav(folder / f"utt{n}.wav")
        lines.append(f"utt{n}.wav\t{text}")
    body = "\r\n".join(lines).encode() + b"\r\n"
    (folder / "trans.txt").write_bytes((BOM if bom else b"") + body)
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    dest = folder.with_suffix(".zip")
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    return dest


def _errors(report: ValidationReport) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.file, f.line) for f in report.findings if f.severity is Severity.ERROR]


def _by_file(report: ValidationReport, file: str) -> list[str]:
    return [f.code for f in report.findings if f.file == file]


@pytest.mark.parametrize("locale", sorted(ACCENTED))
def test_acoustic_without_bom_and_accented_text_is_accepted(tmp_path: Path, locale: str) -> None:
    report = validate(
        _acoustic_zip(tmp_path / locale, ACCENTED[locale], bom=False), "Acoustic", locale=locale
    )
    assert _errors(report) == []
    assert report.utterance_count == 3 and report.rejected_count == 0
    assert report.counts_by_code() == {"text.no_utf8_bom": 1}  # said, as a recommendation
    assert "trans.txt" in report.accepted_files


def test_acoustic_ja_jp_lines_of_230_characters_are_accepted(tmp_path: Path) -> None:
    report = validate(
        _acoustic_zip(tmp_path / "ja", [JA_LINE, JA_LINE[::-1]], bom=True),
        "Acoustic",
        locale="ja-JP",
    )
    assert len(JA_LINE) == 230
    assert _errors(report) == [] and report.utterance_count == 2
    assert report.counts_by_code() == {"transcript.line_too_long": 2}


@pytest.mark.parametrize("locale", ["es-ES", "pt-BR"])
def test_acoustic_broken_twin_one_finding_per_root_cause(tmp_path: Path, locale: str) -> None:
    texts = list(ACCENTED[locale])
    folder = tmp_path / locale
    src = _acoustic_zip(folder, texts, bom=False)  # built once for the wavs, then rebuilt
    src.unlink()
    body = (folder / "trans.txt").read_bytes().replace(b"utt2.wav\t", b"utt2.wav ")
    (folder / "trans.txt").write_bytes(body)
    _wav(folder / "utt1.wav", width=1)  # 8-bit
    (folder / "utt3.wav").write_bytes(b"OggS\x00\x02" + bytes(200))  # not a WAV at all
    with zipfile.ZipFile(src, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    report = validate(src, "Acoustic", locale=locale)
    assert _by_file(report, "utt1.wav") == ["audio.bit_depth_unsupported"]
    assert len(_by_file(report, "utt3.wav")) == 1
    # The TAB-less line is the one root cause for utt2: no "add a transcript line" for its WAV.
    assert _by_file(report, "utt2.wav") == []
    assert [(f.code, f.line) for f in report.findings if f.file == "trans.txt"] == [
        ("text.no_utf8_bom", None),
        ("transcript.missing_tab", 2),
    ]
    assert report.has_errors and report.utterance_count == 0


def test_en_us_duplicate_line_with_smart_quotes_gets_both_findings(tmp_path: Path) -> None:
    text = "It’s “quoted”."
    folder = tmp_path / "en"
    _acoustic_zip(folder, [text, "plain"], bom=False)
    (folder / "trans.txt").write_bytes(
        f"utt1.wav\t{text}\nutt2.wav\tplain\nutt1.wav\t{text}\n".encode()
    )
    report = validate(folder, "Acoustic", locale="en-US")
    on_line_3 = sorted(f.code for f in report.findings if f.line == 3)
    assert on_line_3 == ["transcript.duplicate_file", "transcript.non_ascii"]
    assert [f.line for f in report.findings if f.code == "transcript.non_ascii"] == [1, 3]


def test_en_us_language_without_bom_with_registered_sign_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "data_text.txt"
    path.write_bytes("Contoso® Cloud is a product.\nOrder the Contoso® starter kit.\n".encode())
    report = validate(path, "Language", locale="en-US")
    assert _errors(report) == [] and report.utterance_count == 2
    assert report.accepted_files == ["data_text.txt"]
    assert set(report.counts_by_code()) == {"text.no_utf8_bom", "text.char_out_of_range"}


def test_language_broken_twin_binary_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "data_text.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    report = validate(path, "Language", locale="en-US")
    assert _errors(report) == [("text.encoding_invalid", "data_text.txt", None)]
    assert report.accepted_files == []


def test_language_markdown_without_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "structured-text.md"
    path.write_bytes(
        b"// structured text sample\n@ list cities =\n- Seattle\n- Redmond\n\n"
        b"# directions\n- how do I get to {@cities}\n- drive me to {@cities} please\n"
    )
    report = validate(path, "LanguageMarkdown", locale="en-US")
    assert _errors(report) == [] and report.accepted_files == ["structured-text.md"]
    assert report.counts_by_code() == {"text.no_utf8_bom": 1}


# The display-format rule file as Microsoft publishes it: a .txt, UTF-8 with BOM.
RULE_FILE = (
    "// Display format rules for the contoso domain\r\n"
    "# itn\r\n"
    "cat-\\d\r\n"
    "\\d\\d{to>-}\\d\\d {K>cadence}\r\n"
    "\r\n"
    "# rewrite\r\n"
    "contoso\tContoso\r\n"
    "azure speech\tAzure Speech\r\n"
)


@pytest.mark.parametrize(
    ("name", "text", "rules"),
    [
        ("data_display format.txt", RULE_FILE, 4),
        ("rules.md", RULE_FILE.replace("# itn", "#itn").replace("# rewrite", "#Rewrite"), 4),
        ("rules.txt", RULE_FILE + "# profanity\r\ndarn\r\n# TEST\r\ncontoso\tContoso\r\n", 6),
    ],
)
def test_output_formatting_rule_file_is_accepted(
    tmp_path: Path, name: str, text: str, rules: int
) -> None:
    path = tmp_path / name
    path.write_bytes(BOM + text.encode())
    report = validate(path, "OutputFormatting", locale="en-US")
    assert report.findings == []
    assert report.accepted_files == [name] and report.utterance_count == rules


def test_output_formatting_folder_with_the_txt_is_one_dataset(tmp_path: Path) -> None:
    (tmp_path / "data_display format.txt").write_bytes(BOM + RULE_FILE.encode())
    report = validate(tmp_path, "OutputFormatting", locale="en-US")
    assert report.findings == [] and report.accepted_files == ["data_display format.txt"]


def test_output_formatting_broken_twin(tmp_path: Path) -> None:
    path = tmp_path / "rules.txt"
    bad = RULE_FILE.replace("contoso\tContoso", "contoso Contoso") + "# emoji\r\n:)\r\n"
    bad = bad.replace("cat-\\d", "cat-{\\d")
    path.write_bytes(BOM + bad.encode())
    report = validate(path, "OutputFormatting", locale="en-US")
    assert [(f.code, f.severity.value, f.line) for f in report.findings] == [
        ("formatting.pattern_invalid", "warning", 3),
        ("formatting.missing_tab", "error", 7),
        ("formatting.unknown_section", "warning", 9),
    ]
    assert report.has_errors
