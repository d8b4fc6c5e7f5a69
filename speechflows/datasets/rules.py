"""The rule catalogue: every finding code each data kind can produce, with its rule and fix.

Sources: ``reference/azure-speech.md`` §4 (Learn: custom voice training data, personal voice,
custom speech datasets). Where the docs are ambiguous, the choice is written in the rule text
and the rule is a warning.

>>> rules_for("Acoustic")["audio.not_mono"].severity
<Severity.ERROR: 'error'>
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from speechflows.datasets.findings import Rule
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rules_speech import (
    formatting_rules,
    language_rules,
    markdown_rules,
    pronunciation_rules,
    stt_audio_rules,
)
from speechflows.datasets.rules_voice import (
    audio_and_script_rules,
    long_or_only_rules,
    personal_rules,
)

_BUILDERS: dict[DataKind, Callable[[], list[Rule]]] = {
    DataKind.AUDIO_AND_SCRIPT: audio_and_script_rules,
    DataKind.LONG_AUDIO: lambda: long_or_only_rules(DataKind.LONG_AUDIO),
    DataKind.AUDIO_ONLY: lambda: long_or_only_rules(DataKind.AUDIO_ONLY),
    DataKind.ACOUSTIC: lambda: stt_audio_rules(DataKind.ACOUSTIC),
    DataKind.AUDIO_FILES: lambda: stt_audio_rules(DataKind.AUDIO_FILES),
    DataKind.LANGUAGE: language_rules,
    DataKind.PRONUNCIATION: pronunciation_rules,
    DataKind.LANGUAGE_MARKDOWN: markdown_rules,
    DataKind.OUTPUT_FORMATTING: formatting_rules,
    DataKind.CONSENT: lambda: personal_rules(DataKind.CONSENT),
    DataKind.PROMPT: lambda: personal_rules(DataKind.PROMPT),
}


def _build() -> Mapping[DataKind, Mapping[str, Rule]]:
    out: dict[DataKind, Mapping[str, Rule]] = {}
    for kind, build in _BUILDERS.items():
        rules: dict[str, Rule] = {}
        for rule in build():
            if rule.code in rules:
                raise AssertionError(f"{kind}: rule {rule.code} defined twice")
            rules[rule.code] = rule
        out[kind] = MappingProxyType(rules)
    return MappingProxyType(out)


CATALOGUE: Mapping[DataKind, Mapping[str, Rule]] = _build()


def rules_for(kind: DataKind | str, locale: str | None = None) -> Mapping[str, Rule]:
    """Return the rules of ``kind`` by code; with ``locale``, only those checked for it."""
    rules = CATALOGUE[DataKind.parse(kind)]
    if locale is None:
        return rules
    return MappingProxyType({c: r for c, r in rules.items() if r.applies(locale)})
