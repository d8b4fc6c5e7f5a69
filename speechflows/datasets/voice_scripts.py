"""Professional voice scripts: `<numeric id><TAB><text>` lines, parsed once, streamed.

The parser keeps, per utterance id, one int: where the line is and whether it was accepted
(so 100,000 ids cost a dict of ints, not 100,000 objects).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source
from speechflows.datasets.text_checks import reencode_fix, text_encoding
from speechflows.datasets.textfiles import TextEncoding, iter_lines

MAX_LINE = 1000
_UNNORMALIZED = re.compile(r"[0-9@#$%&*+=<>^~_|\\/\[\]{}]")
_CLOSERS = "\"'”’)»」』 "
_END = frozenset(".?!…。？！")
_UNICODE_ONLY = ("zh-cn",)


def text_end(text: str) -> str:
    """Last character of ``text`` after closing quotes and brackets ("" when none)."""
    stripped = text.rstrip(_CLOSERS)
    return stripped[-1] if stripped else ""


@dataclass
class ScriptIndex:
    """Utterance ids of all scripts. ``ids[id] = (script << 32 | line)``, negated when rejected."""

    scripts: list[str]
    ids: dict[str, int] = field(default_factory=dict)
    readable: list[bool] = field(default_factory=list)
    used: list[bool] = field(default_factory=list)
    malformed: dict[str, int] = field(default_factory=dict)  # first word of an unparsable line
    lines_ok: int = 0
    questions: int = 0
    exclamations: int = 0

    def where(self, packed: int) -> tuple[str, int]:
        """(script file, line) of a packed location."""
        packed = -packed - 1 if packed < 0 else packed
        return self.scripts[packed >> 32], packed & 0xFFFFFFFF


def parse_scripts(src: Source, scripts: list[str], b: ReportBuilder, locale: str) -> ScriptIndex:
    """Read every script, report line findings and return the index of ids."""
    index = ScriptIndex(scripts)
    texts: set[int] = set()
    for n, name in enumerate(scripts):
        b.tick()
        index.used.append(False)
        ok = _parse_one(src, n, name, index, texts, b, locale)
        index.readable.append(ok)
    return index


BOM_FIX = (
    "Save {file} as UTF-8 with BOM in your editor, or run: mkdir -p {dst_dir} && "
    "printf '\\357\\273\\277' | cat - {src} > {dst}"
)


def _parse_one(
    src: Source,
    n: int,
    name: str,
    index: ScriptIndex,
    texts: set[int],
    b: ReportBuilder,
    locale: str,
) -> bool:
    enc = text_encoding(src, name, b, allow_ansi=True, allow_utf16=True)
    if enc is None:
        return False
    if locale.lower() in _UNICODE_ONLY and (enc.ascii or enc.codec == "cp1252"):
        b.add(
            "text.encoding_invalid",
            name,
            value=f"{enc.label} is not accepted for {locale}",
            fix=BOM_FIX if enc.ascii else reencode_fix(src, name, b),
        )
        return False
    if enc.codec == "cp1252":
        b.add("text.ansi_encoding", name, value=enc.label, fix=reencode_fix(src, name, b))
    ids, report = index.ids, b.report
    blank = True
    with src.open(name) as f:
        for line_no, line in iter_lines(f, enc):
            if not line.strip():
                continue
            blank = False
            packed = n << 32 | line_no
            tab = line.find("\t")
            if tab < 0:
                b.add("script.missing_tab", name, line=line_no, value=line[:60])
                report.rejected_count += 1
                # Filed under its first word, so the WAV it names gets no second finding.
                index.malformed.setdefault(line.split(maxsplit=1)[0], packed)
                continue
            uid, text = line[:tab].strip(), line[tab + 1 :].strip()
            rejected = False
            if not (uid.isascii() and uid.isdigit()):
                b.add("script.id_not_numeric", name, line=line_no, value=_shown_id(uid, enc))
                index.malformed.setdefault(uid.strip("\ufeff\x00"), packed)
                rejected = True
            elif uid in ids:
                first, first_line = index.where(ids[uid])
                b.add(
                    "script.duplicate_id",
                    name,
                    line=line_no,
                    value=f"{uid} (first at {first}:{first_line})",
                )
                rejected = True
            if not text:
                b.add("script.empty_text", name, line=line_no, value=uid)
                rejected = True
            if len(line) > MAX_LINE:
                b.add("script.line_too_long", name, line=line_no, value=f"{len(line)} characters")
                rejected = True
            if text:
                _line_warnings(name, line_no, text, index, texts, b, counted=not rejected)
            if rejected:
                report.rejected_count += 1
                if uid.isascii() and uid.isdigit():
                    ids.setdefault(uid, -packed - 1)
            else:
                ids[uid] = packed
    if blank:
        b.add("script.empty", name, value="no entries")
        return False
    return True


def _shown_id(uid: str, enc: TextEncoding) -> str:
    """The id as found, saying so when it holds a byte order mark or NULs (an encoding slip)."""
    if "\ufeff" in uid or "\x00" in uid:
        return (
            f"{uid[:40]!r} (holds a byte order mark or NUL: the file was read as {enc.label}; "
            "were files with their own BOM joined into it?)"
        )
    return uid[:40]


def _line_warnings(
    name: str,
    line_no: int,
    text: str,
    index: ScriptIndex,
    texts: set[int],
    b: ReportBuilder,
    *,
    counted: bool = True,
) -> None:
    if not counted:  # a rejected line: its warnings still show, its sentence is not counted
        end = text_end(text)
        if end not in _END:
            b.add("script.missing_end_punctuation", name, line=line_no, value=text[-30:])
        odd = _UNNORMALIZED.findall(text)
        if odd:
            b.add("script.unnormalized_text", name, line=line_no, value="".join(dict.fromkeys(odd)))
        return
    index.lines_ok += 1
    key = hash(text)
    if key in texts:
        b.add("script.duplicate_text", name, line=line_no, value=text[:60])
    else:
        texts.add(key)
    end = text_end(text)
    if end in ("?", "？"):
        index.questions += 1
    elif end in ("!", "！"):
        index.exclamations += 1
    elif end not in _END:
        b.add("script.missing_end_punctuation", name, line=line_no, value=text[-30:])
    odd = _UNNORMALIZED.findall(text)
    if odd:
        b.add("script.unnormalized_text", name, line=line_no, value="".join(dict.fromkeys(odd)))
