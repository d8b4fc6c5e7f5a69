"""Rules of voice data: professional voice training sets and personal voice audio."""

from __future__ import annotations

from speechflows.datasets.findings import Rule, Severity
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rule_parts import (
    BIG,
    EXCLUSIVE,
    MKDIR,
    SOX_24K,
    E,
    W,
    ansi_accepted,
    audio_format_rules,
    common_rules,
    make_rule,
)


def voice_name_rules() -> list[Rule]:
    return [
        make_rule(
            "file.name_invalid",
            E,
            'File names must be Windows-legal: no \\ / : * ? " < > | or control characters, '
            "no leading or trailing space, no leading dot.",
            "Rename {file} to a Windows-legal name, e.g. its numeric utterance id (0000000001.wav)",
        ),
        make_rule(
            "file.duplicate_name",
            E,
            "File names must be unique in the dataset, ignoring case and subfolders.",
            "Rename or remove the duplicate {file}.",
        ),
    ]


def voice_wav_rules(min_rate_severity: Severity) -> list[Rule]:
    return [
        make_rule(
            "audio.bit_depth_too_low",
            E,
            "WAV audio must be PCM with at least 16 bits per sample.",
            "Record again at 16-bit or more; to pass the check: " + SOX_24K,
        ),
        make_rule(
            "audio.sample_rate_too_low",
            min_rate_severity,
            "Audio below 16 kHz is rejected."
            + (
                ""
                if min_rate_severity is E
                else " (Stated for AudioAndScript; applied here as a warning.)"
            ),
            "Record again at 24 kHz or more; upsampling only passes the check: "
            + MKDIR
            + "sox {src} -r 24k {dst_wav}",
        ),
    ]


def script_rules() -> list[Rule]:
    return [
        make_rule(
            "text.encoding_invalid",
            E,
            "Scripts must be text in ANSI, UTF-8 (with or without BOM) or UTF-16 LE/BE "
            "(zh-CN: not ANSI/ASCII).",
            "Save {file} as UTF-8 with BOM in your editor",
        ),
        make_rule(
            "text.ansi_encoding",
            W,
            "The file is not UTF-8/UTF-16, so it was read as ANSI (Windows-1252); other code "
            "pages would garble it.",
            "Save {file} as UTF-8: " + MKDIR + "iconv -f WINDOWS-1252 -t UTF-8 {src} > {dst}",
            applies=ansi_accepted,
        ),
        make_rule(
            "audio.no_matching_script",
            E,
            "Every audio file needs a script entry with the same base name.",
            "Add a script entry for {file}, or remove the file.",
        ),
        make_rule(
            "script.no_matching_audio",
            E,
            "Every script entry needs an audio file with the same base name.",
            "Add the audio file for this entry, or delete the entry.",
        ),
        make_rule(
            "script.empty",
            E,
            "A script file must contain entries, not only blank lines.",
            "Fill {file} with entries, or remove it.",
        ),
        make_rule(
            "dataset.no_audio",
            E,
            "The dataset must contain audio files.",
            "Add the recordings to the folder.",
            why_not_seeded=EXCLUSIVE,
        ),
    ]


def audio_and_script_rules() -> list[Rule]:
    return [
        *common_rules(DataKind.AUDIO_AND_SCRIPT),
        *voice_name_rules(),
        *audio_format_rules("RIFF WAV (PCM)", SOX_24K),
        *voice_wav_rules(E),
        *script_rules(),
        make_rule(
            "audio.sample_rate_below_recommended",
            W,
            "24 kHz or more is recommended; 16–24 kHz audio is upsampled to 24 kHz.",
            "Record at 24 kHz or more if you can.",
        ),
        make_rule(
            "audio.not_mono",
            W,
            "Use mono recordings. (The docs do not state it for professional voice; "
            "chosen as a warning.)",
            MKDIR + "sox {src} -c 1 {dst}",
        ),
        make_rule(
            "audio.too_long",
            E,
            "An utterance longer than 30 s is rejected.",
            "Split {file} into utterances under 15 s, each with its own script line.",
        ),
        make_rule(
            "audio.long_utterance",
            W,
            "Utterances shorter than 15 s are advised.",
            "Split {file} into shorter utterances if it holds several sentences.",
        ),
        make_rule(
            "script.missing_tab",
            E,
            "Each script line is `<numeric id><TAB><text>`.",
            "Separate the id and the text with one TAB character.",
        ),
        make_rule(
            "script.id_not_numeric",
            E,
            "The utterance id must be numeric and equal the WAV base name (0000000001).",
            "Use digits only for the id and rename the WAV to match.",
        ),
        make_rule(
            "script.empty_text",
            E,
            "The text after the TAB must not be empty.",
            "Write the words spoken in the recording after the TAB.",
        ),
        make_rule(
            "script.line_too_long",
            E,
            "A script line must not exceed 1,000 characters (a line of exactly 1,000 is kept).",
            "Split the recording and its text into shorter utterances.",
        ),
        make_rule(
            "script.duplicate_id",
            E,
            "Utterance ids must be unique across all scripts.",
            "Remove the duplicate line or give it its own id and WAV.",
        ),
        make_rule(
            "script.duplicate_text",
            W,
            "Duplicate sentences under different ids add nothing (docs: no duplicate lines).",
            "Remove one of the duplicates or record a different sentence.",
        ),
        make_rule(
            "script.missing_end_punctuation",
            W,
            "Sentences should end with punctuation.",
            "End the text with . ? or !",
        ),
        make_rule(
            "script.unnormalized_text",
            W,
            "Digits and symbols are normalized by the service; write them as spoken words.",
            'Spell numbers and symbols out as they are spoken ("42" → "forty-two").',
        ),
        make_rule(
            "script.few_questions",
            W,
            "At least 10% of the sentences should be questions (checked from 10 utterances on).",
            "Record more questions.",
        ),
        make_rule(
            "script.few_exclamations",
            W,
            "At least 10% of the sentences should be exclamations (checked from 10 utterances on).",
            "Record more exclamations.",
        ),
        make_rule(
            "dataset.no_script",
            E,
            "The dataset must contain a script (.txt).",
            "Add a script with one `<id><TAB><text>` line per WAV.",
            why_not_seeded=EXCLUSIVE,
        ),
        make_rule(
            "dataset.too_few_utterances",
            W,
            "The training recipe needs a minimum number of utterances (typically 300).",
            "Record more utterances before training.",
        ),
        make_rule(
            "dataset.too_large",
            W,
            "A zip (portal upload) may hold at most 2,048 MB.",
            "Split the data into several training sets.",
            why_not_seeded=BIG,
        ),
    ]


