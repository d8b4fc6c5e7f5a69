"""Sample data at the paths the deployments' default parameters name (``data/...`` in prefect.yaml).

``speechflows dev up`` writes them when missing, so a user who opens the Prefect UI and presses
*Run* on an onboarding deployment gets a completed run against the local emulator instead of a
"dataset not found" — and can then point the form at real folders. Existing files are never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from speechflows.datasets import DataKind, write_sample

# (path in prefect.yaml's defaults, kind, count)
DEFAULT_INPUTS: tuple[tuple[str, DataKind, int | None], ...] = (
    ("data/my-voice", DataKind.AUDIO_AND_SCRIPT, 20),
    ("data/my-voice-consent.wav", DataKind.CONSENT, None),
    ("data/prompt", DataKind.PROMPT, None),
    ("data/consent.wav", DataKind.CONSENT, None),
    ("data/language.txt", DataKind.LANGUAGE, None),
)


def seed_default_inputs(root: Path) -> list[Path]:
    """Write every missing default input under ``root``; return the paths written."""
    written: list[Path] = []
    for relative, kind, count in DEFAULT_INPUTS:
        target = root / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            produced = write_sample(Path(scratch) / "sample", kind, count=count)
            if produced.is_dir() and target.suffix:
                # A single-file default (consent.wav) from a kind that writes a folder.
                produced = next(p for p in sorted(produced.iterdir()) if p.is_file())
            shutil.move(str(produced), target)
        written.append(target)
    return written
