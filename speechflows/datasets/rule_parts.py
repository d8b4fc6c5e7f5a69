"""Building blocks of the rule catalogue: severities, locale predicates, shared rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from speechflows.datasets.findings import Rule, Severity
from speechflows.datasets.kinds import KIND_EXTENSIONS, DataKind

E = Severity.ERROR
W = Severity.WARNING
BIG = "needs gigabytes or thousands of files; covered by a unit test with a lowered limit"
EXCLUSIVE = "excludes the other findings of the kind; covered by a unit test"
# Fix commands are pasted as-is: no trailing full stop, the output folder created first, and
# the output named once with its extension (``{dst_wav}``; see ``findings.Rule``).
MKDIR = "mkdir -p {dst_dir} && "
SOX_24K = MKDIR + "sox {src} -b 16 -e signed-integer -r 24k {dst_wav}"
SOX_STT = MKDIR + "sox {src} -b 16 -e signed-integer -c 1 -r 16k -t wav {dst_wav}"
FFMPEG = MKDIR + "ffmpeg -i {src} -c:a pcm_s16le -ar 24000 {dst_wav}"
FFMPEG_STT = MKDIR + "ffmpeg -i {src} -c:a pcm_s16le -ac 1 -ar 16000 {dst_wav}"


def en_us(locale: str) -> bool:
    return locale.lower() == "en-us"


def not_en_us(locale: str) -> bool:
    return locale.lower() != "en-us"


def english(locale: str) -> bool:
    return locale.lower().startswith("en")


def not_english(locale: str) -> bool:
    return not locale.lower().startswith("en")


def ansi_accepted(locale: str) -> bool:
    return locale.lower() != "zh-cn"


def japanese(locale: str) -> bool:
    return locale.lower() == "ja-jp"


def ja_ko(locale: str) -> bool:
    return locale.lower()[:2] in ("ja", "ko")


def make_rule(
    code: str,
    severity: Severity,
    rule: str,
    fix: str,
    applies: Callable[[str], bool] | None = None,
    why_not_seeded: str = "",
) -> Rule:
    made = Rule(
        code, severity, rule, fix, seedable=not why_not_seeded, why_not_seeded=why_not_seeded
    )
    return made if applies is None else replace(made, applies=applies)


def common_rules(kind: DataKind) -> list[Rule]:
    exts = ", ".join(sorted(KIND_EXTENSIONS[kind]))
    return [
        make_rule(
            "dataset.not_found",
            E,
            "The path to validate must exist.",
            "Pass an existing folder, file or .zip.",
            why_not_seeded=EXCLUSIVE,
        ),
        make_rule(
            "zip.invalid",
            E,
            "A .zip must be a readable ZIP archive.",
            "Re-create the archive from the dataset folder (zip -r new.zip FOLDER), or give "
            "the folder itself (the onboarding packs it)",
            why_not_seeded=EXCLUSIVE,
        ),
        make_rule(
            "file.empty", E, "A file must not be empty.", "Export {file} again or remove it."
        ),
        make_rule(
            "file.unreadable",
            E,
            "Every file must be readable.",
            "Check the permissions of {file} and copy it again.",
            why_not_seeded="needs an I/O or permission failure; covered by a unit test",
        ),
        make_rule(
            "file.symlink_loop",
            E,
            "Every file must be readable; a symbolic link that points back to itself (directly "
            "or through other links) is a loop and cannot be read or staged.",
            "{file} is a symlink loop: delete the link, and link the real file if it is needed: "
            "rm {src} && ln -s /path/to/real/file {src}",
            why_not_seeded="a symlink loop cannot be zipped or copied; covered by a unit test",
        ),
        make_rule(
            "file.unsupported_type",
            W,
            f"{kind.value} datasets are made of {exts} files; other files are left out.",
            "Convert {file} to a supported format, or move it out of the dataset folder.",
        ),
    ]


def audio_format_rules(containers: str, fix: str, convert: str = FFMPEG) -> list[Rule]:
    return [
        make_rule(
            "audio.unrecognized",
            E,
            f"Audio files must be {containers}; this content is not audio (renamed or corrupt?).",
            "Replace {file} with the real recording, exported as " + containers + ".",
        ),
        make_rule(
            "audio.wrong_container",
            E,
            f"The content must match the file extension and be {containers}.",
            "Convert it from its real format: " + convert,
        ),
        make_rule(
            "audio.malformed",
            E,
            "A WAV file needs a valid RIFF/WAVE header with a fmt chunk and a data chunk.",
            "Export {file} again from the original recording.",
        ),
        make_rule(
            "audio.truncated",
            E,
            "The audio must be complete: its header declares more data than the file holds.",
            "Copy {file} again from the source (the copy was cut short) or export it again.",
        ),
        make_rule(
            "audio.no_samples",
            E,
            "An audio file must contain audio samples (duration > 0).",
            "Record {file} again or remove it.",
        ),
        make_rule("audio.not_pcm", E, "WAV audio must be uncompressed integer PCM.", fix),
    ]
