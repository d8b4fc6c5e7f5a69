"""Validators for custom speech text datasets: Language, Pronunciation, LanguageMarkdown,
OutputFormatting.

Each file is its own dataset (a folder of several files validates each). A file-level error
(not text, too large, unreadable) rejects the file and all its lines; line errors reject lines.
A missing BOM is a warning: published data the service accepts has none (docs/azure-behaviour.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from speechflows.datasets.audio_checks import READ_ERRORS, unreadable
from speechflows.datasets.kinds import AUDIO_EXTENSIONS, KIND_EXTENSIONS, DataKind
from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source
from speechflows.datasets.speech_audio import repetition
from speechflows.datasets.text_checks import reencode_fix
from speechflows.datasets.textfiles import TextDecodeError, detect_encoding, iter_lines
from speechflows.datasets.voice import Options, split_files

MB = 1024 * 1024
MAX_BYTES = {
    DataKind.LANGUAGE: 1536 * MB,
    DataKind.PRONUNCIATION: MB,
    DataKind.LANGUAGE_MARKDOWN: 200 * MB,
    DataKind.OUTPUT_FORMATTING: 10 * MB,
}
RECOMMENDED_LANGUAGE_BYTES = 200 * MB
MAX_JA_KO_LINES = 20_000
URI = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.[^\s.]+\.\S+", re.IGNORECASE)
LIST_HEADER = re.compile(r"@\s*list\s+(\w+)\s*=\s*$", re.IGNORECASE)
LEXICON_HEADER = re.compile(r"@\s*speech\s*:\s*phoneticlexicon\s*$", re.IGNORECASE)
LIST_REF = re.compile(r"\{@(\w+)\}")
MAX_LISTS, MANY_LISTS, MAX_LIST_ITEMS = 20, 10, 35_000
MAX_LEXICON, MAX_PRONUNCIATIONS = 15_000, 2
SECTION_LIMITS: dict[str, int | None] = {
    "itn": 200,
    "rewrite": 1000,
    "profanity": 1000,
    "test": None,
}
_OPENER = {"}": "{", "]": "["}
Lines = Iterable[tuple[int, str]]
# A line checker reports findings and returns (accepted, rejected, file_ok).
Checker = Callable[[str, Lines, ReportBuilder, str], tuple[int, int, bool]]


def _text_validator(
    kind: DataKind, checker: Checker
) -> Callable[[Source, ReportBuilder, Options], None]:
    def run(src: Source, b: ReportBuilder, opts: Options) -> None:
        groups = split_files(src, kind, b)
        files = sorted(name for names in groups.values() for name in names)
        if not files:
            exts = "/".join(sorted(KIND_EXTENSIONS[kind]))
            b.add("dataset.no_files", "", value=f"no {exts} file")
        audio = {_stem(n) for n in src.names() if _suffix(n) in AUDIO_EXTENSIONS}
        for name in files:
            b.tick()
            if audio and _is_audio_script(src, name, audio):
                b.add(
                    "dataset.kind_mismatch",
                    name,
                    value=f"id<TAB>text lines naming {len(audio)} audio files beside it",
                )
                b.reject(name)
                continue
            _check_file(src, name, kind, checker, b, opts.locale)

    return run


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


SCRIPT_LINE = re.compile(r"^\ufeff?(\S+)\t\S")


def _is_audio_script(src: Source, name: str, audio: set[str]) -> bool:
    """``name`` reads as an `<id><TAB><text>` script whose ids name the audio beside it."""
    try:
        with src.open(name) as f:
            head = f.read(64 * 1024).decode("utf-8", errors="replace")
    except READ_ERRORS:
        return False
    lines = [line for line in head.splitlines()[:50] if line.strip()]
    ids = [m[1] for line in lines if (m := SCRIPT_LINE.match(line))]
    return (
        bool(lines)
        and len(ids) * 5 >= len(lines) * 4
        and any(i in audio or _stem(i) in audio for i in ids)
    )


def _check_file(
    src: Source, name: str, kind: DataKind, checker: Checker, b: ReportBuilder, locale: str
) -> None:
    report = b.report
    try:
        size = src.size(name)
        report.total_bytes += size
        if size == 0:
            b.add("file.empty", name, value="0 bytes")
        elif size > MAX_BYTES[kind]:
            b.add("file.too_large", name, value=f"{size / MB:.1f} MB")
        else:
            english = locale.lower().startswith("en")
            enc = detect_encoding(
                lambda: src.open(name),
                allow_utf16=False,
                allow_ansi=kind is DataKind.PRONUNCIATION and english,
            )
            if kind is DataKind.LANGUAGE and size > RECOMMENDED_LANGUAGE_BYTES:
                b.add("file.larger_than_recommended", name, value=f"{size / MB:.0f} MB")
            if not enc.bom:  # a recommendation: accepted data has none (ledger)
                b.add("text.no_utf8_bom", name, value=enc.label)
            with src.open(name) as f:
                accepted, rejected, file_ok = checker(name, iter_lines(f, enc), b, locale)
            if accepted + rejected == 0:
                b.add("file.empty", name, value="no non-blank lines")
                file_ok = False
            if file_ok and accepted:
                report.utterance_count += accepted
                report.rejected_count += rejected
                b.accept(name)
                return
            report.rejected_count += accepted + rejected
    except TextDecodeError as exc:
        b.add("text.encoding_invalid", name, value=str(exc), fix=reencode_fix(src, name, b))
    except READ_ERRORS as exc:
        unreadable(b, name, exc)
    b.reject(name)


def check_language(name: str, lines: Lines, b: ReportBuilder, locale: str) -> tuple[int, int, bool]:
    """Plain text: one utterance per line; URIs rejected; odd characters and repeats warned."""
    accepted = rejected = 0
    for line_no, line in lines:
        text = line.strip()
        if not text:
            continue
        uri = URI.search(text)
        if uri:
            b.add("language.uri", name, line=line_no, value=uri.group(0)[:80])
            rejected += 1
        else:
            accepted += 1
        if not text.isascii():
            odd = "".join(dict.fromkeys(c for c in text if ord(c) > 0xA1))
            if odd:
                b.add("text.char_out_of_range", name, line=line_no, value=odd[:20])
        rep = repetition(text)
        if rep:
            b.add("text.repetition", name, line=line_no, value=rep)
    if accepted + rejected > MAX_JA_KO_LINES:
        b.add("language.too_many_lines", name, value=f"{accepted + rejected} lines")
    return accepted, rejected, True


def check_pronunciation(
    name: str, lines: Lines, b: ReportBuilder, locale: str
) -> tuple[int, int, bool]:
    """Pronunciation: `<display form><TAB><spoken form>` per line."""
    accepted = rejected = 0
    for line_no, line in lines:
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            b.add("pronunciation.missing_tab", name, line=line_no, value=line[:60])
        elif not fields[0].strip() or not fields[1].strip():
            b.add("pronunciation.empty_field", name, line=line_no, value=line[:60])
        else:
            accepted += 1
            if len(fields) > 2:
                b.add("pronunciation.extra_tab", name, line=line_no, value=fields[2][:40])
            continue
        rejected += 1
    return accepted, rejected, True


def check_markdown(name: str, lines: Lines, b: ReportBuilder, locale: str) -> tuple[int, int, bool]:
    """Structured text: lists, a phonetic lexicon, sections of `- sentence {@list}` items.

    Accepted lines are list items, lexicon entries and sentences.
    """
    lists: dict[str, tuple[int, int]] = {}  # name -> (header line, items)
    refs: list[tuple[int, list[str]]] = []
    pronunciations: Counter[str] = Counter()
    block: str | None = None  # "list:<name>", "lexicon" or "section"
    accepted = rejected = lexicon = 0
    for line_no, line in lines:
        text = line.strip()
        if not text or text.startswith("//"):
            continue
        if m := LIST_HEADER.match(text):
            block = f"list:{m.group(1)}"
            lists.setdefault(m.group(1), (line_no, 0))
        elif LEXICON_HEADER.match(text):
            block = "lexicon"
        elif text.startswith("#"):
            block = "section"
        elif not text.startswith("-") or block is None:
            b.add("markdown.unexpected_line", name, line=line_no, value=text[:60])
            rejected += 1
        elif block.startswith("list:"):
            header, count = lists[block[5:]]
            lists[block[5:]] = (header, count + 1)
            accepted += 1
        elif block == "lexicon":
            word, slash, spoken = text[1:].strip().partition("/")
            if not slash or not word.strip() or not spoken.strip():
                b.add("markdown.lexicon_entry_invalid", name, line=line_no, value=text[:60])
                rejected += 1
                continue
            lexicon += 1
            pronunciations[word.strip().lower()] += 1
            if pronunciations[word.strip().lower()] > MAX_PRONUNCIATIONS:
                b.add("markdown.too_many_pronunciations", name, line=line_no, value=word.strip())
                rejected += 1
            else:
                accepted += 1
        else:
            accepted += 1
            names = LIST_REF.findall(text)
            if names:
                refs.append((line_no, names))
    for line_no, names in refs:
        missing = [n for n in dict.fromkeys(names) if n not in lists]
        if missing:  # a warning: the sentence stays (ledger)
            b.add("markdown.undefined_list", name, line=line_no, value=", ".join(missing))
    file_ok = True
    if len(lists) > MAX_LISTS:
        file_ok = not b.add("markdown.too_many_lists", name, value=f"{len(lists)} lists")
    elif len(lists) > MANY_LISTS:
        b.add("markdown.many_lists", name, value=f"{len(lists)} lists")
    for list_name, (header, count) in lists.items():
        if count > MAX_LIST_ITEMS:
            b.add("markdown.list_too_long", name, line=header, value=f"{list_name}: {count} items")
            file_ok = False
    if lexicon > MAX_LEXICON:
        b.add("markdown.lexicon_too_large", name, value=f"{lexicon} entries")
        file_ok = False
    return accepted, rejected, file_ok


def _section_header(text: str) -> str | None:
    """``"itn"`` for ``# itn``, ``#itn`` or ``# ITN``; None when the line is not a header."""
    if not text.startswith("#"):
        return None
    return text[1:].strip().lower()


