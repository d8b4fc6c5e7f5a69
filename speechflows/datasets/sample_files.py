"""Writing sample files: the BOM, utterance ids and text files every sample writer uses."""

from __future__ import annotations

import codecs
from pathlib import Path

BOM = codecs.BOM_UTF8.decode("utf-8")


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
