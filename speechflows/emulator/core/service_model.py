"""The emulator's model of what Azure AI Speech accepts and rejects in customer data.

Written from the service-side rows of ``docs/azure-behaviour.md`` and the specs/reference, with
the emulator's own readers (:mod:`.media`, :mod:`.texts`, zip handling here) and **not** from the
product's validators: product and emulator must be able to disagree, so the differential tests
(``tests/differential/``) can catch a pre-flight stricter than the service.

It models what the service **rejects** (a file, a line, or the whole import), never what our
pre-flight only warns about. Every limit is a named constant below with the text it comes from;
``make ledger-check`` mutates them and requires the ledger's pinning test to fail.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from speechflows.emulator.core.media import Media, read_audio
from speechflows.emulator.core.texts import Decoded, decode, lines

KIB, MIB, GIB = 1024, 1024**2, 1024**3

# Professional voice, ref §4.2 table and "auto-rejected" list.
VOICE_MIN_SAMPLE_RATE = 16_000  # "< 16 kHz rejected"
VOICE_MIN_BITS = 16  # "PCM ≥ 16-bit"
VOICE_MAX_UTTERANCE_SECONDS = 30.0  # "auto-rejected if > 30 s"
SCRIPT_MAX_LINE_CHARS = 1_000  # "line < 1,000 chars"; "> 1,000 chars" auto-rejected
LONG_AUDIO_MIN_SECONDS = 20.0  # "longer than 20 seconds"
LONG_AUDIO_MIN_MP3_KBPS = 256  # ".mp3 (≥ 256 kbps)"
VOICE_MAX_AUDIO_FILES = 1_000  # LongAudio / AudioOnly "≤ 1,000 files"
# Personal voice, ref §4.1 (consent and prompt formats) and the 2026-01-01 spec.
PERSONAL_SAMPLE_RATES = frozenset({16_000, 24_000, 44_100, 48_000})
PERSONAL_BIT_DEPTHS = frozenset({16, 24, 32})
PERSONAL_MP3_KBPS = frozenset({128, 192, 256, 320})
PROMPT_MIN_SECONDS = 5.0  # "between 5 – 90 seconds"
PROMPT_MAX_SECONDS = 90.0
PROMPT_MAX_BYTES = 31_457_280  # spec 2026-01-01 PersonalVoices_Post audioData x-ms-max-length
# Speech to text, ref §4.3 table.
STT_SAMPLE_RATES = frozenset({8_000, 16_000})  # "8 kHz or 16 kHz"
STT_BITS = 16  # "16-bit PCM"
STT_MAX_AUDIO_SECONDS = 7_200.0  # "≤ 2 h per file"
STT_MAX_FILES = 10_000  # "zip ≤ 2 GB or 10,000 files"
STT_MAX_ZIP_BYTES = 2 * GIB
LANGUAGE_MAX_BYTES = 1_536 * MIB  # quotas page "1.5 GB (S0)"
PRONUNCIATION_MAX_BYTES = 1 * MIB  # "1 MB"
MARKDOWN_MAX_BYTES = 200 * MIB  # "200 MB"
FORMATTING_MAX_BYTES = 10 * MIB  # "10 MB"
MARKDOWN_MAX_LISTS = 20  # "≤ 20 lists"
MARKDOWN_MAX_LIST_ITEMS = 35_000  # "≤ 35,000 items per list"
MARKDOWN_MAX_LEXICON = 15_000  # "≤ 15,000 lexicon entries"
MARKDOWN_MAX_PRONUNCIATIONS = 2  # "≤ 2 pronunciations per word"

_ILLEGAL_NAME = frozenset('\\/:*?"<>|') | frozenset(chr(c) for c in range(32))
_URI = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.[^\s.]+\.\S+", re.IGNORECASE)
_LIST = re.compile(r"@\s*list\s+(\w+)\s*=\s*$", re.IGNORECASE)
_LEXICON = re.compile(r"@\s*speech\s*:\s*phoneticlexicon\s*$", re.IGNORECASE)
_FORMATTING_SECTIONS = ("itn", "rewrite", "profanity", "test")


@dataclass
class Analysis:
    """What the service made of one import, reduced to what the APIs report."""

    ok: bool
    accepted: int = 0
    rejected: int = 0
    seconds: float = 0.0
    words: int = 0
    sentences: int = 0
    error_code: str | None = None
    message: str | None = None
    accepted_files: list[str] = field(default_factory=list)
    rejected_files: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    # (file, line) of every script/transcript/text line the service took. The differential
    # tests read it; it is not persisted with a job (a 1.5 GB Language file has millions).
    accepted_lines: list[tuple[str, int]] = field(default_factory=list, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "seconds": self.seconds,
            "words": self.words,
            "sentences": self.sentences,
            "error_code": self.error_code,
            "message": self.message,
            "accepted_files": list(self.accepted_files),
            "rejected_files": list(self.rejected_files),
            "report": dict(self.report),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(**data)


@dataclass(frozen=True)
class Member:
    """One file of an import: its name (relative, ``/``-separated), size and a reader."""

    name: str
    size: int
    read: Callable[[int], bytes]  # read(n): the first n bytes (-1: all)

    @property
    def base(self) -> str:
        return PurePosixPath(self.name).name

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    @property
    def ext(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


def folder_members(folder: Path) -> list[Member]:
    """Every file under ``folder`` (a training-set upload downloaded from its containers)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):

        def read(n: int, path: Path = path) -> bytes:
            with path.open("rb") as f:
                return f.read(n)

        found.append(Member(path.relative_to(folder).as_posix(), path.stat().st_size, read))
    return found


