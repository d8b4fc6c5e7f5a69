"""Rules of custom speech datasets: Acoustic, AudioFiles and the text kinds."""

from __future__ import annotations

from collections.abc import Callable

from speechflows.datasets.findings import Rule
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rule_parts import (
    BIG,
    EXCLUSIVE,
    FFMPEG_STT,
    MKDIR,
    SOX_STT,
    E,
    W,
    audio_format_rules,
    common_rules,
    en_us,
    english,
    ja_ko,
    japanese,
    make_rule,
    not_en_us,
    not_english,
)


def stt_audio_rules(kind: DataKind) -> list[Rule]:
    rules = [
        *common_rules(kind),
        *audio_format_rules("RIFF WAV (16-bit PCM, mono, 8 or 16 kHz)", SOX_STT, FFMPEG_STT),
        make_rule(
            "audio.sample_rate_unsupported",
            E,
            "The sample rate must be 8 kHz or 16 kHz.",
            SOX_STT,
        ),
        make_rule("audio.bit_depth_unsupported", E, "Audio must be 16-bit PCM.", SOX_STT),
        make_rule("audio.not_mono", E, "Audio must be mono (one channel).", SOX_STT),
        make_rule(
            "audio.too_long",
            E,
            "An audio file may be at most 2 hours long.",
            "Split {file} into 1-hour parts: "
            + MKDIR
            + "sox {src} {dst_wav} trim 0 3600 : newfile : restart",
        ),
        make_rule(
            "dataset.no_audio",
            E,
            "The dataset must contain WAV files.",
            "Add the recordings.",
            why_not_seeded=EXCLUSIVE,
        ),
        make_rule(
            "dataset.too_many_files",
            E,
            "A dataset zip may hold at most 10,000 files.",
            "Split the data into several datasets.",
            why_not_seeded=BIG,
        ),
        make_rule(
            "dataset.too_large",
            E,
            "A dataset zip may be at most 2 GB.",
            "Split the data into several datasets.",
            why_not_seeded=BIG,
        ),
    ]
    if kind is DataKind.ACOUSTIC:
        rules += [
            make_rule(
                "audio.too_long_for_training",
                W,
                "Training uses at most 40 s per file (30 s for Whisper); longer files "
                "contribute only their text (tests accept up to 2 h).",
                "Split {file} into segments under 30 s with their own transcript lines.",
            ),
            *transcript_rules(),
        ]
    return rules


def transcript_rules() -> list[Rule]:
    return [
        make_rule(
            "dataset.no_transcript",
            E,
            "An Acoustic dataset needs one transcript (.txt/.tsv).",
            "Add trans.txt with `<file.wav><TAB><text>` lines.",
            why_not_seeded=EXCLUSIVE,
        ),
        make_rule(
            "dataset.multiple_transcripts",
            E,
            "An Acoustic dataset has exactly one transcript; the first (by name) is used.",
            "Merge {file} into the first transcript.",
        ),
        make_rule(
            "text.encoding_invalid",
            E,
            "The transcript must be text in UTF-8 (with or without BOM).",
            "Save {file} as UTF-8 with BOM in your editor.",
            why_not_seeded="the one transcript carries the line findings; covered by a unit test",
        ),
        make_rule(
            "text.no_utf8_bom",
            W,
            "The docs ask for UTF-8 with BOM outside en-US; Microsoft's accepted es-ES, it-IT and "
            "pt-BR sample transcripts have none, so the service reads UTF-8 without BOM too.",
            "Save {file} as UTF-8 with BOM in your editor, or run: "
            + MKDIR
            + "printf '\\357\\273\\277' | cat - {src} > {dst}",
            applies=not_en_us,
        ),
        make_rule(
            "transcript.non_ascii",
            W,
            "The docs ask for plain ASCII in en-US transcripts (no smart quotes, dashes or "
            "accents); accepted en-US sample text holds non-ASCII, so the line is kept.",
            "Replace the characters with ASCII (’ → ', — → -, é → e).",
            applies=en_us,
        ),
        make_rule(
            "transcript.line_too_long",
            W,
            "The docs limit ja-JP sentences to 90 characters; Microsoft's accepted ja-JP sample "
            "transcripts hold lines of about 230, so longer lines are kept.",
            "Split the recording and its sentence if recognition of it is poor.",
            applies=japanese,
        ),
        make_rule(
            "transcript.missing_tab",
            E,
            "Each line is `<file.wav><TAB><transcription>`.",
            "Separate the file name and the text with one TAB.",
        ),
        make_rule(
            "transcript.empty_text",
            E,
            "The transcription must not be empty.",
            "Write what is said after the TAB.",
        ),
        make_rule(
            "transcript.duplicate_file",
            E,
            "Each audio file is transcribed once.",
            "Remove the duplicate line.",
        ),
        make_rule(
            "transcript.no_matching_audio",
            E,
            "Each transcript line must name an audio file.",
            "Add the WAV named on the line, or delete the line.",
        ),
        make_rule(
            "audio.no_matching_transcript",
            W,
            "Audio without a transcript line is not used for training.",
            "Add a line for {file} to the transcript.",
        ),
        make_rule(
            "text.repetition",
            W,
            "Lines that repeat a character, word or phrase more than 3 times may be dropped.",
            "Remove the repetitions.",
        ),
    ]


