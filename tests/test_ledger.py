"""Every row of the Azure behaviour ledger names a source and a test that exists.

``docs/azure-behaviour.md`` is the record of what we believe the real service does. A row without
a source is a guess nobody can check; a row whose pinning test was renamed or deleted pins
nothing. Tests are written ``path::test`` and may continue with ``::other_test`` for the same file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "docs" / "azure-behaviour.md"
PIN = re.compile(r"(tests/[\w/]+\.py)?::(test_\w+)")
SURENESS = re.compile(r"\b(documented|seen|inferred)\b")


def _rows() -> list[tuple[str, list[str]]]:
    """(section, cells) of every data row of every table (header and rule lines left out)."""
    rows: list[tuple[str, list[str]]] = []
    section = ""
    header_seen = False
    for line in LEDGER.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section, header_seen = line[3:].strip(), False
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not header_seen:
                header_seen = True  # the header row
            elif not set(line) <= set("|-: "):
                rows.append((section, cells))
    return rows


ROWS = _rows()


def test_the_ledger_has_rows_in_every_section_it_names() -> None:
    sections = {s for s, _ in ROWS}
    assert len(ROWS) > 100
    assert {"Locales", "Custom Voice: resources, operations, imports"} <= sections


@pytest.mark.parametrize(("section", "cells"), ROWS, ids=[f"{s}:{c[0][:40]}" for s, c in ROWS])
def test_row_names_a_sureness_and_a_test_that_exists(section: str, cells: list[str]) -> None:
    assert SURENESS.search(" ".join(cells)), f"{section}: no sureness in {cells[0]!r}"
    pins = cells[-1]
    current: str | None = None
    found = 0
    for path, name in PIN.findall(pins):
        current = path or current
        assert current is not None, f"{section}: '::{name}' with no file before it"
        source = (ROOT / current).read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {name}\(", source, re.M), f"{current}::{name} missing"
        found += 1
    assert found, f"{section}: row {cells[0]!r} names no test"
