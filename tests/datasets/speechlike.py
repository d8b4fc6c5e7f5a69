"""Speech-like test audio with known properties, written by the tests themselves.

A "syllable" is a harmonic complex (a 90–240 Hz fundamental and eight harmonics falling off
with frequency, like a voiced vowel) under a raised-cosine envelope; syllables are separated by
short gaps and the odd longer pause, with silence before the first and after the last. White
noise is added at a level chosen from the *known* SNR: the mean power of the clean speech over
its syllables (where the envelope is on) over the noise power. Nothing here imports the
analyser: the truth is defined by construction.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Speechlike:
    """A generated signal and what it was made to be."""

    samples: F32  # float, full scale 1.0 (pcm16 saturates what goes beyond)
    rate: int
    snr_db: float  # the truth: syllable power over noise power
    lead_s: float  # silence before the first syllable
    trail_s: float  # silence after the last one


def speechlike(
    seconds: float,
    *,
    rate: int = 24000,
    snr_db: float = 40.0,
    level_dbfs: float = -20.0,
    lead_s: float = 0.3,
    trail_s: float = 0.3,
    seed: int = 0,
) -> Speechlike:
    """About ``seconds`` of speech-like audio at ``level_dbfs`` (syllable RMS), noise at ``snr_db``.

    The signal ends exactly ``trail_s`` after its last syllable, so it may be a little shorter
    than ``seconds``.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    clean = np.zeros(n)
    on = np.zeros(n, dtype=bool)
    t = lead_s
    end = seconds - trail_s
    while True:
        length = rng.uniform(0.12, 0.30)
        if t + length > end:
            break
        a, b = int(t * rate), int((t + length) * rate)
        k = np.arange(b - a) / rate
        f0 = rng.uniform(90, 240) * (1 + 0.08 * np.sin(2 * np.pi * 3 * k))  # a little vibrato
        phase = 2 * np.pi * np.cumsum(f0) / rate
        tone = sum(np.sin(h * phase + rng.uniform(0, 6.28)) / h for h in range(1, 9))
        env = np.ones(b - a)
        ramp = int(0.02 * rate)
        env[:ramp] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp))
        env[-ramp:] = env[:ramp][::-1]
        clean[a:b] = tone * env * rng.uniform(0.6, 1.0)
        on[a:b] = True
        t += length + (rng.uniform(0.35, 0.6) if rng.random() < 0.15 else rng.uniform(0.04, 0.12))
    power = float(np.mean(clean[on] ** 2))
    clean *= 10 ** (level_dbfs / 20) / np.sqrt(power)
    noise_power = 10 ** (level_dbfs / 10) / 10 ** (snr_db / 10)
    noisy = clean + rng.normal(0.0, np.sqrt(noise_power), n)
    cut = int(np.flatnonzero(on)[-1]) + 1 + int(trail_s * rate)  # trail_s exactly after the last
    return Speechlike(noisy[:cut], rate, snr_db, lead_s, trail_s)


def pcm16(samples: F32) -> bytes:
    """16-bit little-endian PCM, saturating at full scale (that is what clipping is)."""
    ints = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    return ints.tobytes()


def wav_bytes(data: bytes, *, rate: int, channels: int = 1, bits: int = 16, tag: int = 1) -> bytes:
    """A canonical 44-byte-header RIFF/WAVE file around ``data``."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    return riff_wave(fmt, data)


def riff_wave(fmt: bytes, data: bytes, *, chunks: bytes = b"") -> bytes:
    """A RIFF/WAVE file: ``chunks`` (whole chunks, before ``fmt ``), then the ``fmt `` chunk
    holding ``fmt`` and the ``data`` chunk holding ``data``."""
    body = (
        b"WAVE"
        + chunks
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def write(path: Path, samples: F32, rate: int) -> Path:
    """Write ``samples`` as a 16-bit mono WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wav_bytes(pcm16(samples), rate=rate))
    return path
