"""The rule catalogue: every finding code each data kind can produce, with its rule and fix.

Sources: ``reference/azure-speech.md`` §4 (Learn: custom voice training data, personal voice,
custom speech datasets). Where the docs are ambiguous, the choice is written in the rule text
and the rule is a warning.

>>> rules_for("Acoustic")["audio.not_mono"].severity
<Severity.ERROR: 'error'>
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType

from speechflows.datasets.findings import Rule, Severity
from speechflows.datasets.kinds import KIND_EXTENSIONS, DataKind

E = Severity.ERROR
W = Severity.WARNING
_BIG = "needs gigabytes or thousands of files; covered by a unit test with a lowered limit"
_EXCLUSIVE = "excludes the other findings of the kind; covered by a unit test"
_SOX_24K = "sox {file} -b 16 -e signed-integer -r 24k fixed/{file}"
_SOX_STT = "sox {file} -b 16 -e signed-integer -c 1 -r 16k -t wav fixed/{file}"
_FFMPEG = "ffmpeg -i {file} -c:a pcm_s16le -ar 24000 fixed/{file}.wav"


def _en_us(locale: str) -> bool:
    return locale.lower() == "en-us"


def _not_en_us(locale: str) -> bool:
    return locale.lower() != "en-us"


def _english(locale: str) -> bool:
    return locale.lower().startswith("en")


def _not_english(locale: str) -> bool:
    return not locale.lower().startswith("en")


def _ansi_accepted(locale: str) -> bool:
    return locale.lower() != "zh-cn"


def _japanese(locale: str) -> bool:
    return locale.lower() == "ja-jp"


def _ja_ko(locale: str) -> bool:
    return locale.lower()[:2] in ("ja", "ko")


def _r(
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


def _common(kind: DataKind) -> list[Rule]:
    exts = ", ".join(sorted(KIND_EXTENSIONS[kind]))
    return [
        _r(
            "dataset.not_found",
            E,
            "The path to validate must exist.",
            "Pass an existing folder, file or .zip.",
            why_not_seeded=_EXCLUSIVE,
        ),
        _r(
            "zip.invalid",
            E,
            "A .zip must be a readable ZIP archive.",
            "Re-create the archive (speechflows build_zip or `zip -r`).",
            why_not_seeded=_EXCLUSIVE,
        ),
        _r("file.empty", E, "A file must not be empty.", "Export {file} again or remove it."),
        _r(
            "file.unreadable",
            E,
            "Every file must be readable.",
            "Check the permissions of {file} and copy it again.",
            why_not_seeded="needs an I/O or permission failure; covered by a unit test",
        ),
        _r(
            "file.unsupported_type",
            W,
            f"{kind.value} datasets are made of {exts} files; other files are left out.",
            "Convert {file} to a supported format, or move it out of the dataset folder.",
        ),
    ]


def _audio_format(containers: str, fix: str) -> list[Rule]:
    return [
        _r(
            "audio.unrecognized",
            E,
            f"Audio files must be {containers}; this content is not audio (renamed or corrupt?).",
            "Replace {file} with the real recording, exported as " + containers + ".",
        ),
        _r(
            "audio.wrong_container",
            E,
            f"The content must match the file extension and be {containers}.",
            "Convert it from its real format: " + _FFMPEG + ".",
        ),
        _r(
            "audio.malformed",
            E,
            "A WAV file needs a valid RIFF/WAVE header with a fmt chunk and a data chunk.",
            "Export {file} again from the original recording.",
        ),
        _r(
            "audio.truncated",
            E,
            "The audio must be complete: its header declares more data than the file holds.",
            "Copy {file} again from the source (the copy was cut short) or export it again.",
        ),
        _r(
            "audio.no_samples",
            E,
            "An audio file must contain audio samples (duration > 0).",
            "Record {file} again or remove it.",
        ),
        _r("audio.not_pcm", E, "WAV audio must be uncompressed integer PCM.", fix + "."),
    ]


def _voice_names() -> list[Rule]:
    return [
        _r(
            "file.name_invalid",
            E,
            'File names must be Windows-legal: no \\ / : * ? " < > | or control characters, '
            "no leading or trailing space, no leading dot.",
            "Rename {file}, e.g. to its numeric utterance id: 0000000001.wav.",
        ),
        _r(
            "file.duplicate_name",
            E,
            "File names must be unique in the dataset, ignoring case and subfolders.",
            "Rename or remove the duplicate {file}.",
        ),
    ]


def _voice_wav(min_rate_severity: Severity) -> list[Rule]:
    return [
        _r(
            "audio.bit_depth_too_low",
            E,
            "WAV audio must be PCM with at least 16 bits per sample.",
            "Record again at 16-bit or more; to pass the check: " + _SOX_24K + ".",
        ),
        _r(
            "audio.sample_rate_too_low",
            min_rate_severity,
            "Audio below 16 kHz is rejected."
            + (
                ""
                if min_rate_severity is E
                else " (Stated for AudioAndScript; applied here as a warning.)"
            ),
            "Record again at 24 kHz or more; `sox {file} -r 24k fixed/{file}` only upsamples.",
        ),
    ]


def _scripts_common() -> list[Rule]:
    return [
        _r(
            "text.encoding_invalid",
            E,
            "Scripts must be text in ANSI, UTF-8 (with or without BOM) or UTF-16 LE/BE "
            "(zh-CN: not ANSI/ASCII).",
            "Save {file} as UTF-8 with BOM in your editor, or: iconv -t UTF-8 {file} > fixed.txt.",
        ),
        _r(
            "text.ansi_encoding",
            W,
            "The file is not UTF-8/UTF-16, so it was read as ANSI (Windows-1252); other code "
            "pages would garble it.",
            "Save {file} as UTF-8 with BOM: iconv -f WINDOWS-1252 -t UTF-8 {file} > fixed.txt.",
            applies=_ansi_accepted,
        ),
        _r(
            "audio.no_matching_script",
            E,
            "Every audio file needs a script entry with the same base name.",
            "Add a script entry for {file}, or remove the file.",
        ),
        _r(
            "script.no_matching_audio",
            E,
            "Every script entry needs an audio file with the same base name.",
            "Add the audio file for this entry, or delete the entry.",
        ),
        _r(
            "script.empty",
            E,
            "A script file must contain entries, not only blank lines.",
            "Fill {file} with entries, or remove it.",
        ),
        _r(
            "dataset.no_audio",
            E,
            "The dataset must contain audio files.",
            "Add the recordings to the folder.",
            why_not_seeded=_EXCLUSIVE,
        ),
    ]


def _audio_and_script() -> list[Rule]:
    return [
        *_common(DataKind.AUDIO_AND_SCRIPT),
        *_voice_names(),
        *_audio_format("RIFF WAV (PCM)", _SOX_24K),
        *_voice_wav(E),
        *_scripts_common(),
        _r(
            "audio.sample_rate_below_recommended",
            W,
            "24 kHz or more is recommended; 16–24 kHz audio is upsampled to 24 kHz.",
            "Record at 24 kHz or more if you can.",
        ),
        _r(
            "audio.not_mono",
            W,
            "Use mono recordings. (The docs do not state it for professional voice; "
            "chosen as a warning.)",
            "sox {file} -c 1 fixed/{file}",
        ),
        _r(
            "audio.too_long",
            E,
            "An utterance longer than 30 s is rejected.",
            "Split {file} into utterances under 15 s, each with its own script line.",
        ),
        _r(
            "audio.long_utterance",
            W,
            "Utterances shorter than 15 s are advised.",
            "Split {file} into shorter utterances if it holds several sentences.",
        ),
        _r(
            "script.missing_tab",
            E,
            "Each script line is `<numeric id><TAB><text>`.",
            "Separate the id and the text with one TAB character.",
        ),
        _r(
            "script.id_not_numeric",
            E,
            "The utterance id must be numeric and equal the WAV base name (0000000001).",
            "Use digits only for the id and rename the WAV to match.",
        ),
        _r(
            "script.empty_text",
            E,
            "The text after the TAB must not be empty.",
            "Write the words spoken in the recording after the TAB.",
        ),
        _r(
            "script.line_too_long",
            E,
            "A script line must not exceed 1,000 characters (a line of exactly 1,000 is kept).",
            "Split the recording and its text into shorter utterances.",
        ),
        _r(
            "script.duplicate_id",
            E,
            "Utterance ids must be unique across all scripts.",
            "Remove the duplicate line or give it its own id and WAV.",
        ),
        _r(
            "script.duplicate_text",
            W,
            "Duplicate sentences under different ids add nothing (docs: no duplicate lines).",
            "Remove one of the duplicates or record a different sentence.",
        ),
        _r(
            "script.missing_end_punctuation",
            W,
            "Sentences should end with punctuation.",
            "End the text with . ? or !",
        ),
        _r(
            "script.unnormalized_text",
            W,
            "Digits and symbols are normalized by the service; write them as spoken words.",
            'Spell numbers and symbols out as they are spoken ("42" → "forty-two").',
        ),
        _r(
            "script.few_questions",
            W,
            "At least 10% of the sentences should be questions (checked from 10 utterances on).",
            "Record more questions.",
        ),
        _r(
            "script.few_exclamations",
            W,
            "At least 10% of the sentences should be exclamations (checked from 10 utterances on).",
            "Record more exclamations.",
        ),
        _r(
            "dataset.no_script",
            E,
            "The dataset must contain a script (.txt).",
            "Add a script with one `<id><TAB><text>` line per WAV.",
            why_not_seeded=_EXCLUSIVE,
        ),
        _r(
            "dataset.too_few_utterances",
            W,
            "The training recipe needs a minimum number of utterances (typically 300).",
            "Record more utterances before training.",
        ),
        _r(
            "dataset.too_large",
            W,
            "A zip (portal upload) may hold at most 2,048 MB.",
            "Split the data into several training sets.",
            why_not_seeded=_BIG,
        ),
    ]


def _long_or_only(kind: DataKind) -> list[Rule]:
    rules = [
        *_common(kind),
        *_voice_names(),
        *_audio_format("RIFF WAV (PCM) or MP3", _SOX_24K),
        *_voice_wav(W),
        _r(
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
        _r(
            "dataset.too_many_files",
            E,
            "At most 1,000 audio files per dataset.",
            "Split the audio into several datasets.",
            why_not_seeded=_BIG,
        ),
        _r(
            "dataset.too_large",
            W,
            "A zip (portal upload) may hold at most 2,048 MB.",
            "Split the data into several training sets.",
            why_not_seeded=_BIG,
        ),
        _r(
            "dataset.no_audio",
            E,
            "The dataset must contain audio files.",
            "Add the recordings to the folder.",
            why_not_seeded=_EXCLUSIVE,
        ),
    ]
    if kind is DataKind.LONG_AUDIO:
        rules = (
            [r for r in rules if r.code != "dataset.no_audio"]
            + _scripts_common()
            + [
                _r(
                    "audio.too_short",
                    E,
                    "Long audio must be longer than 20 s.",
                    "Use AudioAndScript for short utterances, or join the recordings.",
                ),
                _r(
                    "audio.shorter_than_recommended",
                    W,
                    "Long audio should be longer than 30 s (the docs say 20 s in one place, "
                    "30 s in another).",
                    "Join {file} with neighbouring recordings.",
                ),
            ]
        )
    return rules


def _personal(kind: DataKind) -> list[Rule]:
    prompt = kind is DataKind.PROMPT
    rules = [
        *_common(kind),
        *_audio_format("WAV (PCM) or MP3", _SOX_24K),
        _r(
            "audio.bit_depth_unsupported",
            E,
            "WAV audio must be 16, 24 or 32-bit PCM.",
            _SOX_24K + ".",
        ),
        _r(
            "audio.sample_rate_unsupported",
            E,
            "The sample rate must be 16, 24, 44.1 or 48 kHz.",
            _SOX_24K + ".",
        ),
        _r(
            "audio.bitrate_unsupported",
            E,
            "MP3 audio must be 128, 192, 256 or 320 kbps.",
            "ffmpeg -i {file} -b:a 192k fixed/{file}",
        ),
        _r(
            "dataset.no_audio",
            E,
            "The folder must contain the audio file(s).",
            "Add the recording.",
            why_not_seeded=_EXCLUSIVE,
        ),
    ]
    if prompt:
        rules += [
            _r(
                "audio.too_short",
                E,
                "A prompt must hold 5–90 s of clean speech.",
                "Record a longer sample (50–90 s works best).",
            ),
            _r(
                "audio.too_long",
                E,
                "A prompt must hold 5–90 s of clean speech.",
                "sox {file} fixed/{file} trim 0 90",
            ),
            _r(
                "audio.file_too_large",
                E,
                "A prompt file may be at most 30 MB.",
                "Trim or re-encode: sox {file} -b 16 -r 24k -c 1 fixed/{file}",
            ),
        ]
    else:
        rules += [
            _r(
                "audio.too_short",
                W,
                "The consent statement takes several seconds to read (chosen minimum: 3 s).",
                "Record the full verbal statement.",
            ),
            _r(
                "audio.too_long",
                W,
                "A consent recording is the statement only (chosen maximum: 90 s).",
                "Trim {file} to the statement: sox {file} fixed/{file} trim <start> <length>",
            ),
        ]
    return rules


def _stt_audio(kind: DataKind) -> list[Rule]:
    rules = [
        *_common(kind),
        *_audio_format("RIFF WAV (16-bit PCM, mono, 8 or 16 kHz)", _SOX_STT),
        _r(
            "audio.sample_rate_unsupported",
            E,
            "The sample rate must be 8 kHz or 16 kHz.",
            _SOX_STT + ".",
        ),
        _r("audio.bit_depth_unsupported", E, "Audio must be 16-bit PCM.", _SOX_STT + "."),
        _r("audio.not_mono", E, "Audio must be mono (one channel).", _SOX_STT + "."),
        _r(
            "audio.too_long",
            E,
            "An audio file may be at most 2 hours long.",
            "Split {file}: sox {file} fixed/part.wav trim 0 3600 : newfile : restart",
        ),
        _r(
            "dataset.no_audio",
            E,
            "The dataset must contain WAV files.",
            "Add the recordings.",
            why_not_seeded=_EXCLUSIVE,
        ),
        _r(
            "dataset.too_many_files",
            E,
            "A dataset zip may hold at most 10,000 files.",
            "Split the data into several datasets.",
            why_not_seeded=_BIG,
        ),
        _r(
            "dataset.too_large",
            E,
            "A dataset zip may be at most 2 GB.",
            "Split the data into several datasets.",
            why_not_seeded=_BIG,
        ),
    ]
    if kind is DataKind.ACOUSTIC:
        rules += [
            _r(
                "audio.too_long_for_training",
                W,
                "Training uses at most 40 s per file (30 s for Whisper); longer files "
                "contribute only their text (tests accept up to 2 h).",
                "Split {file} into segments under 30 s with their own transcript lines.",
            ),
            *_transcript_rules(),
        ]
    return rules


def _transcript_rules() -> list[Rule]:
    return [
        _r(
            "dataset.no_transcript",
            E,
            "An Acoustic dataset needs one transcript (.txt/.tsv).",
            "Add trans.txt with `<file.wav><TAB><text>` lines.",
            why_not_seeded=_EXCLUSIVE,
        ),
        _r(
            "dataset.multiple_transcripts",
            E,
            "An Acoustic dataset has exactly one transcript; the first (by name) is used.",
            "Merge {file} into the first transcript.",
        ),
        _r(
            "text.encoding_invalid",
            E,
            "The transcript must be valid UTF-8 text.",
            "Save {file} as UTF-8 with BOM.",
            why_not_seeded="the one transcript carries the line findings; covered by a unit test",
        ),
        _r(
            "text.no_utf8_bom",
            E,
            "Transcripts in locales other than en-US must be UTF-8 with BOM.",
            "Save {file} as 'UTF-8 with BOM' (printf '\\xEF\\xBB\\xBF' | cat - {file} > fixed.txt).",
            applies=_not_en_us,
        ),
        _r(
            "transcript.non_ascii",
            E,
            "en-US transcripts must be plain ASCII (no smart quotes, dashes or accents).",
            "Replace the characters with ASCII (’ → ', — → -, é → e).",
            applies=_en_us,
        ),
        _r(
            "transcript.line_too_long",
            E,
            "ja-JP sentences may be at most 90 characters.",
            "Split the recording and its sentence.",
            applies=_japanese,
        ),
        _r(
            "transcript.missing_tab",
            E,
            "Each line is `<file.wav><TAB><transcription>`.",
            "Separate the file name and the text with one TAB.",
        ),
        _r(
            "transcript.empty_text",
            E,
            "The transcription must not be empty.",
            "Write what is said after the TAB.",
        ),
        _r(
            "transcript.duplicate_file",
            E,
            "Each audio file is transcribed once.",
            "Remove the duplicate line.",
        ),
        _r(
            "transcript.no_matching_audio",
            E,
            "Each transcript line must name an audio file.",
            "Add the WAV named on the line, or delete the line.",
        ),
        _r(
            "audio.no_matching_transcript",
            W,
            "Audio without a transcript line is not used for training.",
            "Add a line for {file} to the transcript.",
        ),
        _r(
            "text.repetition",
            W,
            "Lines that repeat a character, word or phrase more than 3 times may be dropped.",
            "Remove the repetitions.",
        ),
    ]


def _text_file(
    kind: DataKind, bom_rule: str, bom_applies: Callable[[str], bool] | None, max_size: str
) -> list[Rule]:
    return [
        *_common(kind),
        _r(
            "dataset.no_files",
            E,
            f"The dataset must contain a {kind.value} file.",
            "Pass the file itself or a folder holding it.",
            why_not_seeded=_EXCLUSIVE,
        ),
        _r(
            "text.encoding_invalid",
            E,
            "The file must be valid UTF-8 text.",
            "Save {file} as UTF-8 with BOM.",
        ),
        _r(
            "text.no_utf8_bom",
            E,
            bom_rule,
            "Save {file} as 'UTF-8 with BOM' (printf '\\xEF\\xBB\\xBF' | cat - {file} > fixed).",
            applies=bom_applies,
        ),
        _r(
            "file.too_large",
            E,
            f"The file may be at most {max_size}.",
            "Split {file} into several datasets.",
            why_not_seeded="" if kind is DataKind.PRONUNCIATION else _BIG,
        ),
    ]


def _language() -> list[Rule]:
    return [
        *_text_file(
            DataKind.LANGUAGE,
            "Plain text must be UTF-8 with BOM.",
            None,
            "1.5 GB (S0; the docs also say 200 MB)",
        ),
        _r(
            "file.larger_than_recommended",
            W,
            "The docs limit plain text to 200 MB (the quotas page allows 1.5 GB on S0).",
            "Split {file} into files under 200 MB.",
            why_not_seeded=_BIG,
        ),
        _r(
            "language.uri",
            E,
            "Lines containing URIs are rejected.",
            "Remove the URI or write it as spoken words.",
        ),
        _r(
            "text.char_out_of_range",
            W,
            "Avoid characters above U+00A1 (checked for English locales only).",
            "Replace the characters or write them out as words.",
            applies=_english,
        ),
        _r(
            "text.repetition",
            W,
            "Lines that repeat a character, word or phrase more than 3 times may be dropped.",
            "Remove the repetitions.",
        ),
        _r(
            "language.too_many_lines",
            W,
            "ja-JP and ko-KR: at most 20,000 lines per file advised.",
            "Split {file} into several files.",
            applies=_ja_ko,
        ),
    ]


def _pronunciation() -> list[Rule]:
    return [
        *_text_file(
            DataKind.PRONUNCIATION,
            "Pronunciation files must be UTF-8 with BOM (ANSI is fine for English).",
            _not_english,
            "1 MB (1 KB on F0)",
        ),
        _r(
            "pronunciation.missing_tab",
            E,
            "Each line is `<display form><TAB><spoken form>`.",
            "Separate the display and spoken forms with one TAB.",
        ),
        _r(
            "pronunciation.empty_field",
            E,
            "Neither the display nor the spoken form may be empty.",
            "Fill in both forms.",
        ),
        _r(
            "pronunciation.extra_tab",
            W,
            "A line has exactly two fields; the docs do not say what happens to a third "
            "(chosen: warning).",
            "Remove the extra TAB and text.",
        ),
    ]


def _markdown() -> list[Rule]:
    return [
        *_text_file(
            DataKind.LANGUAGE_MARKDOWN, "Structured text must be UTF-8 with BOM.", None, "200 MB"
        ),
        _r(
            "markdown.unexpected_line",
            W,
            "Lines are `@ list name =`, `@ speech:phoneticlexicon`, `#section`, `- item` or "
            "`// comment`; other lines are ignored (chosen: warning).",
            "Turn the line into a `- ` item under a #section, or comment it out with //.",
        ),
        _r(
            "markdown.undefined_list",
            E,
            "A `{@name}` reference needs an `@ list name =` block.",
            "Define the list or fix the name.",
        ),
        _r("markdown.too_many_lists", E, "At most 20 lists per file.", "Merge lists."),
        _r(
            "markdown.many_lists",
            W,
            "At most 10 lists in one place of the docs, 20 in another (chosen: warn above 10).",
            "Merge lists if the upload is rejected.",
        ),
        _r("markdown.list_too_long", E, "At most 35,000 items per list.", "Split the list."),
        _r(
            "markdown.lexicon_too_large",
            E,
            "At most 15,000 phonetic lexicon entries.",
            "Remove rarely used entries.",
        ),
        _r(
            "markdown.lexicon_entry_invalid",
            E,
            "A lexicon entry is `- word/pronunciation` (both parts non-empty).",
            "Write the entry as `- word/p r o n`.",
        ),
        _r(
            "markdown.too_many_pronunciations",
            E,
            "At most 2 pronunciations per word.",
            "Keep the two most common pronunciations.",
        ),
    ]


def _formatting() -> list[Rule]:
    return [
        *_text_file(
            DataKind.OUTPUT_FORMATTING,
            "Output formatting files must be UTF-8 with BOM.",
            None,
            "10 MB",
        ),
        _r(
            "formatting.unknown_section",
            E,
            "Sections are #itn, #rewrite, #profanity and #test.",
            "Rename or remove the section.",
        ),
        _r(
            "formatting.line_outside_section",
            E,
            "Every rule line belongs to a section.",
            "Put a section header (#itn, #rewrite, #profanity, #test) above the line.",
        ),
        _r(
            "formatting.section_too_long",
            E,
            "#itn holds at most 200 lines; #rewrite and #profanity at most 1,000.",
            "Remove rules from the section.",
        ),
        _r(
            "formatting.missing_tab",
            E,
            "#rewrite and #test lines are `<from><TAB><to>`.",
            "Separate the two forms with one TAB.",
        ),
    ]


_BUILDERS: dict[DataKind, Callable[[], list[Rule]]] = {
    DataKind.AUDIO_AND_SCRIPT: _audio_and_script,
    DataKind.LONG_AUDIO: lambda: _long_or_only(DataKind.LONG_AUDIO),
    DataKind.AUDIO_ONLY: lambda: _long_or_only(DataKind.AUDIO_ONLY),
    DataKind.ACOUSTIC: lambda: _stt_audio(DataKind.ACOUSTIC),
    DataKind.AUDIO_FILES: lambda: _stt_audio(DataKind.AUDIO_FILES),
    DataKind.LANGUAGE: _language,
    DataKind.PRONUNCIATION: _pronunciation,
    DataKind.LANGUAGE_MARKDOWN: _markdown,
    DataKind.OUTPUT_FORMATTING: _formatting,
    DataKind.CONSENT: lambda: _personal(DataKind.CONSENT),
    DataKind.PROMPT: lambda: _personal(DataKind.PROMPT),
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
