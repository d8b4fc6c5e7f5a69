"""Audio analysis: what the samples say about each utterance — levels, SNR, clipping, silence, DC.

The validator reads headers; this pass reads the samples. It decodes RIFF/WAVE PCM (8, 16, 24
and 32-bit integer) and IEEE float (32/64-bit) data, any number of channels (mixed to mono for
the levels; clipping is counted on every channel), in blocks of 10 s, so memory does not depend
on a file's length. MP3 and compressed WAV codecs (A-law, µ-law, ADPCM) are **not decoded**:
their rows say so and carry no levels (no well-kept decoder is a dependency of the project).

Per utterance (:class:`UtteranceMetrics`): duration, RMS and peak level (dBFS), the active speech
level, the noise floor and the SNR, the clipped-sample ratio, leading and trailing silence and
the DC offset.

**SNR method: frame-energy percentiles.** The signal, less its DC offset, is cut into 20 ms
frames and each frame's mean power computed. The noise floor is the mean power of the quietest
10 % of frames (at least one; never below the format's quantisation noise). Speech frames are
the frames whose power is above the midpoint, in dB, between the noise floor and the 95th
percentile frame (and at least 6 dB above the floor); the speech level is their mean power less
the noise floor, and the SNR is ``10·log10(speech level / noise floor)``. It needs pauses: a
recording with no frame of silence at all (a continuous tone, noise throughout) measures near
0 dB, which is what a listener hears too. Silence is a frame below the louder of "floor + 10 dB" and "95th percentile
− 40 dB" (capped at the speech threshold); leading/trailing silence is the time before the first
and after the last sounding frame.

The thresholds per data kind (:data:`PROFILES`) come from the Azure reference where it gives one
(professional voice: SNR < 20 dB, volume < −18 dB, overflow, a noisy first or last 100 ms) and are
otherwise ours, and say so in the rule text. Every finding is a **warning**: Azure's data report
warns about these and rejects none of them (ledger: "Audio analysis").

>>> import io, struct
>>> pcm = struct.pack("<4h", 0, 16384, 0, -16384) * 12000
>>> wav = (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " +
...        struct.pack("<IHHIIHH", 16, 1, 1, 24000, 48000, 2, 16) +
...        b"data" + struct.pack("<I", len(pcm)) + pcm)
>>> m = measure_stream(io.BytesIO(wav), "tone.wav")
>>> m.duration_s, round(m.peak_dbfs, 1), round(m.rms_dbfs, 1)
(2.0, -6.0, -9.0)
"""

from __future__ import annotations

import math
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO, TypeAlias

import numpy as np
import numpy.typing as npt

from speechflows.datasets.findings import Finding, Rule, Severity
from speechflows.datasets.kinds import AUDIO_CHECKS_DEFAULT, DataKind
from speechflows.datasets.sources import open_source, suffix

FRAME_SECONDS = 0.02
BLOCK_FRAMES = 500  # 10 s of audio per read
NOISE_FRACTION = 0.10
TOP_PERCENTILE = 0.95
MIN_FRAMES = 10  # under 200 ms of audio no SNR or silence is estimated
SPEECH_MIN_OVER_NOISE_DB = 6.0
SILENCE_OVER_NOISE_DB = 10.0
SILENCE_UNDER_TOP_DB = 40.0
EDGE_SECONDS = 0.1
# A pool costs a process start and an import per worker (about a second on a loaded machine);
# one process decodes about 800 five-second utterances a second, so only large sets gain.
POOL_MIN_BYTES = 512 * 1024 * 1024
_FLOAT_FLOOR = 1e-12  # -120 dBFS: the noise floor of float data that is digitally silent
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
READ_ERRORS = (OSError, zipfile.BadZipFile, zlib.error, EOFError)

FloatArray: TypeAlias = npt.NDArray[np.float64]


class NotAnalysed(ValueError):
    """The file's samples cannot be decoded here (the reason is the message)."""


