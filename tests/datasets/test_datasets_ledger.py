"""The ledger's data-rule rows and the validators' catalogue say the same thing.

``docs/azure-behaviour.md`` "Data rules" has one row per (rule, severity) with the kinds it
applies to; a rule whose severity changes in code without its row (or the reverse) fails here,
as does a row whose pinning test does not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

from speechflows.datasets.rules import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "docs" / "azure-behaviour.md"
ROW = re.compile(
    r"^\| (?P<kinds>[^|]+) \| `(?P<code>[a-z_.0-9]+)`: [^|]+ \| (?P<sev>error|warning) \|"
)
PIN = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _section(title: str) -> str:
    text = LEDGER.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_every_catalogue_rule_has_its_row_with_the_same_severity() -> None:
    rows: dict[tuple[str, str], set[str]] = {}
    for line in _section("Data rules").splitlines():
        if m := ROW.match(line):
            kinds = m["kinds"].strip()
            names = {k.value for k in CATALOGUE} if kinds == "all kinds" else set(kinds.split(", "))
            rows.setdefault((m["code"], m["sev"]), set()).update(names)
    in_code: dict[tuple[str, str], set[str]] = {}
    for kind, rules in CATALOGUE.items():
        for code, rule in rules.items():
            in_code.setdefault((code, rule.severity.value), set()).add(kind.value)
    assert rows == in_code


def test_every_pinned_test_exists() -> None:
    pins = PIN.findall(_section("Data rules") + _section("Dataset formats"))
    assert len(pins) > 80
    for path, name in set(pins):
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} does not exist"
