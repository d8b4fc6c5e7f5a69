"""The emulator's simulated recognition: what a batch transcription "hears" in an audio file.

**A simulation, never a real recognition.** The emulator knows the transcript of every audio
file it has seen in an Acoustic / AudioFiles dataset (the archive's ``trans.txt`` lines, keyed by
the SHA-256 of the audio bytes). A transcription of such a file is that transcript with the
model's simulated error rate applied deterministically, word by word: draw ``u`` from the hash
of (model id, audio hash, word index); ``u < rate`` makes the word an error: a substitution
(60 %), a deletion (25 %) or an insertion (15 %). The same model on the same audio always gives
the same words; two models err on different words, so a custom model fixes some of the base
model's errors and makes a few of its own. Audio it has never seen is recognised as silence (no
phrases). Rates: ``BASE_RATE`` for a base model, ``CUSTOM_RATE`` for a custom one, unless the
admin API forced one (``simulated-wer`` with dataset ``*``). Ledger § Speech to text.
"""

from __future__ import annotations

import hashlib
import io
import wave
import zipfile
from dataclasses import dataclass
from typing import Any

from speechflows.emulator.core.store import Store

API = "speechtotext"
BASE_RATE = 0.12
"""Simulated word error rate of a base model."""
CUSTOM_RATE = 0.07
"""Simulated word error rate of a custom model."""
ARCHIVE_KINDS = ("AcousticDataArchive",)
_FILLERS = ("uh", "the", "and", "um", "a")
_SUBSTITUTES = ("there", "than", "for", "in", "on", "at", "this", "that", "then", "we")
TICKS_PER_SECOND = 10_000_000


def _u(*parts: str) -> float:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


def audio_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def known_transcripts(store: Store) -> dict[str, str]:
    """SHA-256 of audio bytes → its transcript, from every archive of an imported dataset."""
    known: dict[str, str] = {}
    for ds in store.list_resources(API, "datasets"):
        if ds.get("kind") not in ("Acoustic", "AudioFiles"):
            continue
        for f in store.files_of(ds["id"]):
            if f.kind in ARCHIVE_KINDS:
                known.update(_from_archive(f.content))
    return known


def _from_archive(content: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return out
    with archive:
        members = {n.rsplit("/", 1)[-1]: n for n in archive.namelist() if not n.endswith("/")}
        for name, member in members.items():
            if not name.lower().endswith(".txt"):
                continue
            text = archive.read(member).decode("utf-8-sig", errors="replace")
            for line in text.splitlines():
                audio, sep, transcript = line.partition("\t")
                audio_member = members.get(audio.strip().rsplit("/", 1)[-1])
                if sep and audio_member is not None:
                    out[audio_hash(archive.read(audio_member))] = transcript.strip()
    return out


def audio_seconds(content: bytes) -> float:
    """The duration of a WAV file (0.0 when it is not one the ``wave`` module reads)."""
    try:
        with wave.open(io.BytesIO(content)) as w:
            return float(w.getnframes()) / float(w.getframerate() or 1)
    except (wave.Error, EOFError):
        return 0.0


@dataclass(frozen=True)
class Heard:
    """What the simulated recognition produced for one file."""

    words: list[str]
    seconds: float
    known: bool


def recognise(transcript: str | None, *, model_id: str, digest: str, rate: float) -> list[str]:
    """The words a model with ``rate`` "hears" for ``transcript`` (deterministic)."""
    if not transcript:
        return []
    out: list[str] = []
    for i, word in enumerate(transcript.split()):
        key = (model_id.lower(), digest, str(i))
        if _u(*key, "error") >= rate:
            out.append(word)
            continue
        kind = _u(*key, "kind")
        pick = int(_u(*key, "pick") * 1000)
        if kind < 0.6:
            choices = [w for w in _SUBSTITUTES if w != word.lower()]
            out.append(choices[pick % len(choices)])
        elif kind < 0.85:
            continue
        else:
            out.extend((word, _FILLERS[pick % len(_FILLERS)]))
    return out


def result_file(
    *,
    source: str,
    created: str,
    heard: Heard,
    locale: str,
    word_timestamps: bool,
) -> dict[str, Any]:
    """A batch transcription result file: one phrase per file, words spread over the audio."""
    ticks = round(heard.seconds * TICKS_PER_SECOND)
    text = " ".join(heard.words)
    phrases: list[dict[str, Any]] = []
    if heard.words:
        start = min(round(0.1 * TICKS_PER_SECOND), ticks // 10)
        span = max(ticks - 2 * start, len(heard.words))
        each = span // len(heard.words)
        best: dict[str, Any] = {
            "confidence": 0.9,
            "lexical": text.lower(),
            "itn": text.lower(),
            "maskedITN": text.lower(),
            "display": text,
        }
        if word_timestamps:
            best["words"] = [
                {
                    "word": w,
                    "offset": _iso(start + i * each),
                    "duration": _iso(each),
                    "offsetInTicks": start + i * each,
                    "durationInTicks": each,
                    "confidence": 0.9,
                }
                for i, w in enumerate(heard.words)
            ]
        phrases.append(
            {
                "recognitionStatus": "Success",
                "channel": 0,
                "offset": _iso(start),
                "duration": _iso(span),
                "offsetInMilliseconds": start // 10_000,
                "durationInMilliseconds": span // 10_000,
                "offsetInTicks": start,
                "durationInTicks": span,
                "nBest": [best],
                "locale": locale,
            }
        )
    return {
        "source": source,
        "timestamp": created,
        "durationInTicks": ticks,
        "durationMilliseconds": ticks // 10_000,
        "duration": _iso(ticks),
        "combinedRecognizedPhrases": [
            {
                "channel": 0,
                "lexical": text.lower(),
                "itn": text.lower(),
                "maskedITN": text.lower(),
                "display": text,
            }
        ]
        if heard.words
        else [],
        "recognizedPhrases": phrases,
        "speechflowsEmulator": {
            "simulated": True,
            "knownAudio": heard.known,
            "explanation": "Simulated by the speechflows emulator: the transcript it saw in a "
            "dataset with this audio, with the model's simulated error rate applied "
            "(docs/azure-behaviour.md, Speech to text). No audio was recognised.",
        },
    }


def _iso(ticks: int) -> str:
    seconds = ticks / TICKS_PER_SECOND
    return f"PT{seconds:.2f}S".replace(".00S", "S")