@dataclass(frozen=True, slots=True)
class UtteranceMetrics:
    """What the samples of one file say. Levels are dBFS (0 = full scale); ``None`` = not measured.

    Attributes:
        file: posix path relative to the dataset root.
        duration_s: seconds of audio decoded.
        rms_dbfs: RMS level of the whole file (DC removed).
        speech_dbfs: mean level of the speech frames less the noise floor (the active speech
            level).
        peak_dbfs: highest absolute sample.
        noise_dbfs: the noise floor (quietest 10 % of 20 ms frames).
        snr_db: speech over noise, see the module docstring.
        clipped_ratio: share of samples at full scale (either sign, any channel).
        leading_silence_s: silence before the first sounding frame.
        trailing_silence_s: silence after the last sounding frame.
        dc_offset: mean sample value as a share of full scale (signed).
        starts_with_sound: the first 20 ms frame already sounds (nothing before it to pad).
        ends_with_sound: the last full frame still sounds.
        note: why the file was not analysed (``""`` when it was).
    """

    file: str
    duration_s: float = 0.0
    rms_dbfs: float | None = None
    speech_dbfs: float | None = None
    peak_dbfs: float | None = None
    noise_dbfs: float | None = None
    snr_db: float | None = None
    clipped_ratio: float = 0.0
    leading_silence_s: float | None = None
    trailing_silence_s: float | None = None
    dc_offset: float = 0.0
    starts_with_sound: bool = False
    ends_with_sound: bool = False
    note: str = ""

    @property
    def analysed(self) -> bool:
        return not self.note


# ----------------------------------------------------------------------------------------------
# Decoding


@dataclass(frozen=True, slots=True)
class _Format:
    codec: int
    channels: int
    rate: int
    width: int  # bytes per sample of one channel

    @property
    def block(self) -> int:
        return self.channels * self.width


