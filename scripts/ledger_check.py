"""`make ledger-check`: mutate each threshold and rule a ledger row names; its pins must fail.

A small mutator over named constants: each mutant names a row of ``docs/azure-behaviour.md``
(by a marker unique to that row), a source file, the exact text of one assignment or keyword
(found exactly once, checked with ``ast`` to still parse after the change) and its mutated
text. For each mutant the repository is copied, the mutation applied to the copy, and the
tests in the row's "pinned by" cell are run there; the mutant is *killed* when they fail.

Prints one JSON line: mutants, killed, kill ratio, survivors, the machine's load. Exits 1 when a
mutant survives or when the unmutated pins do not pass (a failing baseline would kill
everything). ``--only TEXT`` (repeatable) runs the mutants whose name or row holds one of the
texts, for the rows a change touches; ``--list`` prints the mutants' names. Not part of ``make test`` (several minutes); ``tests/test_ledger.py`` checks the
table's structure quickly.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "docs" / "azure-behaviour.md"
PIN = re.compile(r"(tests/[\w/]+\.py)?::(test_\w+)")


@dataclass(frozen=True)
class Mutant:
    row: str  # a marker found in exactly one ledger row
    path: str  # the file mutated, relative to the root
    original: str  # text found exactly once in the file
    mutated: str

    @property
    def name(self) -> str:
        return f"{self.path}: {self.original.strip()} -> {self.mutated.strip()}"


AA = "speechflows/datasets/audio_analysis.py"
SM = "speechflows/emulator/core/service_model.py"
MEDIA = "speechflows/emulator/core/media.py"
AUDIO = "speechflows/datasets/audio.py"
LIMITS_ROW = "| Every limit the model applies is the spec's figure"
MUTANTS: list[Mutant] = [
    # The survivors.
    Mutant(
        "| Overflow (clipping) is a warning",
        AA,
        "clipped_max_ratio: float | None = 1e-4",
        "clipped_max_ratio: float | None = 5e-4",
    ),
    Mutant(
        "| Long leading/trailing silence is a warning",
        AA,
        "edges=True, silence_max_s=1.0",
        "edges=True, silence_max_s=1.5",
    ),
    Mutant(
        "| Long leading/trailing silence is a warning",
        AA,
        "DataKind.LONG_AUDIO: _with_rules(Profile(**_AZURE_VOICE, silence_max_s=5.0))",
        "DataKind.LONG_AUDIO: _with_rules(Profile(**_AZURE_VOICE, silence_max_s=50.0))",
    ),
    Mutant(
        "| Long leading/trailing silence is a warning",
        AA,
        "silence_max_s=2.0,",
        "silence_max_s=20.0,",
    ),
    Mutant(
        "`dataset.too_many_files`: over 1,000",
        "speechflows/datasets/speech_audio.py",
        "MAX_FILES = 10_000",
        "MAX_FILES = 100",
    ),
    Mutant(
        "| Creates are `POST` with a server-assigned UUID",
        "speechflows/emulator/speech_to_text/route_base.py",
        'headers["Retry-After"] = str(self.ctx.config.retry_after_seconds)',
        "pass",
    ),
    # The product's error rules.
    Mutant(
        "| Prompt | `audio.file_too_large`",
        "speechflows/datasets/voice.py",
        "PROMPT_MAX_BYTES = 31_457_280",
        "PROMPT_MAX_BYTES = 30_000_000",
    ),
    Mutant(
        "`dataset.too_many_files`: over 1,000",
        "speechflows/datasets/voice.py",
        "MAX_LONG_AUDIO_FILES = 1000",
        "MAX_LONG_AUDIO_FILES = 100",
    ),
    Mutant(
        "`script.line_too_long`",
        "speechflows/datasets/voice_scripts.py",
        "MAX_LINE = 1000",
        "MAX_LINE = 2000",
    ),
    Mutant(
        "`markdown.too_many_lists`",
        "speechflows/datasets/speech_text.py",
        "MAX_LISTS, MANY_LISTS, MAX_LIST_ITEMS = 20, 10, 35_000",
        "MAX_LISTS, MANY_LISTS, MAX_LIST_ITEMS = 30, 10, 35_000",
    ),
    # The emulator's service model: every limit.
    *[
        Mutant(LIMITS_ROW, SM, original, mutated)
        for original, mutated in [
            ("VOICE_MIN_SAMPLE_RATE = 16_000", "VOICE_MIN_SAMPLE_RATE = 8_000"),
            ("VOICE_MIN_BITS = 16", "VOICE_MIN_BITS = 8"),
            ("VOICE_MAX_UTTERANCE_SECONDS = 30.0", "VOICE_MAX_UTTERANCE_SECONDS = 60.0"),
            ("SCRIPT_MAX_LINE_CHARS = 1_000", "SCRIPT_MAX_LINE_CHARS = 2_000"),
            ("LONG_AUDIO_MIN_SECONDS = 20.0", "LONG_AUDIO_MIN_SECONDS = 10.0"),
            ("LONG_AUDIO_MIN_MP3_KBPS = 256", "LONG_AUDIO_MIN_MP3_KBPS = 128"),
            ("VOICE_MAX_AUDIO_FILES = 1_000", "VOICE_MAX_AUDIO_FILES = 100"),
            (
                "PERSONAL_SAMPLE_RATES = frozenset({16_000, 24_000, 44_100, 48_000})",
                "PERSONAL_SAMPLE_RATES = frozenset({16_000, 24_000, 44_100, 48_000, 22_050})",
            ),
            (
                "PERSONAL_BIT_DEPTHS = frozenset({16, 24, 32})",
                "PERSONAL_BIT_DEPTHS = frozenset({16, 24})",
            ),
            (
                "PERSONAL_MP3_KBPS = frozenset({128, 192, 256, 320})",
                "PERSONAL_MP3_KBPS = frozenset({128, 192, 256})",
            ),
            ("PROMPT_MIN_SECONDS = 5.0", "PROMPT_MIN_SECONDS = 3.0"),
            ("PROMPT_MAX_SECONDS = 90.0", "PROMPT_MAX_SECONDS = 120.0"),
            ("PROMPT_MAX_BYTES = 31_457_280", "PROMPT_MAX_BYTES = 30_000_000"),
            (
                "STT_SAMPLE_RATES = frozenset({8_000, 16_000})",
                "STT_SAMPLE_RATES = frozenset({8_000, 16_000, 44_100})",
            ),
            ("STT_BITS = 16", "STT_BITS = 24"),
            ("STT_MAX_AUDIO_SECONDS = 7_200.0", "STT_MAX_AUDIO_SECONDS = 3_600.0"),
            ("STT_MAX_FILES = 10_000", "STT_MAX_FILES = 100"),
            ("STT_MAX_ZIP_BYTES = 2 * GIB", "STT_MAX_ZIP_BYTES = 1 * GIB"),
            ("LANGUAGE_MAX_BYTES = 1_536 * MIB", "LANGUAGE_MAX_BYTES = 200 * MIB"),
            ("PRONUNCIATION_MAX_BYTES = 1 * MIB", "PRONUNCIATION_MAX_BYTES = 1 * KIB"),
            ("MARKDOWN_MAX_BYTES = 200 * MIB", "MARKDOWN_MAX_BYTES = 100 * MIB"),
            ("FORMATTING_MAX_BYTES = 10 * MIB", "FORMATTING_MAX_BYTES = 1 * MIB"),
            ("MARKDOWN_MAX_LISTS = 20", "MARKDOWN_MAX_LISTS = 10"),
            ("MARKDOWN_MAX_LIST_ITEMS = 35_000", "MARKDOWN_MAX_LIST_ITEMS = 3_500"),
            ("MARKDOWN_MAX_LEXICON = 15_000", "MARKDOWN_MAX_LEXICON = 1_500"),
            ("MARKDOWN_MAX_PRONUNCIATIONS = 2", "MARKDOWN_MAX_PRONUNCIATIONS = 3"),
        ]
    ],
    # The model's comparisons at each limit (a limit kept but ">" turned ">=" or "<" to "<="):
    # killed by the sweep at the limit and one past it.
    *[
        Mutant(LIMITS_ROW, SM, original, original.replace(op, new_op, 1))
        for original, op, new_op in [
            ("if m.sample_rate < VOICE_MIN_SAMPLE_RATE:", "<", "<="),
            ("if m.seconds > VOICE_MAX_UTTERANCE_SECONDS:", ">", ">="),
            ('if m.container == "mp3" and m.kbps < LONG_AUDIO_MIN_MP3_KBPS:', "<", "<="),
            ("elif len(line) > SCRIPT_MAX_LINE_CHARS:", ">", ">="),
            ("if member.size > PROMPT_MAX_BYTES:", ">", ">="),
            ("if not PROMPT_MIN_SECONDS <= m.seconds <= PROMPT_MAX_SECONDS:", "<=", "<"),
            ("m.seconds <= PROMPT_MAX_SECONDS:", "<=", "<"),
            ("if m.seconds > STT_MAX_AUDIO_SECONDS:", ">", ">="),
            ("if len(members) > STT_MAX_FILES:", ">", ">="),
            ("if archive_bytes > STT_MAX_ZIP_BYTES:", ">", ">="),
            ('if kind == "AudioOnly" and len(audio) > VOICE_MAX_AUDIO_FILES:', ">", ">="),
            ("if size > limit:", ">", ">="),
            ("if len(lists) > MARKDOWN_MAX_LISTS:", ">", ">="),
            ("if count > MARKDOWN_MAX_LIST_ITEMS:", ">", ">="),
            ("if lexicon > MARKDOWN_MAX_LEXICON:", ">", ">="),
            ("if pronunciations[key] > MARKDOWN_MAX_PRONUNCIATIONS:", ">", ">="),
        ]
    ],
    # The product's limits and their comparisons (the same sweep, through the product).
    Mutant(
        "| AudioAndScript, Acoustic, AudioFiles, Prompt | `audio.too_long`",
        "speechflows/datasets/audio_checks.py",
        "(high is not None and seconds > high)",
        "(high is not None and seconds >= high)",
    ),
    Mutant(
        "| LongAudio, Prompt | `audio.too_short`",
        "speechflows/datasets/audio_checks.py",
        "(low is not None and seconds < low)",
        "(low is not None and seconds <= low)",
    ),
    Mutant(
        "| Prompt | `audio.file_too_large`",
        "speechflows/datasets/audio_checks.py",
        "size > spec.max_bytes",
        "size >= spec.max_bytes",
    ),
    Mutant(
        "| AudioAndScript, Acoustic, AudioFiles, Prompt | `audio.too_long`",
        "speechflows/datasets/voice.py",
        'durations=(("audio.too_long", None, 30.0)',
        'durations=(("audio.too_long", None, 60.0)',
    ),
    Mutant(
        "| AudioAndScript, Acoustic, AudioFiles, Prompt | `audio.too_long`",
        "speechflows/datasets/speech_audio.py",
        'durations=(("audio.too_long", None, 7200.0),)',
        'durations=(("audio.too_long", None, 3600.0),)',
    ),
    Mutant(
        "`script.line_too_long`",
        "speechflows/datasets/voice_scripts.py",
        "if len(line) > MAX_LINE:",
        "if len(line) >= MAX_LINE:",
    ),
    Mutant(
        "`dataset.too_many_files`: over 1,000",
        "speechflows/datasets/speech_audio.py",
        "if names > MAX_FILES:",
        "if names >= MAX_FILES:",
    ),
    Mutant(
        "`dataset.too_large`: zip over 2 GB",
        "speechflows/datasets/speech_audio.py",
        "if size > MAX_BYTES:",
        "if size >= MAX_BYTES:",
    ),
    Mutant(
        "`file.too_large`: over the documented size",
        "speechflows/datasets/speech_text.py",
        "elif size > MAX_BYTES[kind]:",
        "elif size >= MAX_BYTES[kind]:",
    ),
    # MP3 duration: the emulator's decoder model and the product's reading of it.
    *[
        Mutant("| MP3 duration: the service decodes MP3", path, original, mutated)
        for path, original, mutated in [
            (MEDIA, "    if _is_tag_frame(data, pos, first):", "    if False:"),
            (
                MEDIA,
                "        if pos + frame.length > end:",
                "        if pos + frame.length > end + frame.length:",
            ),
            (MEDIA, "            found = _sync(data, pos + 1, end)", "            found = None"),
            (MEDIA, "    if len(rates) == 1:", "    if rates:"),
            (MEDIA, "    samples = 1152 if version == 3 else 576", "    samples = 1152"),
            (
                AUDIO,
                "        duration = frames * samples / rate",
                "        duration = frames * 1152 / rate",
            ),
            (
                AUDIO,
                "            duration = walked * samples / rate",
                "            duration = body * 8 / (kbps * 1000)",
            ),
            (AUDIO, "            end -= 128", "            end -= 0"),
        ]
    ],
    Mutant(
        "`audio.mp3_estimated`: an MP3",
        "speechflows/datasets/audio_checks.py",
        "if info.duration_estimated and spec.durations:",
        "if False:",
    ),
    Mutant(
        "`audio.mp3_estimated`: an MP3",
        "speechflows/datasets/audio_checks.py",
        "        unsure |= _BITRATE_CODES",
        "        pass",
    ),
    Mutant(
        "| Deliberate difference (in how, not whether)",
        SM,
        'j.reject_file(wav, f"its script line {where[0]}:{where[1]} is rejected", where)',
        'j.reject_file(wav, f"its script line {where[0]}:{where[1]} is rejected")',
    ),
    Mutant(
        "| Deliberate difference: a LongAudio recording of exactly 20 s",
        SM,
        "if m.seconds <= LONG_AUDIO_MIN_SECONDS:",
        "if m.seconds < LONG_AUDIO_MIN_SECONDS:",
    ),
    Mutant(
        "| Deliberate difference: an Acoustic zip with more than one transcript",
        SM,
        "if len(transcripts) != 1:",
        "if not transcripts:",
    ),
    Mutant(
        "| Failure codes: a dataset that is not a zip",
        SM,
        'return j.result(j.accepted > 0 and j.rejected == 0, "AudioAndScriptNotMatch")',
        'return j.result(j.accepted > 0, "AudioAndScriptNotMatch")',
    ),
]


def ledger_row(marker: str) -> str:
    """The one ledger row holding ``marker``."""
    rows = [line for line in LEDGER.read_text(encoding="utf-8").splitlines() if marker in line]
    if len(rows) != 1:
        raise ValueError(f"{marker!r} is in {len(rows)} ledger rows, not one")
    return rows[0]


def pins(marker: str) -> list[str]:
    """The pytest node ids of the row's "pinned by" cell (doctests left out)."""
    cell = ledger_row(marker).strip().strip("|").split("|")[-1]
    found, current = [], None
    for path, name in PIN.findall(cell):
        current = path or current
        if current is not None:
            found.append(f"{current}::{name}")
    return found