def text_file_rules(
    kind: DataKind, bom_rule: str, bom_applies: Callable[[str], bool] | None, max_size: str
) -> list[Rule]:
    return [
        *common_rules(kind),
        make_rule(
            "dataset.no_files",
            E,
            f"The dataset must contain a {kind.value} file.",
            "Pass the file itself or a folder holding it.",
            why_not_seeded=EXCLUSIVE,
        ),
        make_rule(
            "text.encoding_invalid",
            E,
            "The file must be text in UTF-8 (with or without BOM).",
            "Save {file} as UTF-8 with BOM in your editor.",
        ),
        make_rule(
            "text.no_utf8_bom",
            W,
            bom_rule
            + " (Published data the service accepts has no BOM, so this is a recommendation.)",
            "Save {file} as UTF-8 with BOM in your editor, or run: "
            + MKDIR
            + "printf '\\357\\273\\277' | cat - {src} > {dst}",
            applies=bom_applies,
        ),
        make_rule(
            "file.too_large",
            E,
            f"The file may be at most {max_size}.",
            "Split {file} into several datasets.",
            why_not_seeded="" if kind is DataKind.PRONUNCIATION else BIG,
        ),
        make_rule(
            "dataset.kind_mismatch",
            E,
            f"A {kind.value} dataset is text only; a script of `<id><TAB><text>` lines naming "
            "the audio files beside it is the transcript of an audio dataset, not "
            f"{kind.value} data.",
            "For audio with its script use --kind AudioAndScript (professional voice) or "
            "--kind Acoustic (custom speech); for "
            f"{kind.value} data give a file of plain sentences without the audio",
            why_not_seeded=EXCLUSIVE,
        ),
    ]


def language_rules() -> list[Rule]:
    return [
        *text_file_rules(
            DataKind.LANGUAGE,
            "Plain text must be UTF-8 with BOM.",
            None,
            "1.5 GB (S0; the docs also say 200 MB)",
        ),
        make_rule(
            "file.larger_than_recommended",
            W,
            "The docs limit plain text to 200 MB (the quotas page allows 1.5 GB on S0).",
            "Split {file} into files under 200 MB.",
            why_not_seeded=BIG,
        ),
        make_rule(
            "language.uri",
            E,
            "Lines containing URIs are rejected.",
            "Remove the URI or write it as spoken words.",
        ),
        make_rule(
            "text.char_out_of_range",
            W,
            "Avoid characters above U+00A1 (checked for English locales only).",
            "Replace the characters or write them out as words.",
            applies=english,
        ),
        make_rule(
            "text.repetition",
            W,
            "Lines that repeat a character, word or phrase more than 3 times may be dropped.",
            "Remove the repetitions.",
        ),
        make_rule(
            "language.too_many_lines",
            W,
            "ja-JP and ko-KR: at most 20,000 lines per file advised.",
            "Split {file} into several files.",
            applies=ja_ko,
        ),
    ]


