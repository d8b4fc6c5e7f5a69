"""The per-utterance audio report: one row per file (worst first), its findings, a summary.

:func:`analyse` measures the audio files of a dataset (:mod:`~speechflows.datasets.audio_analysis`),
puts each utterance's script text beside it (AudioAndScript lines, LongAudio transcripts, the
Acoustic transcript) and judges it against its kind's thresholds. The report renders as table
rows (a Prefect table artifact), CSV, JSON and a markdown summary: median / p5 / p95 of SNR,
speech level and duration, and the worst ten utterances.

>>> report = analyse("recordings/", "AudioAndScript")   # doctest: +SKIP
>>> report.summary()["snr_db"]                          # doctest: +SKIP
{'median': 41.2, 'p5': 24.9, 'p95': 52.3}
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from speechflows.datasets.audio_analysis import (
    PROFILES,
    READ_ERRORS,
    UtteranceMetrics,
    findings_for,
    measure_dataset,
)
from speechflows.datasets.findings import Finding
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.sources import Source, base_name, open_source, stem, suffix

TEXT_CHARS = 300  # script text kept per utterance (a LongAudio transcript is cut there)
WORST = 10
COLUMNS = (
    "file",
    "findings",
    "snr_db",
    "speech_dbfs",
    "rms_dbfs",
    "peak_dbfs",
    "noise_dbfs",
    "duration_s",
    "clipped_pct",
    "leading_silence_s",
    "trailing_silence_s",
    "dc_offset_pct",
    "text",
    "note",
)


@dataclass(frozen=True, slots=True)
class UtteranceRow:
    """One utterance: its metrics, its script text and the codes of its findings."""

    metrics: UtteranceMetrics
    text: str = ""
    codes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The row as the CSV/JSON/table columns (:data:`COLUMNS`)."""
        m = self.metrics
        return {
            "file": m.file,
            "findings": ", ".join(self.codes),
            "snr_db": m.snr_db,
            "speech_dbfs": m.speech_dbfs,
            "rms_dbfs": m.rms_dbfs,
            "peak_dbfs": m.peak_dbfs,
            "noise_dbfs": m.noise_dbfs,
            "duration_s": m.duration_s,
            "clipped_pct": round(100 * m.clipped_ratio, 4),
            "leading_silence_s": m.leading_silence_s,
            "trailing_silence_s": m.trailing_silence_s,
            "dc_offset_pct": round(100 * m.dc_offset, 3),
            "text": self.text,
            "note": m.note,
        }


def _badness(row: UtteranceRow) -> tuple[int, float, str]:
    snr = row.metrics.snr_db
    return (-len(row.codes), snr if snr is not None else math.inf, row.metrics.file)


def _stats(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)

    def at(q: float) -> float:  # linear interpolation, like numpy's default percentile
        pos = q * (len(ordered) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(ordered) - 1)
        return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 2)

    return {"median": at(0.5), "p5": at(0.05), "p95": at(0.95)}