def apply(mutant: Mutant, root: Path) -> None:
    """Apply ``mutant`` to the copy at ``root`` (its text must occur exactly once)."""
    target = root / mutant.path
    source = target.read_text(encoding="utf-8")
    if source.count(mutant.original) != 1:
        raise ValueError(f"{mutant.name}: found {source.count(mutant.original)} times")
    changed = source.replace(mutant.original, mutant.mutated)
    if ast.dump(ast.parse(changed)) == ast.dump(ast.parse(source)):
        raise ValueError(f"{mutant.name}: the mutation changes nothing")
    target.write_text(changed, encoding="utf-8")


def _copy(dest: Path) -> None:
    for name in ("speechflows", "tests", "docs", "benchmarks", "scripts"):
        shutil.copytree(
            ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for name in ("pyproject.toml", "package.json"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("node_modules", ".venv"):
        if (ROOT / name).exists():
            (dest / name).symlink_to(ROOT / name)


def _shared() -> Path | None:
    """The specs and reference (``../shared``; the worktrees' parent may not hold it)."""
    for base in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")):
        if (base / "azure-speech-specs").is_dir():
            return base.resolve()
    return None


def _run(tests: list[str], root: Path, *, show: bool = False) -> int:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    shared = _shared()
    if shared is not None and "SPEECHFLOWS_SPECS_DIR" not in env:
        env["SPEECHFLOWS_SPECS_DIR"] = str(shared / "azure-speech-specs")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *tests]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    if show and done.returncode:
        print(done.stdout[-4000:], done.stderr[-2000:], file=sys.stderr)
    return done.returncode


def selected(argv: list[str]) -> list[Mutant]:
    """The mutants ``--only TEXT`` (repeatable) names by their name or row; all without it."""
    texts = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--only"]
    if not texts:
        return list(MUTANTS)
    return [m for m in MUTANTS if any(t in m.name or t in m.row for t in texts)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    mutants = selected(argv)
    if "--list" in argv:
        for mutant in mutants:
            print(mutant.name)
        return 0
    if not mutants:
        print(json.dumps({"ledger_check": "no mutant matches --only", "exit": 2}))
        return 2
    started = time.monotonic()
    load_before = os.getloadavg()
    all_pins = sorted({p for m in mutants for p in pins(m.row)})
    with tempfile.TemporaryDirectory(prefix="ledger-check-") as tmp:
        # The tests read the specs at ../shared from the checkout: the copies see the same.
        shared = _shared()
        if shared is not None:
            (Path(tmp) / "shared").symlink_to(shared)
        base = Path(tmp) / "baseline"
        _copy(base)
        baseline = _run(all_pins, base, show=True)
        print(f"baseline: {len(all_pins)} pinning tests, exit {baseline}", file=sys.stderr)
        if baseline != 0:
            print(json.dumps({"ledger_check": "baseline pins fail", "exit": baseline}))
            return 1
        killed, survivors = 0, []
        for n, mutant in enumerate(mutants, 1):
            work = Path(tmp) / f"m{n}"
            _copy(work)
            apply(mutant, work)
            code = _run(pins(mutant.row), work)
            shutil.rmtree(work)
            dead = code != 0
            killed += dead
            if not dead:
                survivors.append(mutant.name)
            print(f"[{n}/{len(mutants)}] {'killed' if dead else 'SURVIVED'}: {mutant.name}",
                  file=sys.stderr)  # fmt: skip
    result = {
        "ledger_check": "mutants of the thresholds and rules the ledger rows name",
        "mutants": len(mutants),
        "of": len(MUTANTS),
        "killed": killed,
        "kill_ratio": round(killed / len(mutants), 3),
        "survivors": survivors,
        "seconds": round(time.monotonic() - started, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    return 0 if not survivors else 1


if __name__ == "__main__":
    raise SystemExit(main())
