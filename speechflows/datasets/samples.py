"""Synthetic sample datasets for every kind: realistic ones, and broken ones for the validator.

``write_sample(dest, kind)`` writes ``dest/data/`` (the dataset) and ``dest/README.md``
(what it is, and the findings to expect). It returns the path to validate or upload: the single
file for Language, Pronunciation, LanguageMarkdown, OutputFormatting and Consent, else the
``data`` folder. With ``broken=True`` the dataset carries exactly one instance of every finding
the validator knows for the kind and locale, except the rules marked ``seedable=False`` (the
README lists both); ``validate()`` on it reports exactly the listed codes.

>>> import tempfile
>>> path = write_sample(Path(tempfile.mkdtemp()), "Pronunciation")
>>> path.name
'pronunciation.txt'
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Callable
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rules import rules_for
from speechflows.datasets.sample_text import PHRASES, sentence
from speechflows.datasets.synth import write_mp3, write_wav

BOM = codecs.BOM_UTF8.decode("utf-8")
DEFAULT_COUNTS = {
    DataKind.AUDIO_AND_SCRIPT: 12,
    DataKind.LONG_AUDIO: 2,
    DataKind.AUDIO_ONLY: 3,
    DataKind.ACOUSTIC: 10,
    DataKind.AUDIO_FILES: 5,
    DataKind.LANGUAGE: 40,
    DataKind.PRONUNCIATION: 8,
    DataKind.LANGUAGE_MARKDOWN: 8,
    DataKind.OUTPUT_FORMATTING: 4,
    DataKind.CONSENT: 1,
    DataKind.PROMPT: 1,
}
PRONUNCIATIONS = (
    ("3CPO", "three c p o"),
    ("CNTK", "c n t k"),
    ("IEEE", "i triple e"),
    ("NASA", "nasa"),
    ("SQL", "sequel"),
    ("GIF", "jif"),
    ("AI", "a i"),
    ("URL", "u r l"),
    ("HTTP", "h t t p"),
    ("USB", "u s b"),
)
CONSENT_STATEMENT = (
    "I Jordan Avery am aware that recordings of my voice will be used by "
    "Contoso to create and use a synthetic version of my voice."
)


def utterance_id(i: int) -> str:
    """Ten-digit utterance id, as in the Azure samples (``0000000001``)."""
    return f"{i:010d}"


def write_text(
    path: Path, lines: list[str], *, bom: bool = True, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    """Write ``lines`` (UTF-8 with BOM by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (BOM if bom else "") + newline.join(lines) + newline
    path.write_bytes(text.encode(encoding))
    return path


def _audio_and_script(data: Path, n: int, locale: str, seed: int) -> Path:
    lines = []
    for i in range(1, n + 1):
        write_wav(
            data / f"{utterance_id(i)}.wav", 0.6 + (i % 5) * 0.2, rate=24000, seed=seed * 1000 + i
        )
        lines.append(f"{utterance_id(i)}\t{sentence(i - 1)}")
    write_text(data / "script.txt", lines)
    return data


def _long_audio(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        name = f"chapter_{i:02d}"
        if i % 2:
            write_wav(data / f"{name}.wav", 32.0, rate=16000, seed=seed * 1000 + i)
        else:
            write_mp3(data / f"{name}.mp3", 32.0, kbps=256)
        write_text(data / f"{name}.txt", [" ".join(sentence(j) for j in range(i, i + 6))])
    return data


def _audio_only(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        if i % 3:
            write_wav(data / f"recording_{i:02d}.wav", 2.0, rate=24000, seed=seed * 1000 + i)
        else:
            write_mp3(data / f"recording_{i:02d}.mp3", 2.0, kbps=256)
    return data


def _acoustic(data: Path, n: int, locale: str, seed: int) -> Path:
    lines = []
    for i in range(1, n + 1):
        write_wav(
            data / f"speech{i:02d}.wav", 1.0 + (i % 3) * 0.5, rate=16000, seed=seed * 1000 + i
        )
        lines.append(f"speech{i:02d}.wav\t{sentence(i - 1)}")
    write_text(data / "trans.txt", lines, bom=locale.lower() != "en-us")
    return data


def _audio_files(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        write_wav(
            data / f"test{i:02d}.wav", 1.5, rate=16000 if i % 2 else 8000, seed=seed * 1000 + i
        )
    return data


def _language(data: Path, n: int, locale: str, seed: int) -> Path:
    return write_text(data / "language.txt", [sentence(i) for i in range(n)])


def _pronunciation(data: Path, n: int, locale: str, seed: int) -> Path:
    pairs = [PRONUNCIATIONS[i % len(PRONUNCIATIONS)] for i in range(min(n, len(PRONUNCIATIONS)))]
    return write_text(data / "pronunciation.txt", [f"{d}\t{s}" for d, s in pairs])


def markdown_lines(n: int) -> list[str]:
    """A small structured-text document with two lists, a lexicon and ``n`` sentences."""
    return [
        "// Hotel booking phrases",
        "@ list hotel =",
        "- Fairmont",
        "- Westin",
        "- Marriott",
        "",
        "@ list roomType =",
        "- king",
        "- queen",
        "- suite",
        "",
        "@ speech:phoneticlexicon",
        "- cat/k ae t",
        "- fish/f ih sh",
        "",
        "# bookings",
        *(
            f"- {'book a {@roomType} at {@hotel}' if i % 2 else PHRASES[i % len(PHRASES)]}"
            for i in range(n)
        ),
    ]


def _markdown(data: Path, n: int, locale: str, seed: int) -> Path:
    return write_text(data / "structured.md", markdown_lines(n))


def formatting_lines(n: int) -> list[str]:
    """An output formatting document with each of the four sections."""
    return [
        "#itn",
        "- three point five",
        "#rewrite",
        "Contoso\tCONTOSO",
        "wifi\tWi-Fi",
        "#profanity",
        *(f"badword{chr(97 + i)}" for i in range(n)),
        "#test",
        "send it to contoso\tSend it to CONTOSO.",
    ]


def _formatting(data: Path, n: int, locale: str, seed: int) -> Path:
    return write_text(data / "formatting.md", formatting_lines(n))


def _consent(data: Path, n: int, locale: str, seed: int) -> Path:
    write_text(data.parent / "consent-statement.txt", [CONSENT_STATEMENT], bom=False)
    if n == 1:
        return write_wav(data / "consent.wav", 6.0, rate=24000, seed=seed * 1000 + 3)
    for i in range(1, n + 1):
        write_wav(data / f"consent_{i:02d}.wav", 6.0, rate=24000, seed=seed * 1000 + i)
    return data


def _prompt(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        write_wav(data / f"prompt_{i:02d}.wav", 8.0, rate=24000, seed=seed * 1000 + i)
    return data


WRITERS: dict[DataKind, Callable[[Path, int, str, int], Path]] = {
    DataKind.AUDIO_AND_SCRIPT: _audio_and_script,
    DataKind.LONG_AUDIO: _long_audio,
    DataKind.AUDIO_ONLY: _audio_only,
    DataKind.ACOUSTIC: _acoustic,
    DataKind.AUDIO_FILES: _audio_files,
    DataKind.LANGUAGE: _language,
    DataKind.PRONUNCIATION: _pronunciation,
    DataKind.LANGUAGE_MARKDOWN: _markdown,
    DataKind.OUTPUT_FORMATTING: _formatting,
    DataKind.CONSENT: _consent,
    DataKind.PROMPT: _prompt,
}


def write_sample(
    dest: Path,
    kind: DataKind | str,
    *,
    count: int | None = None,
    broken: bool = False,
    locale: str = "en-US",
    seed: int = 0,
) -> Path:
    """Write a synthetic ``kind`` dataset under ``dest`` and return the path to validate.

    Args:
        dest: folder to create (its ``data/`` and ``README.md`` are replaced).
        kind: the data kind.
        count: utterances, files or lines (kind-specific default, small: tests stay fast).
        broken: seed one instance of every finding the validator knows for the kind.
        locale: written into the README; decides which locale-specific rules are seeded.
        seed: varies the generated tones.
    """
    from speechflows.datasets.samples_broken import BROKEN_WRITERS
    from speechflows.datasets.samples_broken_speech import BROKEN_SPEECH_WRITERS

    kind = DataKind.parse(kind)
    dest = Path(dest)
    data = dest / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    n = count if count is not None else DEFAULT_COUNTS[kind]
    if broken:
        path, seeded = {**BROKEN_WRITERS, **BROKEN_SPEECH_WRITERS}[kind](data, n, locale)
    else:
        path, seeded = WRITERS[kind](data, n, locale, seed), {}
    _readme(dest / "README.md", kind, locale, broken, seeded)
    return path


def _readme(path: Path, kind: DataKind, locale: str, broken: bool, seeded: dict[str, str]) -> None:
    rules = rules_for(kind, locale)
    lines = [
        f"# Sample {kind.value} dataset ({locale}){' — broken' if broken else ''}",
        "",
        "Synthetic: tones and noise with correct headers, real sentences. Validate with:",
        "",
        f"    speechflows validate data --kind {kind.value} --locale {locale}",
        "",
    ]
    if broken:
        lines += ["## Seeded findings (exactly one of each)", ""]
        lines += [
            f"- `{code}` ({rules[code].severity.value}): {where}"
            for code, where in sorted(seeded.items())
        ]
        skipped = [r for r in rules.values() if not r.seedable]
        lines += ["", "## Not seeded", ""]
        lines += [f"- `{r.code}`: {r.why_not_seeded}" for r in skipped]
    else:
        lines += [
            "## Expected findings",
            "",
            "None, except `dataset.too_few_utterances` (a warning) for AudioAndScript "
            "samples under the recipe minimum."
            if kind is DataKind.AUDIO_AND_SCRIPT
            else "None.",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def seeded_codes(readme: Path) -> list[str]:
    """The codes listed under "Seeded findings" in a sample README."""
    codes, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.startswith("## Seeded")
        elif inside and line.startswith("- `"):
            codes.append(line[3 : line.index("`", 3)])
    return codes
