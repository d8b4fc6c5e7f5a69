"""Checking one audio file against the audio requirements of a data kind."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from dataclasses import dataclass

from speechflows.datasets.audio import AudioInfo, AudioProbeError, probe_stream
from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source, base_name, is_symlink_loop, suffix

# Errors reading a member of a folder or a zip; each becomes a file.unreadable finding.
READ_ERRORS = (OSError, zipfile.BadZipFile, zlib.error, EOFError)
_ILLEGAL = frozenset('\\/:*?"<>|') | frozenset(chr(c) for c in range(32))


def unreadable(b: ReportBuilder, name: str, exc: BaseException) -> None:
    """Record that ``name`` could not be read (one of :data:`READ_ERRORS`), with the error."""
    if is_symlink_loop(exc):
        b.add("file.symlink_loop", name, value=f"symlink loop at {getattr(exc, 'filename', name)}")
    else:
        b.add("file.unreadable", name, value=f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class AudioSpec:
    """The audio requirements of a kind; each ``None`` means "not checked".

    Durations are ``(code, minimum, maximum)`` in seconds; only the first one broken is reported
    (a 40 s utterance is ``audio.too_long``, not also ``audio.long_utterance``).
    """

    containers: frozenset[str]
    sample_rates: frozenset[int] | None = None
    min_rate: int | None = None
    recommended_rate: int | None = None
    bit_depths: frozenset[int] | None = None
    min_bits: int | None = None
    mono: bool = False
    mp3_min_kbps: int | None = None
    mp3_bitrates: frozenset[int] | None = None
    durations: tuple[tuple[str, float | None, float | None], ...] = ()
    max_bytes: int | None = None


def legal_name(name: str) -> bool:
    """True for a Windows-legal file name without leading/trailing space or leading dot."""
    return bool(name) and name[0] not in ". " and name[-1] != " " and _ILLEGAL.isdisjoint(name)


def check_audio(src: Source, name: str, spec: AudioSpec, b: ReportBuilder) -> AudioInfo | None:
    """Probe ``name`` and report what breaks ``spec``; None when the file is rejected."""
    try:
        with src.open(name) as f:
            try:
                size = os.fstat(f.fileno()).st_size
            except (AttributeError, io.UnsupportedOperation):
                size = src.size(name)
            b.report.total_bytes += size
            info = probe_stream(f, size)
    except AudioProbeError as exc:
        b.add(exc.code, name, value=exc.value)
        return None
    except READ_ERRORS as exc:
        unreadable(b, name, exc)
        return None
    return info if _check_info(info, name, size, spec, b) else None


def _check_info(info: AudioInfo, name: str, size: int, spec: AudioSpec, b: ReportBuilder) -> bool:
    codes: list[tuple[str, ...]] = []
    ext = suffix(name)
    if ext and ext[1:] != info.container:
        codes.append(("audio.wrong_container", f"{info.container} data in a {ext} file"))
    elif info.container not in spec.containers:
        codes.append(
            (
                "audio.wrong_container",
                f"{info.container} (accepted: {', '.join(sorted(spec.containers))})",
            )
        )
    if codes:
        return _emit(codes, name, b)
    if info.truncated:
        codes.append(
            (
                "audio.truncated",
                f"header declares {info.data_bytes} bytes of audio; the file has {size} bytes",
            )
        )
    bits, rate = info.bits_per_sample, info.sample_rate
    if info.container == "wav":
        if info.codec != "pcm":
            if bits is not None and bits < 32 and info.codec == "ieee_float":
                # sox and ffmpeg cannot read 16/24-bit float WAV: no command would work.
                codes.append(("audio.not_pcm", f"{info.codec} {bits}-bit", HALF_FLOAT_FIX))
            else:
                codes.append(("audio.not_pcm", f"{info.codec}"))
        if spec.min_bits is not None and bits is not None and bits < spec.min_bits:
            codes.append(("audio.bit_depth_too_low", f"{bits}-bit"))
        if spec.bit_depths is not None and bits not in spec.bit_depths:
            codes.append(("audio.bit_depth_unsupported", f"{bits}-bit"))
    elif info.bitrate_kbps is not None:
        kbps = round(info.bitrate_kbps)
        if spec.mp3_min_kbps is not None and kbps < spec.mp3_min_kbps:
            codes.append(("audio.bitrate_too_low", f"{kbps} kbps"))
        if spec.mp3_bitrates is not None and kbps not in spec.mp3_bitrates:
            codes.append(("audio.bitrate_unsupported", f"{kbps} kbps"))
    if spec.sample_rates is not None and rate not in spec.sample_rates:
        codes.append(("audio.sample_rate_unsupported", f"{rate} Hz"))
    if spec.min_rate is not None and rate < spec.min_rate:
        codes.append(("audio.sample_rate_too_low", f"{rate} Hz"))
    elif spec.recommended_rate is not None and rate < spec.recommended_rate:
        codes.append(("audio.sample_rate_below_recommended", f"{rate} Hz"))
    if spec.mono and info.channels != 1:
        codes.append(("audio.not_mono", f"{info.channels} channels"))
    seconds = info.duration_seconds
    if info.data_bytes == 0:
        codes.append(("audio.no_samples", "0 bytes of audio"))
    else:
        for code, low, high in spec.durations:
            if (low is not None and seconds < low) or (high is not None and seconds > high):
                codes.append((code, f"{seconds:.2f} s"))
                break
    if spec.max_bytes is not None and size > spec.max_bytes:
        codes.append(("audio.file_too_large", f"{size / 1e6:.1f} MB"))
    return _emit(_unsure_mp3(info, spec, codes), name, b)


_BITRATE_CODES = frozenset({"audio.bitrate_too_low", "audio.bitrate_unsupported"})


def _unsure_mp3(
    info: AudioInfo, spec: AudioSpec, codes: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """``codes`` with the bit-rate and duration findings an MP3's headers cannot settle made one
    ``audio.mp3_estimated`` warning: a VBR file has no single bit rate, and without a Xing/VBRI
    frame count its duration is an estimate (the service decodes the whole file)."""
    unsure: set[str] = set()
    what = []
    if info.vbr and (spec.mp3_min_kbps is not None or spec.mp3_bitrates is not None):
        unsure |= _BITRATE_CODES
        what.append(f"variable bit rate, {info.bitrate_kbps or 0:.0f} kbps on average")
    if info.duration_estimated and spec.durations:
        unsure |= {code for code, _, _ in spec.durations}
        what.append(f"about {info.duration_seconds:.2f} s (no Xing/VBRI frame count)")
    if not unsure:
        return codes
    held = [f"{c[0]} {c[1]}" for c in codes if c[0] in unsure]
    value = "; ".join(what) + (f"; unconfirmed: {', '.join(held)}" if held else "")
    return [c for c in codes if c[0] not in unsure] + [("audio.mp3_estimated", value)]


HALF_FLOAT_FIX = (
    "{file} is 16/24-bit floating point, which the usual converters cannot read: export it again "
    "from the recording software as 16-bit PCM (or 32-bit float, which sox converts)"
)


def _emit(codes: list[tuple[str, ...]], name: str, b: ReportBuilder) -> bool:
    ok = True
    for code, value, *fix in codes:
        added = b.add(code, name, value=value, fix=fix[0] if fix else None)
        if added is not None and b.is_error(code):
            ok = False
    return ok


def check_name(name: str, seen: set[str], b: ReportBuilder) -> bool:
    """Report an illegal or duplicate base name (voice kinds); False when rejected."""
    base = base_name(name)
    if not legal_name(base):
        b.add("file.name_invalid", name, value=repr(base))
        return False
    key = base.lower()
    if key in seen:
        b.add("file.duplicate_name", name, value=base)
        return False
    seen.add(key)
    return True
