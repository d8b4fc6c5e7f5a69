"""Every row of the Azure behaviour ledger names a source and a test that exists.

``docs/azure-behaviour.md`` is the record of what we believe the real service does. A row without
a source is a guess nobody can check; a row whose pinning test was renamed or deleted pins
nothing. Tests are written ``path::test`` and may continue with ``::other_test`` for the same file.

A ledger that cannot lie (issue 25): the sureness sits in its own column (the one before
"pinned by") and starts with *documented*, *seen* or *inferred*. A row says *documented* only
with a source that resolves to text under ``../shared`` — a reference section (``ref §4.2``,
``ref user-asks #7``, ``ref azurite.md``), a spec operationId (``Datasets_Get``), schema name or
example file — and every limit the row states with a thousands separator (``31,457,280``,
``1,000``) appears in that text. ``make ledger-check`` (``scripts/ledger_check.py``) goes
further: it mutates the thresholds the rows name and requires their pinning tests to fail.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "docs" / "azure-behaviour.md"
PIN = re.compile(r"(tests/[\w/]+\.py)?::(test_\w+)")
SURENESS = re.compile(r"\b(documented|seen|inferred)\b")
SURENESS_CELL = re.compile(r"(documented|seen|inferred)\b")
LIMIT = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d,])")


def _shared() -> Path:
    for base in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")):
        if (base / "reference" / "azure-speech.md").is_file():
            return base
    raise FileNotFoundError("../shared/reference/azure-speech.md")


SHARED = _shared()
REFERENCE = (SHARED / "reference" / "azure-speech.md").read_text(encoding="utf-8")
SPECS = {
    p: p.read_text(encoding="utf-8")
    for p in sorted((SHARED / "azure-speech-specs").rglob("*.json"))
}
OPERATIONS: dict[str, list[str]] = {}
for _text in SPECS.values():
    for _op in re.findall(r'"operationId":\s*"([^"]+)"', _text):
        OPERATIONS.setdefault(_op, []).append(_text)
HEADINGS = [
    (m.start(), m.group(1), m.group(2))
    for m in re.finditer(r"^(#{2,3}) (\d+(?:\.\d+)?)\.?\s", REFERENCE, re.M)
]


def _section(number: str) -> str | None:
    """The text of reference section ``number`` (``4`` or ``4.2``) up to the next of its level."""
    for i, (pos, level, n) in enumerate(HEADINGS):
        if n == number:
            end = next((p for p, lv, _ in HEADINGS[i + 1 :] if len(lv) <= len(level)), None)
            return REFERENCE[pos:end]
    return None


def resolved_sources(source: str) -> list[str]:
    """The texts under ../shared that the citations of a source cell resolve to."""
    texts = [t for n in re.findall(r"§\s*(\d+(?:\.\d+)?)", source) if (t := _section(n))]
    for name in ("azurite.md", "prefect.md"):
        if f"ref {name}" in source or f"ref: {name}" in source:
            texts.append((SHARED / "reference" / name).read_text(encoding="utf-8"))
    asks = (SHARED / "reference" / "user-asks.md").read_text(encoding="utf-8")
    for n in re.findall(r"user-asks #(\d+)", source):
        texts += [line for line in asks.splitlines() if line.startswith(f"| {n} |")]
    for op in re.findall(r"\b\*?([A-Za-z]*_[A-Z][A-Za-z]+)\b", source):
        for name, found in OPERATIONS.items():
            if name == op or (op.startswith("_") and name.endswith(op)):
                texts += found
    for ident in re.findall(r"`([A-Z][A-Za-z]+)(?:\.[A-Za-z0-9/]+)?`", source):
        texts += [t for t in SPECS.values() if f'"{ident}":' in t]
    for example in re.findall(r"`([\w-]+\.json)`", source):
        texts += [t for p, t in SPECS.items() if p.name == example]
    return texts


def _sureness(cells: list[str]) -> str:
    return cells[-2].strip()


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


@pytest.mark.parametrize(("section", "cells"), ROWS, ids=[f"{s}:{c[0][:40]}" for s, c in ROWS])
def test_sureness_sits_in_its_own_column(section: str, cells: list[str]) -> None:
    assert SURENESS_CELL.match(_sureness(cells)), (
        f"{section}: the column before 'pinned by' must start with documented/seen/inferred,"
        f" not {_sureness(cells)[:60]!r}"
    )


DOCUMENTED = [(s, c) for s, c in ROWS if _sureness(c).startswith("documented")]


@pytest.mark.parametrize(
    ("section", "cells"), DOCUMENTED, ids=[f"{s}:{c[0][:40]}" for s, c in DOCUMENTED]
)
def test_documented_only_with_a_source_that_says_it(section: str, cells: list[str]) -> None:
    source, claim = cells[-3], " ".join(cells[:-3])
    texts = resolved_sources(source)
    assert texts, (
        f"{section}: {claim[:60]!r} is 'documented' but {source[:80]!r} resolves to no text"
    )
    corpus = " ".join(texts).replace(",", "")
    missing = [n for n in LIMIT.findall(claim) if n.replace(",", "") not in corpus]
    assert missing == [], f"{section}: {claim[:60]!r} states {missing}, its sources do not"


def test_the_ledger_check_catches_an_unresolvable_documented_row() -> None:
    """The resolver is not a rubber stamp: an unknown section, operation or file resolves to
    nothing, and a limit absent from the cited text is found missing."""
    assert resolved_sources("ref §9.9; spec: `Nope_Nothing`; `nothing.json`") == []
    corpus = " ".join(resolved_sources("ref §4.1")).replace(",", "")
    assert "31457280" not in corpus and "90 seconds" in corpus


def _ledger_check() -> Any:
    spec = importlib.util.spec_from_file_location(
        "ledger_check", ROOT / "scripts" / "ledger_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


LEDGER_CHECK = _ledger_check()


@pytest.mark.parametrize("mutant", LEDGER_CHECK.MUTANTS, ids=lambda m: m.name[:90])
def test_every_ledger_check_mutant_names_one_row_with_pins_and_applies(
    mutant: Any, tmp_path: Path
) -> None:
    """The fast half of ``make ledger-check``: each mutant's row exists once and names tests,
    its text occurs once in its file, and the mutated file parses and differs."""
    assert LEDGER_CHECK.pins(mutant.row), f"{mutant.row!r} names no test"
    (tmp_path / mutant.path).parent.mkdir(parents=True)
    (tmp_path / mutant.path).write_bytes((ROOT / mutant.path).read_bytes())
    LEDGER_CHECK.apply(mutant, tmp_path)
    assert mutant.mutated in (tmp_path / mutant.path).read_text(encoding="utf-8")


def test_the_issue_survivors_are_all_mutated() -> None:
    """Issue 25's un-killed mutants are in the table: clipping, the three silence thresholds,
    the Speech to text file limit and Retry-After on running GETs."""
    names = " ".join(m.name for m in LEDGER_CHECK.MUTANTS)
    for needle in ("1e-4", "silence_max_s=1.0", "silence_max_s=5.0", "silence_max_s=2.0",
                   "MAX_FILES = 10_000", "Retry-After"):  # fmt: skip
        assert needle in names, needle