def zip_members(zf: zipfile.ZipFile) -> list[Member]:
    """The files of an open zip archive (folders left out), read through ``zf``."""
    found = []
    for info in zf.infolist():
        if info.is_dir():
            continue

        def read(n: int, info: zipfile.ZipInfo = info) -> bytes:
            with zf.open(info) as f:
                return f.read(n)

        found.append(Member(info.filename, info.file_size, read))
    return found


@dataclass
class _Judge:
    """Collects the rejections of one import (file, line, reason) and the accepted figures."""

    rejections: list[dict[str, Any]] = field(default_factory=list)
    accepted_files: list[str] = field(default_factory=list)
    rejected_files: list[str] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    seconds: float = 0.0
    texts: list[str] = field(default_factory=list)
    lines: list[tuple[str, int]] = field(default_factory=list)

    def take_line(self, file: str, line: int, text: str | None = None) -> None:
        """A line the service takes: counted, its text (if any) counted in words/sentences."""
        self.accepted += 1
        self.lines.append((file, line))
        if text is not None:
            self.texts.append(text)

    def take_audio(self, member: Member, media: Media | None) -> None:
        """An audio file that stands on its own (no script line): taken with its seconds, or
        rejected (``media`` None: it failed its check)."""
        if media is None:
            self.rejected += 1
        else:
            self.accepted += 1
            self.seconds += media.seconds
            self.accepted_files.append(member.name)

    def reject(
        self, file: str, reason: str, line: int | None = None, cause: tuple[str, int] | None = None
    ) -> None:
        """``cause``: the (file, line) whose rejection makes this one (an audio file whose
        script line was rejected is rejected for it)."""
        entry: dict[str, Any] = {"file": file, "line": line, "reason": reason}
        if cause is not None:
            entry["cause"] = list(cause)
        self.rejections.append(entry)

    def reject_file(
        self, member: Member, reason: str, cause: tuple[str, int] | None = None
    ) -> None:
        self.reject(member.name, reason, cause=cause)
        self.rejected_files.append(member.name)

    def result(self, ok: bool, code: str | None = None) -> Analysis:
        first = self.rejections[0] if self.rejections else None
        message = None
        if not ok:
            if first is None:
                message = "no acceptable data"
            else:
                where = first["file"] + (f":{first['line']}" if first["line"] else "")
                message = f"{where}: {first['reason']}" if first["file"] else first["reason"]
        return Analysis(
            ok=ok,
            accepted=self.accepted,
            rejected=self.rejected,
            seconds=round(self.seconds, 6),
            words=sum(len(t.split()) for t in self.texts),
            sentences=len(self.texts),
            error_code=None if ok else code,
            message=message,
            accepted_files=self.accepted_files,
            rejected_files=self.rejected_files,
            report={"model": "emulator", "rejections": self.rejections},
            accepted_lines=self.lines,
        )