def _unbalanced(pattern: str) -> str | None:
    """The first unbalanced ``{ } [ ]`` of an itn pattern (backslash escapes skipped)."""
    stack: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and (not stack or stack.pop() != _OPENER[char]):
            return char
    return stack[-1] if stack else None


def check_formatting(
    name: str, lines: Lines, b: ReportBuilder, locale: str
) -> tuple[int, int, bool]:
    """Display-format rules: ``// comments``, then ``# itn`` (one pattern per line), ``# rewrite``
    and ``# test`` (``<from><TAB><to>`` pairs) and ``# profanity`` (one word per line).

    Headers are case-insensitive, with or without the space after ``#`` (the accepted sample
    writes ``# itn``, the docs ``#itn``). Lines of an unknown section are left out.
    """
    section: str | None = None
    counts: Counter[str] = Counter()
    headers: dict[str, int] = {}
    accepted = rejected = 0
    for line_no, line in lines:
        text = line.strip()
        if not text or text.startswith("//"):
            continue
        header = _section_header(text)
        if header is not None:
            section = header
            headers.setdefault(section, line_no)
            if section not in SECTION_LIMITS:
                b.add("formatting.unknown_section", name, line=line_no, value=text[:40])
            continue
        if section is None:
            b.add("formatting.line_outside_section", name, line=line_no, value=text[:60])
        elif section not in SECTION_LIMITS:
            continue  # reported once, with its section header
        elif section in ("rewrite", "test") and "\t" not in line:
            b.add("formatting.missing_tab", name, line=line_no, value=text[:60])
            rejected += 1
            continue
        else:
            counts[section] += 1
            if section == "itn" and (bad := _unbalanced(text)):
                b.add(
                    "formatting.pattern_invalid", name, line=line_no, value=f"{bad} in {text[:50]}"
                )
        accepted += 1
    for section, count in counts.items():
        limit = SECTION_LIMITS[section]
        if limit is not None and count > limit:
            b.add(
                "formatting.section_too_long",
                name,
                line=headers[section],
                value=f"# {section}: {count} lines (max {limit})",
            )
    return accepted, rejected, True


validate_language = _text_validator(DataKind.LANGUAGE, check_language)
validate_pronunciation = _text_validator(DataKind.PRONUNCIATION, check_pronunciation)
validate_markdown = _text_validator(DataKind.LANGUAGE_MARKDOWN, check_markdown)
validate_formatting = _text_validator(DataKind.OUTPUT_FORMATTING, check_formatting)