@dataclass
class AudioReport:
    """What the audio analysis found in one dataset.

    Attributes:
        kind: the data kind whose thresholds were applied.
        rows: one per audio file, worst first (most findings, then lowest SNR).
        findings: every warning, in the order of ``rows``.
    """

    kind: DataKind
    rows: list[UtteranceRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def analysed(self) -> list[UtteranceMetrics]:
        return [r.metrics for r in self.rows if r.metrics.analysed]

    def counts_by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in self.findings).items()))

    def summary(self) -> dict[str, Any]:
        """Counts and the distribution (median / p5 / p95) of SNR, speech level and duration."""
        done = self.analysed
        return {
            "kind": self.kind.value,
            "files": len(self.rows),
            "analysed": len(done),
            "not_analysed": len(self.rows) - len(done),
            "with_findings": sum(1 for r in self.rows if r.codes),
            "warning_count": len(self.findings),
            "counts_by_code": self.counts_by_code(),
            "snr_db": _stats([m.snr_db for m in done if m.snr_db is not None]),
            "speech_dbfs": _stats([m.speech_dbfs for m in done if m.speech_dbfs is not None]),
            "duration_s": _stats([m.duration_s for m in done]),
            "audio_s": round(sum(m.duration_s for m in done), 3),
        }

    def table_rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The rows as dicts, worst first (at most ``limit``)."""
        rows = self.rows if limit is None else self.rows[:limit]
        return [r.as_dict() for r in rows]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.table_rows())
        return out.getvalue()

    def to_json(self, *, indent: int | None = 2) -> str:
        doc = {
            **self.summary(),
            "utterances": self.table_rows(),
            "findings": [asdict(f) | {"severity": f.severity.value} for f in self.findings],
        }
        return json.dumps(doc, indent=indent, ensure_ascii=False)

    def to_markdown(self, *, worst: int = WORST) -> str:
        """The summary: counts, the distribution table and the ``worst`` worst utterances."""
        s = self.summary()
        lines = [
            f"## Audio analysis ({s['kind']})",
            "",
            f"{s['analysed']} of {s['files']} files analysed ({s['audio_s']:.1f} s of audio); "
            f"{s['with_findings']} with warnings, {s['warning_count']} warnings"
            + (
                ": " + ", ".join(f"{c} x{n}" for c, n in s["counts_by_code"].items())
                if s["counts_by_code"]
                else ""
            )
            + ".",
        ]
        if s["not_analysed"]:
            notes = Counter(r.metrics.note for r in self.rows if not r.metrics.analysed)
            lines.append(
                "Not analysed: " + "; ".join(f"{n} x{c}" for n, c in notes.most_common()) + "."
            )
        lines += ["", "| | median | p5 | p95 |", "|---|---|---|---|"]
        for label, key in (
            ("SNR (dB)", "snr_db"),
            ("speech level (dBFS)", "speech_dbfs"),
            ("duration (s)", "duration_s"),
        ):
            st = s[key]
            cells = [st["median"], st["p5"], st["p95"]] if st else ["-", "-", "-"]
            lines.append(f"| {label} | " + " | ".join(str(c) for c in cells) + " |")
        shown = [r for r in self.rows[:worst] if r.codes]
        if shown:
            lines += [
                "",
                f"Worst {len(shown)}:",
                "",
                "| file | findings | SNR (dB) | speech (dBFS) | peak (dBFS) | text |",
                "|---|---|---|---|---|---|",
            ]
            for r in shown:
                m = r.metrics
                text = r.text[:80].replace("|", "\\|")
                lines.append(
                    f"| {m.file} | {', '.join(r.codes)} | {m.snr_db} | {m.speech_dbfs} | "
                    f"{m.peak_dbfs} | {text} |"
                )
        return "\n".join(lines)

    def write(self, folder: Path, stem_name: str = "audio-report") -> tuple[Path, Path]:
        """Write ``<stem_name>.csv`` and ``<stem_name>.json`` into ``folder`` (created)."""
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, json_path = folder / f"{stem_name}.csv", folder / f"{stem_name}.json"
        csv_path.write_text(self.to_csv(), encoding="utf-8")
        json_path.write_text(self.to_json(), encoding="utf-8")
        return csv_path, json_path


def _decode_text(raw: bytes) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_text(src: Source, name: str) -> str:
    try:
        with src.open(name) as f:
            return _decode_text(f.read(64 << 20))
    except READ_ERRORS:
        return ""  # the validator reports unreadable scripts; here the text is only shown


def script_texts(src: Source, kind: DataKind, audio: Sequence[str]) -> dict[str, str]:
    """The script text of each audio file of ``audio`` that has one (leniently read: display only).

    AudioAndScript: ``<id>\\t<text>`` lines of every .txt, matched by base name; LongAudio: the
    transcript of the same base name; Acoustic: ``<file.wav>\\t<text>`` lines of the transcript.
    """
    texts = [n for n in src.names() if suffix(n) in (".txt", ".tsv")]
    out: dict[str, str] = {}
    if kind is DataKind.LONG_AUDIO:
        by_stem = {stem(n): n for n in texts}
        for name in audio:
            if stem(name) in by_stem:
                out[name] = " ".join(_read_text(src, by_stem[stem(name)]).split())[:TEXT_CHARS]
        return out
    if kind not in (DataKind.AUDIO_AND_SCRIPT, DataKind.ACOUSTIC):
        return out
    lines: dict[str, str] = {}
    for name in texts:
        for line in _read_text(src, name).splitlines():
            key, tab, text = line.partition("\t")
            if tab:
                lines.setdefault(key.strip(), text.strip()[:TEXT_CHARS])
    for name in audio:
        key = stem(name) if kind is DataKind.AUDIO_AND_SCRIPT else base_name(name)
        if key in lines:
            out[name] = lines[key]
    return out


def _size(src: Source, name: str) -> int:
    try:
        return src.size(name)
    except (*READ_ERRORS, KeyError):
        return 0  # measuring will say what is wrong with it


def analyse(
    path: Path | str,
    kind: DataKind | str,
    files: Sequence[str] | None = None,
    *,
    workers: int | None = None,
) -> AudioReport:
    """Measure and judge the audio of the dataset at ``path`` against ``kind``'s thresholds.

    Args:
        path: a folder, a single file, or a .zip.
        kind: the data kind (text kinds have no audio: the report is empty).
        files: the audio files to analyse (posix paths relative to ``path``), e.g. the accepted
            files of a validation; default every .wav/.mp3 the source holds.
        workers: see :func:`~speechflows.datasets.audio_analysis.measure_dataset`.

    Returns:
        The report (rows worst first). Bad or undecodable audio never raises: its row says why.
    """
    kind = DataKind.parse(kind)
    root = Path(path)
    profile = PROFILES.get(kind)
    report = AudioReport(kind)
    if profile is None:
        return report
    with open_source(root) as src:
        names = src.names()
        chosen = [n for n in (names if files is None else files) if suffix(n) in (".wav", ".mp3")]
        texts = script_texts(src, kind, chosen)
        size = sum(_size(src, n) for n in chosen) if workers is None else None
    rows = []
    for m in measure_dataset(root, chosen, workers=workers, total_bytes=size):
        found = findings_for(m, profile)
        rows.append(UtteranceRow(m, texts.get(m.file, ""), tuple(f.code for f in found)))
        report.findings.extend(found)
    rows.sort(key=_badness)
    order = {r.metrics.file: i for i, r in enumerate(rows)}
    report.findings.sort(key=lambda f: order.get(f.file, 0))
    report.rows = rows
    return report


__all__ = ["COLUMNS", "AudioReport", "UtteranceRow", "analyse", "script_texts"]