# ---- audio ------------------------------------------------------------------------------


def _media(member: Member) -> Media:
    return read_audio(member.read, member.size)


def _legal_name(base: str) -> bool:
    return bool(base) and base[0] not in ". " and base[-1] != " " and _ILLEGAL_NAME.isdisjoint(base)


def _unreadable_audio(m: Media, member: Member) -> str | None:
    """Why no kind can take this audio at all (None when it reads)."""
    ext = member.ext[1:]
    if not m.container:
        return m.problem or "not audio"
    if ext != m.container:
        return f"{m.container} data in a .{ext} file"
    if m.problem:
        return m.problem
    if m.container == "wav" and not m.pcm:
        return "WAV audio must be PCM"
    if m.data_bytes == 0:
        return "no audio samples"
    return None


def _voice_audio_problem(m: Media, kind: str) -> str | None:
    """Why professional voice rejects readable audio ``m`` of ``kind`` (None: accepted)."""
    if kind == "AudioAndScript" and m.container != "wav":
        return "AudioAndScript takes RIFF WAV only"
    if m.container == "wav" and m.bits < VOICE_MIN_BITS:
        return f"{m.bits}-bit audio (PCM of at least {VOICE_MIN_BITS} bits)"
    if kind == "AudioAndScript":
        if m.sample_rate < VOICE_MIN_SAMPLE_RATE:
            return f"{m.sample_rate} Hz (at least {VOICE_MIN_SAMPLE_RATE} Hz)"
        if m.seconds > VOICE_MAX_UTTERANCE_SECONDS:
            return f"{m.seconds:.2f} s (at most {VOICE_MAX_UTTERANCE_SECONDS:g} s)"
    if kind == "LongAudio":
        if m.container == "mp3" and m.kbps < LONG_AUDIO_MIN_MP3_KBPS:
            return f"{m.kbps} kbps MP3 (at least {LONG_AUDIO_MIN_MP3_KBPS})"
        if m.seconds <= LONG_AUDIO_MIN_SECONDS:
            return f"{m.seconds:.2f} s (longer than {LONG_AUDIO_MIN_SECONDS:g} s)"
    return None


def _personal_audio_problem(m: Media, member: Member, prompt: bool) -> str | None:
    if m.sample_rate not in PERSONAL_SAMPLE_RATES:
        return f"{m.sample_rate} Hz (16, 24, 44.1 or 48 kHz)"
    if m.container == "wav" and m.bits not in PERSONAL_BIT_DEPTHS:
        return f"{m.bits}-bit audio (16, 24 or 32)"
    if m.container == "mp3" and m.kbps not in PERSONAL_MP3_KBPS:
        return f"{m.kbps} kbps MP3 (128, 192, 256 or 320)"
    if prompt:
        if member.size > PROMPT_MAX_BYTES:
            return f"{member.size} bytes (at most {PROMPT_MAX_BYTES})"
        if not PROMPT_MIN_SECONDS <= m.seconds <= PROMPT_MAX_SECONDS:
            return f"{m.seconds:.2f} s ({PROMPT_MIN_SECONDS:g}–{PROMPT_MAX_SECONDS:g} s)"
    return None


def _personal_check(member: Member, prompt: bool) -> Callable[[Media], str | None]:
    return lambda m: _personal_audio_problem(m, member, prompt)


def _stt_audio_problem(m: Media) -> str | None:
    if m.container != "wav":
        return "custom speech takes RIFF WAV only"
    if m.sample_rate not in STT_SAMPLE_RATES:
        return f"{m.sample_rate} Hz (8 or 16 kHz)"
    if m.bits != STT_BITS:
        return f"{m.bits}-bit audio ({STT_BITS}-bit PCM)"
    if m.channels != 1:
        return f"{m.channels} channels (mono)"
    if m.seconds > STT_MAX_AUDIO_SECONDS:
        return f"{m.seconds:.0f} s (at most {STT_MAX_AUDIO_SECONDS:g} s)"
    return None