def _read_exact(f: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        chunk = f.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _skip(f: BinaryIO, n: int) -> None:
    try:
        f.seek(n, os.SEEK_CUR)
    except (OSError, ValueError):  # a stream that cannot seek
        while n > 0:
            chunk = f.read(min(n, 1 << 16))
            if not chunk:
                return
            n -= len(chunk)


def _header(f: BinaryIO) -> tuple[_Format, int]:
    """Parse the RIFF chunks up to ``data``: the format and the data size; ``f`` is left at the
    first sample."""
    head = _read_exact(f, 12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise NotAnalysed("not a RIFF/WAVE file (only PCM WAV is decoded)")
    fmt: _Format | None = None
    while True:
        hdr = _read_exact(f, 8)
        if len(hdr) < 8:
            raise NotAnalysed("no data chunk")
        cid, size = hdr[:4], struct.unpack("<I", hdr[4:])[0]
        if cid == b"fmt ":
            if size > 1 << 16:
                raise NotAnalysed(f"fmt chunk of {size} bytes")
            body = _read_exact(f, size + (size & 1))
            if len(body) < 16:
                raise NotAnalysed("fmt chunk too short")
            tag, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", body)
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack_from("<H", body, 24)[0]
            if channels == 0 or rate == 0 or block == 0 or block % channels:
                raise NotAnalysed(f"fmt says {channels} channels, {rate} Hz, block {block}")
            width = block // channels
            if tag not in (_PCM, _FLOAT) or (tag == _PCM and width not in (1, 2, 3, 4)):
                raise NotAnalysed(f"codec 0x{tag:04x} ({bits}-bit) is not decoded")
            if tag == _FLOAT and width not in (4, 8):
                raise NotAnalysed(f"{bits}-bit float is not decoded")
            fmt = _Format(tag, channels, rate, width)
        elif cid == b"data":
            if fmt is None:
                raise NotAnalysed("data chunk before the fmt chunk")
            return fmt, size
        else:
            _skip(f, size + (size & 1))


def _decode(buf: bytes, fmt: _Format) -> tuple[npt.NDArray[np.float32], int, float]:
    """Samples of ``buf`` as mono float32 in [-1, 1), the count of clipped samples and the peak."""
    n = len(buf) // fmt.block * fmt.channels
    if fmt.codec == _FLOAT:
        raw: npt.NDArray[Any] = np.frombuffer(buf, "<f4" if fmt.width == 4 else "<f8", n)
        x = raw.astype(np.float32, copy=False)
        peak = float(np.max(np.abs(x))) if n else 0.0
        clipped = int(np.count_nonzero(np.abs(x) >= 1.0)) if peak >= 1.0 else 0
    else:
        if fmt.width == 1:
            raw = np.frombuffer(buf, np.uint8, n).astype(np.int16) - 128
        elif fmt.width == 3:
            wide = np.zeros((n, 4), np.uint8)
            wide[:, 1:] = np.frombuffer(buf, np.uint8, n * 3).reshape(n, 3)
            raw = wide.view("<i4").reshape(n) >> 8
        else:
            raw = np.frombuffer(buf, "<i2" if fmt.width == 2 else "<i4", n)
        full = 1 << (8 * fmt.width - 1)
        hi, lo = (int(raw.max()), int(raw.min())) if n else (0, 0)
        peak = max(hi, -lo) / full
        clipped = 0
        if hi >= full - 1:
            clipped += int(np.count_nonzero(raw >= full - 1))
        if lo <= -full:
            clipped += int(np.count_nonzero(raw <= -full))
        x = raw * np.float32(1.0 / full)
    if fmt.channels > 1:
        x = x.reshape(-1, fmt.channels).mean(axis=1, dtype=np.float32)
    return x, clipped, peak


def _db(power: float) -> float:
    return 10.0 * math.log10(power)


def measure_stream(f: BinaryIO, name: str) -> UtteranceMetrics:
    """Measure the WAV in the open stream ``f`` (positioned at its start), block by block.

    Raises:
        NotAnalysed: the data is not PCM/float WAV this module decodes.
    """
    fmt, data_bytes = _header(f)
    frame = max(1, round(FRAME_SECONDS * fmt.rate))
    block_bytes = BLOCK_FRAMES * frame * fmt.block
    sums: list[FloatArray] = []
    squares: list[FloatArray] = []
    total = total_sq = 0.0
    count = clipped = 0
    peak = 0.0
    offset: float | None = None
    left = data_bytes
    while left > 0:
        want = min(left, block_bytes)
        buf = _read_exact(f, want)
        left = left - want if len(buf) == want else 0  # a short read: the file ends early
        if len(buf) < fmt.block:
            break
        x, clip, top = _decode(buf, fmt)
        clipped += clip
        peak = max(peak, top)
        count += len(x)
        if offset is None:
            # Sums run in float32 (4x faster than float64): take the first block's mean out
            # first, so a DC offset does not swamp a quiet noise floor.
            offset = float(x.mean(dtype=np.float64))
        if offset:
            x = x - np.float32(offset)
        whole = len(x) // frame * frame
        frames = x[:whole].reshape(-1, frame)
        s = frames.sum(axis=1).astype(np.float64)
        q = np.einsum("ij,ij->i", frames, frames).astype(np.float64)
        sums.append(s)
        squares.append(q)
        rest = x[whole:]
        total += float(s.sum()) + float(rest.sum(dtype=np.float64))
        total_sq += float(q.sum()) + float(np.dot(rest, rest))
    return _metrics(
        name,
        fmt,
        (count, clipped, peak, offset or 0.0, total, total_sq),
        np.concatenate(sums) if sums else np.zeros(0),
        np.concatenate(squares) if squares else np.zeros(0),
        frame,
    )


def _metrics(
    name: str,
    fmt: _Format,
    totals: tuple[int, int, float, float, float, float],
    s: FloatArray,
    q: FloatArray,
    frame: int,
) -> UtteranceMetrics:
    """The metrics from the running totals and the per-frame sums of the offset-shifted signal."""
    count, clipped, peak, offset, total, total_sq = totals
    duration = count / fmt.rate
    if count == 0:
        return UtteranceMetrics(name, note="no samples")
    floor = _FLOAT_FLOOR if fmt.codec == _FLOAT else (1.0 / (1 << (8 * fmt.width - 1))) ** 2 / 12.0
    dc = total / count
    rms_power = max(total_sq / count - dc * dc, floor)
    base = UtteranceMetrics(
        name,
        duration_s=round(duration, 3),
        rms_dbfs=round(_db(rms_power), 2),
        peak_dbfs=round(20.0 * math.log10(peak), 2) if peak > 0 else round(_db(floor), 2),
        clipped_ratio=clipped / (count * fmt.channels),
        dc_offset=round(offset + dc, 6),
    )
    n = len(q)
    if n < MIN_FRAMES:
        return base
    power = np.maximum(q / frame - (2.0 * dc / frame) * s + dc * dc, floor)
    k = max(1, int(n * NOISE_FRACTION))
    top_at = min(n - 1, int(TOP_PERCENTILE * (n - 1)))
    part = np.partition(power, (k - 1, top_at))
    noise = float(part[:k].mean())
    noise_db, top_db = _db(noise), _db(float(part[top_at]))
    middle = (noise_db + top_db) / 2.0
    speech_thr = 10.0 ** (max(noise_db + SPEECH_MIN_OVER_NOISE_DB, middle) / 10.0)
    loud = power[power >= speech_thr]
    if not loud.size:  # less than 6 dB of contrast: the loudest 5 % stand for the speech
        loud = power[power >= part[top_at]]
    speech = max(float(loud.mean()) - noise, noise * 1e-3)  # the noise under it taken out
    silence_db = min(max(noise_db + SILENCE_OVER_NOISE_DB, top_db - SILENCE_UNDER_TOP_DB), middle)
    sounding = np.flatnonzero(power >= 10.0 ** (silence_db / 10.0))
    seconds = frame / fmt.rate
    if sounding.size:
        lead = float(sounding[0]) * seconds
        trail = max(0.0, duration - float(sounding[-1] + 1) * seconds)
    else:
        lead = trail = duration
    return UtteranceMetrics(
        name,
        duration_s=base.duration_s,
        rms_dbfs=base.rms_dbfs,
        speech_dbfs=round(_db(speech), 2),
        peak_dbfs=base.peak_dbfs,
        noise_dbfs=round(noise_db, 2),
        snr_db=round(_db(speech / noise), 2),
        clipped_ratio=base.clipped_ratio,
        leading_silence_s=round(lead, 3),
        trailing_silence_s=round(trail, 3),
        dc_offset=base.dc_offset,
        starts_with_sound=bool(sounding.size and sounding[0] == 0),
        ends_with_sound=bool(sounding.size and sounding[-1] == n - 1),
    )


def measure_file(path: Path, name: str | None = None) -> UtteranceMetrics:
    """Measure the audio file at ``path`` (see :func:`measure_stream`); never raises on bad data."""
    label = name or path.name
    try:
        with open(path, "rb") as f:
            return _measure_or_note(f, label)
    except READ_ERRORS as exc:
        return UtteranceMetrics(label, note=f"unreadable: {type(exc).__name__}: {exc}")


def _measure_or_note(f: BinaryIO, name: str) -> UtteranceMetrics:
    if suffix(name) == ".mp3":
        return UtteranceMetrics(name, note="mp3 is not decoded (PCM WAV only)")
    try:
        return measure_stream(f, name)
    except NotAnalysed as exc:
        return UtteranceMetrics(name, note=str(exc))


def _measure_chunk(root: str, names: Sequence[str]) -> list[UtteranceMetrics]:
    """Measure ``names`` inside the dataset at ``root`` (a folder, a file or a .zip)."""
    out = []
    with open_source(Path(root)) as src:
        for name in names:
            try:
                with src.open(name) as f:
                    out.append(_measure_or_note(f, name))
            except READ_ERRORS as exc:
                out.append(UtteranceMetrics(name, note=f"unreadable: {type(exc).__name__}: {exc}"))
    return out


def _chunks(names: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(names), size):
        yield names[i : i + size]


def measure_dataset(
    root: Path,
    names: Sequence[str],
    *,
    workers: int | None = None,
    total_bytes: int | None = None,
) -> list[UtteranceMetrics]:
    """Measure every file of ``names`` under ``root``, in a process pool for large sets.

    Args:
        root: the dataset (folder, single file or .zip) the names are relative to.
        names: posix paths relative to ``root``.
        workers: processes; ``None``: one per CPU when the files hold at least
            :data:`POOL_MIN_BYTES` (``total_bytes``), else this process only. ``1``: no pool.
        total_bytes: the size of the files, when the caller knows it.

    Returns:
        One :class:`UtteranceMetrics` per name, in the order of ``names``.
    """
    if workers is None:
        large = total_bytes is not None and total_bytes >= POOL_MIN_BYTES
        workers = (os.cpu_count() or 1) if large else 1
    workers = max(1, min(workers, len(names)))
    if workers == 1:
        return _measure_chunk(str(root), names)
    size = max(1, min(256, len(names) // (workers * 4)))  # few long files: one per task
    # spawn: the caller may be a threaded process (a Prefect worker); forking one is unsafe.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        parts = pool.map(_measure_chunk, [str(root)] * len(names), _chunks(names, size))
        return [m for part in parts for m in part]


# ----------------------------------------------------------------------------------------------
# Thresholds and findings per data kind

AZURE = "Azure's data report"
OURS = "our threshold, not Azure's (Azure documents none)"


@dataclass(frozen=True)
class Profile:
    """The audio thresholds of a data kind; ``None`` means "not checked".

    ``*_source`` says whose threshold it is; the rule text of each finding repeats it.
    """

    snr_min_db: float | None = None
    snr_source: str = OURS
    peak_min_dbfs: float | None = None
    peak_source: str = OURS
    clipped_max_ratio: float | None = 1e-4
    clipped_source: str = OURS
    edges: bool = False
    silence_max_s: float | None = None
    dc_max: float | None = 0.01
    rules: Mapping[str, Rule] = field(default_factory=dict, compare=False)


def _with_rules(p: Profile) -> Profile:
    rules: list[Rule] = []
    if p.snr_min_db is not None:
        rules.append(
            Rule(
                "audio.snr_low",
                Severity.WARNING,
                f"SNR (speech over the noise floor, 20 ms frames) should be at least "
                f"{p.snr_min_db:g} dB ({p.snr_source}); 35 dB or more is recommended for voice.",
                "Re-record {file} in a quieter room with the microphone closer (denoising "
                "afterwards helps only a little)",
            )
        )
    if p.peak_min_dbfs is not None:
        rules.append(
            Rule(
                "audio.volume_low",
                Severity.WARNING,
                f"The peak level should reach at least {p.peak_min_dbfs:g} dBFS "
                f"({p.peak_source}; we compare the peak, the lenient reading of 'volume').",
                "Normalise to a -3 dBFS peak: mkdir -p {dst_dir} && sox {src} {dst} gain -n -3",
            )
        )
    if p.clipped_max_ratio is not None:
        rules.append(
            Rule(
                "audio.clipped",
                Severity.WARNING,
                "Samples at full scale (overflow) are distortion; at most "
                f"{100 * p.clipped_max_ratio:g} % of the samples may touch it "
                f"({p.clipped_source}).",
                "Re-record {file} with a lower input gain (clipped peaks cannot be restored)",
            )
        )
    if p.edges:
        rules.append(
            Rule(
                "audio.edge_noise",
                Severity.WARNING,
                f"The first and last {round(EDGE_SECONDS * 1000)} ms should be quiet ({AZURE} "
                "warns about a noisy start or end; that sound in the very first or last 20 ms "
                "counts is our reading).",
                "Pad it with silence (Azure extends a start/end silence under 100 ms): "
                "mkdir -p {dst_dir} && sox {src} {dst} pad 0.1 0.1",
            )
        )
    if p.silence_max_s is not None:
        rules += [
            Rule(
                "audio.long_leading_silence",
                Severity.WARNING,
                f"Leading silence should be at most {p.silence_max_s:g} s ({OURS}).",
                "Trim it, keeping 100 ms: mkdir -p {dst_dir} && "
                "sox {src} {dst} silence 1 0.02 -50d pad 0.1 0",
            ),
            Rule(
                "audio.long_trailing_silence",
                Severity.WARNING,
                f"Trailing silence should be at most {p.silence_max_s:g} s ({OURS}).",
                "Trim it, keeping 100 ms: mkdir -p {dst_dir} && "
                "sox {src} {dst} reverse silence 1 0.02 -50d reverse pad 0 0.1",
            ),
        ]
    if p.dc_max is not None:
        rules.append(
            Rule(
                "audio.dc_offset",
                Severity.WARNING,
                f"The mean sample value should be within {100 * p.dc_max:g} % of full scale "
                f"({OURS}); an offset wastes headroom and clicks at cuts.",
                "Remove it with a high-pass filter: mkdir -p {dst_dir} && "
                "sox {src} {dst} highpass 10",
            )
        )
    fields = {k: getattr(p, k) for k in Profile.__dataclass_fields__ if k != "rules"}
    return Profile(**fields, rules=MappingProxyType({r.code: r for r in rules}))


_AZURE_VOICE = {
    "snr_min_db": 20.0,
    "snr_source": f"{AZURE} warns below 20 dB",
    "peak_min_dbfs": -18.0,
    "peak_source": f"{AZURE} warns below -18 dB",
    "clipped_source": f"{AZURE} warns on overflow; the share is ours",
}
_BORROWED = "ours: Azure's professional voice figure, applied to personal voice audio"

PROFILES: Mapping[DataKind, Profile] = MappingProxyType(
    {
        DataKind.AUDIO_AND_SCRIPT: _with_rules(
            Profile(**_AZURE_VOICE, edges=True, silence_max_s=1.0)  # type: ignore[arg-type]
        ),
        DataKind.LONG_AUDIO: _with_rules(Profile(**_AZURE_VOICE, silence_max_s=5.0)),  # type: ignore[arg-type]
        DataKind.AUDIO_ONLY: _with_rules(Profile(**_AZURE_VOICE, silence_max_s=5.0)),  # type: ignore[arg-type]
        DataKind.CONSENT: _with_rules(
            Profile(
                snr_min_db=20.0, snr_source=_BORROWED, peak_min_dbfs=-18.0, peak_source=_BORROWED
            )
        ),
        DataKind.PROMPT: _with_rules(
            Profile(
                snr_min_db=20.0,
                snr_source=_BORROWED,
                peak_min_dbfs=-18.0,
                peak_source=_BORROWED,
                silence_max_s=2.0,
            )
        ),
        # Custom speech trains on real conditions: noise and level are not faults there.
        DataKind.ACOUSTIC: _with_rules(Profile()),
        DataKind.AUDIO_FILES: _with_rules(Profile()),
    }
)


def findings_for(m: UtteranceMetrics, profile: Profile) -> list[Finding]:
    """The warnings ``m`` earns under ``profile`` (none for a file that was not analysed)."""
    if not m.analysed:
        return []
    hits: list[tuple[str, str]] = []
    p = profile
    if p.snr_min_db is not None and m.snr_db is not None and m.snr_db < p.snr_min_db:
        hits.append(("audio.snr_low", f"{m.snr_db:.1f} dB"))
    if p.peak_min_dbfs is not None and m.peak_dbfs is not None and m.peak_dbfs < p.peak_min_dbfs:
        hits.append(("audio.volume_low", f"peak {m.peak_dbfs:.1f} dBFS"))
    if p.clipped_max_ratio is not None and m.clipped_ratio > p.clipped_max_ratio:
        hits.append(("audio.clipped", f"{100 * m.clipped_ratio:.3f} % of samples"))
    if p.edges and (m.starts_with_sound or m.ends_with_sound):
        where = " and ".join(
            w for w, on in (("start", m.starts_with_sound), ("end", m.ends_with_sound)) if on
        )
        hits.append(("audio.edge_noise", f"sound at the {where}"))
    if p.silence_max_s is not None:
        if m.leading_silence_s is not None and m.leading_silence_s > p.silence_max_s:
            hits.append(("audio.long_leading_silence", f"{m.leading_silence_s:.2f} s"))
        if m.trailing_silence_s is not None and m.trailing_silence_s > p.silence_max_s:
            hits.append(("audio.long_trailing_silence", f"{m.trailing_silence_s:.2f} s"))
    if p.dc_max is not None and abs(m.dc_offset) > p.dc_max:
        hits.append(("audio.dc_offset", f"{100 * m.dc_offset:+.2f} % of full scale"))
    return [p.rules[code].finding(m.file, value=value) for code, value in hits]


__all__ = [
    "AUDIO_CHECKS_DEFAULT",
    "PROFILES",
    "NotAnalysed",
    "Profile",
    "UtteranceMetrics",
    "findings_for",
    "measure_dataset",
    "measure_file",
    "measure_stream",
]
