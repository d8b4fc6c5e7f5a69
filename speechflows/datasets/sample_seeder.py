"""Seeding broken samples: the :class:`Seeder` that records each seeded finding, and the
defects every audio kind shares.

Each broken writer adds one defect per rule, in a file (or line) of its own, so every defect
produces exactly one finding; the seeder's mapping (code → where) becomes the README list.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rules import rules_for
from speechflows.datasets.synth import wav_header, write_mp3

Seeded = dict[str, str]
Place = Callable[[str, str], Path]  # (code, file name) -> path to write the defect to
BINARY = b"\x00\x01\x02\x03binary\x00\xff\xfe\x00\x00garbage"


class Seeder:
    """Records the seeded codes and refuses codes the kind does not check for the locale."""

    def __init__(self, kind: DataKind, locale: str) -> None:
        self.rules = rules_for(kind, locale)
        self.kind = kind
        self.seeded: Seeded = {}

    def wants(self, code: str) -> bool:
        """True when ``code`` is checked for this kind and locale."""
        return code in self.rules

    def __call__(self, code: str, where: str) -> None:
        if code not in self.rules:
            raise KeyError(f"{code} is not a rule of {self.kind.value}")
        if code in self.seeded:
            raise AssertionError(f"{code} seeded twice")
        self.seeded[code] = where


def folder_place(data: Path, s: Seeder) -> Place:
    """Place each defect as ``data/<name>``."""

    def place(code: str, name: str) -> Path:
        s(code, name)
        return data / name

    return place


def common_audio(
    place: Place, good: Callable[[Path], Path], ext: str = ".wav", rate: int = 24000
) -> None:
    """Seed the defects all audio kinds share; ``good`` writes a valid file of the kind."""
    place("file.empty", f"empty{ext}").write_bytes(b"")
    place("audio.unrecognized", f"notes{ext}").write_text("meeting notes, not audio\n")
    write_mp3(place("audio.wrong_container", "mp3data.wav"), 6.0)
    header = wav_header(rate=rate, channels=1, bits=16, data_bytes=0)
    place("audio.malformed", "nodata.wav").write_bytes(header[:-8])
    cut = good(place("audio.truncated", "cut.wav"))
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    place("audio.no_samples", "empty_data.wav").write_bytes(header)