def _judge_audio(member: Member, check: Callable[[Media], str | None], j: _Judge) -> Media | None:
    try:
        m = _media(member)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        j.reject_file(member, f"cannot be read: {type(exc).__name__}")
        return None
    why = _unreadable_audio(m, member) or check(m)
    if why is not None:
        j.reject_file(member, why)
        return None
    return m


def _named(member: Member, seen: set[str], j: _Judge) -> bool:
    """Professional voice: Windows-legal, unique file names (case-insensitive)."""
    if not _legal_name(member.base):
        j.reject_file(member, f"file name {member.base!r} is not a legal Windows file name")
        return False
    if member.base.lower() in seen:
        j.reject_file(member, f"duplicate file name {member.base}")
        return False
    seen.add(member.base.lower())
    return True


# ---- professional voice -----------------------------------------------------------------


def _script_lines(member: Member, locale: str, j: _Judge) -> list[tuple[int, str]] | None:
    decoded = decode(member.read(-1), utf16=True, ansi=locale.lower() != "zh-cn")
    if decoded.text is None:
        j.reject_file(member, decoded.problem or "not text")
        return None
    if locale.lower() == "zh-cn" and decoded.encoding in ("ASCII", "ANSI"):
        j.reject_file(member, f"{decoded.encoding} scripts are not accepted for zh-CN")
        return None
    found = [(n, line) for n, line in lines(decoded.text) if line.strip()]
    if not found:
        j.reject_file(member, "no script lines")
        return None
    return found


def _audio_and_script(members: list[Member], locale: str) -> Analysis:
    j = _Judge()
    wavs = [m for m in members if m.ext == ".wav"]
    scripts = [m for m in members if m.ext == ".txt"]
    good: dict[str, tuple[str, int, str]] = {}  # id -> (script, line, text)
    bad: dict[str, tuple[str, int]] = {}  # ids (or first words) of rejected lines: where
    read_ids: set[str] = set()  # ids of rejected lines with a TAB (a first word is no id)
    used_scripts: set[str] = set()
    for script in scripts:
        for n, line in _script_lines(script, locale, j) or []:
            uid, tab, text = line.partition("\t")
            uid, text = uid.strip(), text.strip()
            why = None
            if not tab:
                why, uid = "no TAB between id and text", (line.split() or [""])[0]
            elif not (uid.isascii() and uid.isdigit()):
                why = f"id {uid[:40]!r} is not numeric"
            elif uid in good or uid in read_ids:
                why = f"id {uid} is used twice"
            elif not text:
                why = "no text after the TAB"
            elif len(line) > SCRIPT_MAX_LINE_CHARS:
                why = f"{len(line)} characters (at most {SCRIPT_MAX_LINE_CHARS})"
            if why is None:
                good[uid] = (script.name, n, text)
            else:
                j.reject(script.name, why, n)
                j.rejected += 1
                bad.setdefault(uid, (script.name, n))
                read_ids.update([uid] if tab else [])
    seen: set[str] = set()
    for wav in wavs:
        media = _judge_audio(wav, lambda m: _voice_audio_problem(m, "AudioAndScript"), j)
        if media is not None and not _named(wav, seen, j):
            media = None
        entry = good.pop(wav.stem, None)
        if media is not None and entry is None:
            where = bad.get(wav.stem)
            if where is None:
                j.reject_file(wav, f"no script line with id {wav.stem}")
            else:
                j.reject_file(wav, f"its script line {where[0]}:{where[1]} is rejected", where)
        if media is not None and entry is not None:
            j.take_line(entry[0], entry[1], entry[2])
            j.seconds += media.seconds
            j.accepted_files.append(wav.name)
            used_scripts.add(entry[0])
        elif entry is not None or wav.stem not in bad:
            j.rejected += 1
    for uid, (script_name, n, _) in good.items():
        j.reject(script_name, f"no audio {uid}.wav", n)
        j.rejected += 1
    for script in scripts:
        if script.name in used_scripts:
            j.accepted_files.append(script.name)
        elif script.name not in j.rejected_files:
            j.rejected_files.append(script.name)
    return j.result(j.accepted > 0, "NoValidData")