def pronunciation_rules() -> list[Rule]:
    return [
        *text_file_rules(
            DataKind.PRONUNCIATION,
            "Pronunciation files must be UTF-8 with BOM (ANSI is fine for English).",
            not_english,
            "1 MB (1 KB on F0)",
        ),
        make_rule(
            "pronunciation.missing_tab",
            E,
            "Each line is `<display form><TAB><spoken form>`.",
            "Separate the display and spoken forms with one TAB.",
        ),
        make_rule(
            "pronunciation.empty_field",
            E,
            "Neither the display nor the spoken form may be empty.",
            "Fill in both forms.",
        ),
        make_rule(
            "pronunciation.extra_tab",
            W,
            "A line has exactly two fields; the docs do not say what happens to a third "
            "(chosen: warning).",
            "Remove the extra TAB and text.",
        ),
    ]


def markdown_rules() -> list[Rule]:
    return [
        *text_file_rules(
            DataKind.LANGUAGE_MARKDOWN, "Structured text must be UTF-8 with BOM.", None, "200 MB"
        ),
        make_rule(
            "markdown.unexpected_line",
            W,
            "Lines are `@ list name =`, `@ speech:phoneticlexicon`, `#section`, `- item` or "
            "`// comment`; other lines are ignored (chosen: warning).",
            "Turn the line into a `- ` item under a #section, or comment it out with //.",
        ),
        make_rule(
            "markdown.undefined_list",
            W,
            "A `{@name}` reference needs an `@ list name =` block; the docs do not say the file "
            "is rejected without one (chosen: warning).",
            "Define the list or fix the name.",
        ),
        make_rule("markdown.too_many_lists", E, "At most 20 lists per file.", "Merge lists."),
        make_rule(
            "markdown.many_lists",
            W,
            "At most 10 lists in one place of the docs, 20 in another (chosen: warn above 10).",
            "Merge lists if the upload is rejected.",
        ),
        make_rule("markdown.list_too_long", E, "At most 35,000 items per list.", "Split the list."),
        make_rule(
            "markdown.lexicon_too_large",
            E,
            "At most 15,000 phonetic lexicon entries.",
            "Remove rarely used entries.",
        ),
        make_rule(
            "markdown.lexicon_entry_invalid",
            W,
            "A lexicon entry is `- word/pronunciation` (both parts non-empty); the docs do not "
            "say what happens to another line (chosen: warning, the entry is not counted).",
            "Write the entry as `- word/p r o n`.",
        ),
        make_rule(
            "markdown.too_many_pronunciations",
            E,
            "At most 2 pronunciations per word.",
            "Keep the two most common pronunciations.",
        ),
    ]


def formatting_rules() -> list[Rule]:
    return [
        *text_file_rules(
            DataKind.OUTPUT_FORMATTING,
            "Output formatting files must be UTF-8 with BOM.",
            None,
            "10 MB",
        ),
        make_rule(
            "formatting.unknown_section",
            W,
            "Sections are # itn, # rewrite, # profanity and # test (with or without the space); "
            "the docs do not say what happens to another section (chosen: warning, its lines "
            "are left out).",
            "Rename the section to one of itn, rewrite, profanity, test, or remove it.",
        ),
        make_rule(
            "formatting.line_outside_section",
            W,
            "Rule lines belong to a section; the docs do not say what happens to a line before "
            "the first header (chosen: warning). Comments start with //.",
            "Put a section header (# itn, # rewrite, # profanity, # test) above the line, or "
            "start it with // to make it a comment.",
        ),
        make_rule(
            "formatting.section_too_long",
            W,
            "The docs allow at most 200 # itn lines and 1,000 # rewrite or # profanity lines; "
            "they do not say the file is rejected beyond that (chosen: warning).",
            "Remove rules from the section.",
        ),
        make_rule(
            "formatting.missing_tab",
            E,
            "# rewrite and # test lines are `<from><TAB><to>` pairs.",
            "Separate the two forms with one TAB.",
        ),
        make_rule(
            "formatting.pattern_invalid",
            W,
            "An # itn line is one pattern with balanced {} and [] (the pattern language is not "
            "documented beyond the samples, so only that much is checked; chosen: warning).",
            "Close every { and [ on the line (escape a literal one as \\{ or \\[).",
        ),
    ]
