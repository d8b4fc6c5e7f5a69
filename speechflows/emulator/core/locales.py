"""Locale tags as the service reads them: case-insensitive, echoed in canonical case.

See ``docs/azure-behaviour.md`` § Locales.
"""

from __future__ import annotations

from collections.abc import Iterable


def canonical(tag: str) -> str:
    """``en-us`` → ``en-US``, ``zh-hans-cn`` → ``zh-Hans-CN`` (RFC 5646 §2.1.1 case conventions).

    Language subtags are lower case, four-letter script subtags title case, two-letter region
    subtags upper case; anything else keeps lower case.
    """
    parts = tag.strip().split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def find(tag: str, known: Iterable[str]) -> str | None:
    """The entry of ``known`` equal to ``tag`` ignoring case, or ``None``."""
    folded = tag.strip().casefold()
    return next((k for k in known if k.casefold() == folded), None)


def same(a: object, b: object) -> bool:
    """Two locale values name the same locale (case-insensitive)."""
    return isinstance(a, str) and isinstance(b, str) and a.casefold() == b.casefold()