def _long_audio(members: list[Member], locale: str) -> Analysis:
    j = _Judge()
    audio = sorted((m for m in members if m.ext in (".wav", ".mp3")), key=lambda m: m.name)
    if len(audio) > VOICE_MAX_AUDIO_FILES:
        j.reject("", f"{len(audio)} audio files (at most {VOICE_MAX_AUDIO_FILES})")
        return j.result(False, "NoValidData")
    transcripts: dict[str, Member] = {}
    seen: set[str] = set()
    for m in members:
        if m.ext == ".txt" and _named(m, seen, j):
            transcripts[m.stem] = m
    stems: set[str] = set()
    for m in audio:
        if m.stem.lower() in stems:
            j.reject_file(m, f"a second recording named {m.stem}")
            j.rejected += 1
            continue
        stems.add(m.stem.lower())
        media = _judge_audio(m, lambda x: _voice_audio_problem(x, "LongAudio"), j)
        if media is not None and not _named(m, seen, j):
            media = None
        text_file = transcripts.pop(m.stem, None)
        text = _transcript_text(text_file, j) if text_file is not None else None
        if media is not None and text_file is None:
            j.reject_file(m, f"no transcript {m.stem}.txt")
        if media is not None and text:
            j.accepted += 1
            j.seconds += media.seconds
            j.accepted_files += [m.name, text_file.name] if text_file else [m.name]
            j.texts.append(text)
        else:
            j.rejected += 1
    for t in transcripts.values():
        j.reject_file(t, f"no audio named {t.stem}")
        j.rejected += 1
    return j.result(j.accepted > 0, "NoValidData")


def _transcript_text(member: Member, j: _Judge) -> str | None:
    decoded = decode(member.read(-1), utf16=True, ansi=True)
    if decoded.text is None or not decoded.text.strip():
        j.reject_file(member, decoded.problem or "no transcript text")
        return None
    return decoded.text.strip()


def _audio_only(members: list[Member], kind: str) -> Analysis:
    j = _Judge()
    audio = sorted((m for m in members if m.ext in (".wav", ".mp3")), key=lambda m: m.name)
    if kind == "AudioOnly" and len(audio) > VOICE_MAX_AUDIO_FILES:
        j.reject("", f"{len(audio)} audio files (at most {VOICE_MAX_AUDIO_FILES})")
        return j.result(False, "NoValidData")
    seen: set[str] = set()
    for m in audio:
        if kind == "AudioOnly":
            media = _judge_audio(m, lambda x: _voice_audio_problem(x, kind), j)
            if media is not None and not _named(m, seen, j):
                media = None
        else:
            media = _judge_audio(m, _personal_check(m, kind == "Prompt"), j)
        j.take_audio(m, media)
    if not audio:
        j.reject("", "no audio files")
    if kind == "Consent":
        return j.result(j.accepted > 0 and j.rejected == 0, "AudioAndScriptNotMatch")
    return j.result(j.accepted > 0, "DataNotEnough" if kind == "Prompt" else "NoValidData")


# ---- speech to text ---------------------------------------------------------------------


def _stt_archive(members: list[Member], archive_bytes: int, j: _Judge) -> bool:
    if len(members) > STT_MAX_FILES:
        j.reject("", f"{len(members)} files in the archive (at most {STT_MAX_FILES})")
        return False
    if archive_bytes > STT_MAX_ZIP_BYTES:
        j.reject("", f"{archive_bytes} bytes (at most {STT_MAX_ZIP_BYTES})")
        return False
    return True