def mp3_estimate_rule() -> Rule:
    """The warning for an MP3 whose bit rate or duration only a decoder knows (VBR)."""
    return make_rule(
        "audio.mp3_estimated",
        W,
        "A variable-bit-rate MP3 has no single bit rate, and without a Xing/VBRI frame count its "
        "duration is estimated from its first 64 KiB: the bit-rate and duration rules cannot be "
        "confirmed without decoding the whole file, as the service does.",
        MKDIR + "ffmpeg -i {src} -b:a 320k {dst}",
        why_not_seeded="a header-less VBR MP3 is built frame by frame in a unit test "
        "(tests/differential/test_vbr_mp3.py), not by the sample writer",
    )


def long_or_only_rules(kind: DataKind) -> list[Rule]:
    rules = [
        *common_rules(kind),
        *voice_name_rules(),
        *audio_format_rules("RIFF WAV (PCM) or MP3", SOX_24K),
        *voice_wav_rules(W),
        make_rule(
            "audio.bitrate_too_low",
            E if kind is DataKind.LONG_AUDIO else W,
            "MP3 audio must have at least 256 kbps."
            + (
                ""
                if kind is DataKind.LONG_AUDIO
                else " (Stated for LongAudio; applied here as a warning.)"
            ),
            "Export {file} again at 256 kbps or more, or as 16-bit WAV.",
        ),
        mp3_estimate_rule(),
        make_rule(
            "dataset.too_many_files",
            E,
            "At most 1,000 audio files per dataset.",
            "Split the audio into several datasets.",
            why_not_seeded=BIG,
        ),
        make_rule(
            "dataset.too_large",
            W,
            "A zip (portal upload) may hold at most 2,048 MB.",
            "Split the data into several training sets.",
            why_not_seeded=BIG,
        ),
        make_rule(
            "dataset.no_audio",
            E,
            "The dataset must contain audio files.",
            "Add the recordings to the folder.",
            why_not_seeded=EXCLUSIVE,
        ),
    ]
    if kind is DataKind.LONG_AUDIO:
        rules = (
            [r for r in rules if r.code != "dataset.no_audio"]
            + script_rules()
            + [
                make_rule(
                    "audio.too_short",
                    E,
                    "Long audio must be longer than 20 s.",
                    "Use AudioAndScript for short utterances, or join the recordings.",
                ),
                make_rule(
                    "audio.shorter_than_recommended",
                    W,
                    "Long audio should be longer than 30 s (the docs say 20 s in one place, "
                    "30 s in another).",
                    "Join {file} with neighbouring recordings.",
                ),
            ]
        )
    return rules


def personal_rules(kind: DataKind) -> list[Rule]:
    prompt = kind is DataKind.PROMPT
    rules = [
        *common_rules(kind),
        *audio_format_rules("WAV (PCM) or MP3", SOX_24K),
        make_rule(
            "audio.bit_depth_unsupported",
            E,
            "WAV audio must be 16, 24 or 32-bit PCM.",
            SOX_24K,
        ),
        make_rule(
            "audio.sample_rate_unsupported",
            E,
            "The sample rate must be 16, 24, 44.1 or 48 kHz.",
            SOX_24K,
        ),
        make_rule(
            "audio.bitrate_unsupported",
            E,
            "MP3 audio must be 128, 192, 256 or 320 kbps.",
            MKDIR + "ffmpeg -i {src} -b:a 192k {dst}",
        ),
        mp3_estimate_rule(),
        make_rule(
            "dataset.no_audio",
            E,
            "The folder must contain the audio file(s).",
            "Add the recording.",
            why_not_seeded=EXCLUSIVE,
        ),
    ]
    if prompt:
        rules += [
            make_rule(
                "audio.too_short",
                E,
                "A prompt must hold 5–90 s of clean speech.",
                "Record a longer sample (50–90 s works best).",
            ),
            make_rule(
                "audio.too_long",
                E,
                "A prompt must hold 5–90 s of clean speech.",
                MKDIR + "sox {src} {dst} trim 0 90",
            ),
            make_rule(
                "audio.file_too_large",
                E,
                "A prompt file may be at most 30 MB (31,457,280 bytes).",
                "Trim or re-encode: " + MKDIR + "sox {src} -b 16 -r 24k -c 1 {dst_wav}",
            ),
        ]
    else:
        rules += [
            make_rule(
                "audio.too_short",
                W,
                "The consent statement takes several seconds to read (chosen minimum: 3 s).",
                "Record the full verbal statement.",
            ),
            make_rule(
                "audio.too_long",
                W,
                "A consent recording is the statement only (chosen maximum: 90 s).",
                "Trim {file} to the statement; when it is in the first 90 s: "
                + MKDIR
                + "sox {src} {dst} trim 0 90",
            ),
        ]
    return rules