def _acoustic(members: list[Member], size: int) -> Analysis:
    j = _Judge()
    if not _stt_archive(members, size, j):
        return j.result(False, "InvalidDataset")
    wavs = [m for m in members if m.ext == ".wav"]
    transcripts = sorted((m for m in members if m.ext in (".txt", ".tsv")), key=lambda m: m.name)
    if len(transcripts) != 1:
        j.reject("", f"{len(transcripts)} transcripts (exactly one .txt or .tsv)")
        return j.result(False, "InvalidDataset")
    transcript = transcripts[0]
    decoded = decode(transcript.read(-1), utf16=False, ansi=False)
    if decoded.text is None:
        j.reject_file(transcript, decoded.problem or "not text")
        return j.result(False, "NoUtf8WithBom")
    good: dict[str, tuple[int, str]] = {}
    bad: set[str] = set()
    for n, line in lines(decoded.text):
        if not line.strip():
            continue
        key, tab, text = line.partition("\t")
        key, text = key.strip(), text.strip()
        why = None
        if not tab:
            why, key = "no TAB between file and text", (line.split() or [""])[0]
        elif key in good or key in bad:
            why = f"{key} is transcribed twice"
        elif not text:
            why = "no text after the TAB"
        if why is None:
            good[key] = (n, text)
        else:
            j.reject(transcript.name, why, n)
            j.rejected += 1
            bad.add(key)
    for wav in wavs:
        media = _judge_audio(wav, _stt_audio_problem, j)
        entry = good.pop(wav.name, None) or good.pop(wav.base, None)
        if media is None:
            if entry is not None:
                j.rejected += 1
            continue
        j.accepted_files.append(wav.name)
        if entry is not None:
            j.take_line(transcript.name, entry[0], entry[1])
            j.seconds += media.seconds
    for key, (n, _) in good.items():
        j.reject(transcript.name, f"no audio {key} in the archive", n)
        j.rejected += 1
    code = "InvalidAudioFormat" if wavs and not j.accepted_files else "InvalidDataset"
    (j.accepted_files if j.accepted else j.rejected_files).append(transcript.name)
    return j.result(j.accepted > 0, code)


def _audio_files(members: list[Member], size: int) -> Analysis:
    j = _Judge()
    if not _stt_archive(members, size, j):
        return j.result(False, "InvalidDataset")
    wavs = [m for m in members if m.ext == ".wav"]
    for wav in wavs:
        j.take_audio(wav, _judge_audio(wav, _stt_audio_problem, j))
    if not wavs:
        j.reject("", "no .wav files in the archive")
    return j.result(j.accepted > 0, "InvalidAudioFormat" if wavs else "InvalidDataset")


_TEXT_MAX_BYTES = {
    "Language": lambda: LANGUAGE_MAX_BYTES,
    "Pronunciation": lambda: PRONUNCIATION_MAX_BYTES,
    "LanguageMarkdown": lambda: MARKDOWN_MAX_BYTES,
    "OutputFormatting": lambda: FORMATTING_MAX_BYTES,
}


def _text_kind(path: Path, kind: str, locale: str) -> Analysis:
    j = _Judge()
    name = path.name
    size = path.stat().st_size
    limit = _TEXT_MAX_BYTES[kind]()
    if size > limit:
        j.reject(name, f"{size} bytes (at most {limit})")
        return j.result(False, "InvalidDataset")
    ansi = kind == "Pronunciation" and locale.lower().startswith("en")
    decoded: Decoded = decode(path.read_bytes(), utf16=False, ansi=ansi)
    if decoded.text is None:
        j.reject(name, decoded.problem or "not text")
        return j.result(False, "NoUtf8WithBom")
    text_lines = [(n, line) for n, line in lines(decoded.text) if line.strip()]
    file_ok = {
        "Language": _language,
        "Pronunciation": _pronunciation,
        "LanguageMarkdown": _markdown,
        "OutputFormatting": _formatting,
    }[kind](name, text_lines, j)
    if not file_ok:
        j.rejected += j.accepted
        j.accepted = 0
        j.texts.clear()
        j.lines.clear()
    ok = file_ok and j.accepted > 0
    (j.accepted_files if ok else j.rejected_files).append(name)
    if not text_lines:
        j.reject(name, "no lines")
    return j.result(ok, "InvalidDataset")


def _language(name: str, text_lines: list[tuple[int, str]], j: _Judge) -> bool:
    for n, line in text_lines:
        uri = _URI.search(line)
        if uri:
            j.reject(name, f"a URI: {uri.group(0)[:60]}", n)
            j.rejected += 1
        else:
            j.take_line(name, n, line.strip())
    return True


def _pronunciation(name: str, text_lines: list[tuple[int, str]], j: _Judge) -> bool:
    for n, line in text_lines:
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            j.reject(name, "not <display form><TAB><spoken form>", n)
            j.rejected += 1
        else:
            j.take_line(name, n, fields[0].strip())
    return True


def _markdown(name: str, text_lines: list[tuple[int, str]], j: _Judge) -> bool:
    lists: Counter[str] = Counter()
    pronunciations: Counter[str] = Counter()
    block, lexicon = "", 0
    for n, line in text_lines:
        text = line.strip()
        if text.startswith("//"):
            continue
        if m := _LIST.match(text):
            block = "list:" + m.group(1)
            lists[m.group(1)] += 0
        elif _LEXICON.match(text):
            block = "lexicon"
        elif text.startswith("#"):
            block = "section"
        elif not text.startswith("-") or not block:
            j.rejected += 1  # not data: left out, not a reason to fail the file
        elif block == "lexicon":
            word, slash, spoken = text[1:].strip().partition("/")
            key = word.strip().lower()
            if not slash or not key or not spoken.strip():
                j.rejected += 1
                continue
            lexicon += 1
            pronunciations[key] += 1
            if pronunciations[key] > MARKDOWN_MAX_PRONUNCIATIONS:
                j.reject(name, f"more than {MARKDOWN_MAX_PRONUNCIATIONS} pronunciations", n)
                j.rejected += 1
            else:
                j.take_line(name, n)
        else:
            if block.startswith("list:"):
                lists[block[5:]] += 1
            j.take_line(name, n, text[1:].strip())
    if len(lists) > MARKDOWN_MAX_LISTS:
        j.reject(name, f"{len(lists)} lists (at most {MARKDOWN_MAX_LISTS})")
        return False
    for list_name, count in lists.items():
        if count > MARKDOWN_MAX_LIST_ITEMS:
            j.reject(name, f"list {list_name}: {count} items (at most {MARKDOWN_MAX_LIST_ITEMS})")
            return False
    if lexicon > MARKDOWN_MAX_LEXICON:
        j.reject(name, f"{lexicon} lexicon entries (at most {MARKDOWN_MAX_LEXICON})")
        return False
    return True


def _formatting(name: str, text_lines: list[tuple[int, str]], j: _Judge) -> bool:
    section: str | None = None
    for n, line in text_lines:
        text = line.strip()
        if text.startswith("//"):
            continue
        if text.startswith("#"):
            section = text[1:].strip().lower()
            continue
        if section is not None and section not in _FORMATTING_SECTIONS:
            continue
        if section in ("rewrite", "test") and "\t" not in line:
            j.reject(name, f"# {section} needs <from><TAB><to>", n)
            j.rejected += 1
            continue
        j.take_line(name, n)
    return True


# ---- entry points -----------------------------------------------------------------------


def judge_folder(folder: Path, kind: str, locale: str) -> Analysis:
    """A Custom Voice import: the files the service listed and read into ``folder``."""
    members = folder_members(folder)
    if kind == "AudioAndScript":
        return _audio_and_script(members, locale)
    if kind == "LongAudio":
        return _long_audio(members, locale)
    return _audio_only(members, kind)


def judge_dataset(path: Path, kind: str, locale: str) -> Analysis:
    """A Speech to text dataset: the one file at its ``contentUrl`` (a zip or a text file)."""
    if kind in ("Acoustic", "AudioFiles"):
        size = path.stat().st_size
        try:
            with zipfile.ZipFile(path) as zf:
                members = zip_members(zf)
                if kind == "Acoustic":
                    return _acoustic(members, size)
                return _audio_files(members, size)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            j = _Judge()
            j.reject(path.name, f"{kind} data must be a .zip archive of wav files: {exc}")
            return j.result(False, "DataImportFailed")
    try:
        return _text_kind(path, kind, locale)
    except (OSError, zlib.error) as exc:  # pragma: no cover - a vanished work file
        j = _Judge()
        j.reject(path.name, str(exc))
        return j.result(False, "DataImportFailed")
