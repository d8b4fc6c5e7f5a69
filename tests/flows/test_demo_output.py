"""``make demo``'s terminal: Prefect's log lines in a file it names, a summary that fits 80 columns."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from rich.console import Console

from speechflows.demo import DemoOutcome, RunFigures, _prefect_logs_to, _summary


def test_prefect_log_lines_go_to_the_file_not_the_terminal(
    prefect_server: None, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from prefect import flow, get_run_logger

    marker = f"demo-marker-{uuid.uuid4().hex[:8]}"

    @flow(name="demo-output-check")
    def speaks() -> None:
        get_run_logger().info(marker)

    log = tmp_path / "prefect.log"
    with _prefect_logs_to(log):
        speaks()
    shown = capfd.readouterr()
    assert marker not in shown.out + shown.err
    assert marker in log.read_text()

    size = log.stat().st_size
    speaks()  # afterwards the file gets nothing more: the handlers are as they were
    assert log.stat().st_size == size


def test_the_summary_fits_80_columns_with_readable_sizes() -> None:
    outcome = DemoOutcome(
        runs={
            "professional voice": [
                RunFigures(4.5, ["project a", "consent b", "training set c"], [], 1173693, ""),
                RunFigures(1.2, [], ["project a", "consent b", "training set c"], 0, ""),
            ],
            "custom speech": [
                RunFigures(754.0, ["project x"], [], 3 * 1024**3, ""),
                RunFigures(2.0, [], ["project x"], 0, ""),
            ],
        },
        report_keys=["report-demo-voice-trainingset", "report-demo-call-center"],
        try_keys=[
            "try-voice-demo-personal-voice",
            "try-speech-demo-call-center-cfacfce3-7b5e-4192-b135-20b5aa64303a",
        ],
        links_expire=dt.datetime(2026, 12, 6, 5, 12, tzinfo=dt.UTC),
    )
    console = Console(width=80, record=True, force_terminal=False)
    _summary(console, outcome, None)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert "1.1 MB" in text and "3.0 GB" in text and "12 min 34 s" in text and "0 B" in text
    assert "re-run: nothing re-uploaded, nothing re-created" in text
    # The last lines: how to open the reports, which ones, until when their links work, and the
    # one command for fresh links, each command on a line of its own.
    lines = [line.strip() for line in text.splitlines()]
    assert lines[-9:] == [
        "Kept: the runs (.prefect/) and the audio (.speechflows/azurite/). To open them:",
        "make up",
        "then http://127.0.0.1:4200 → Artifacts (`make down` stops it)",
        "hear the voice:",
        "try-voice-demo-personal-voice",
        "per file, the words the new speech model fixed and broke:",
        "try-speech-demo-call-center-cfacfce3-7b5e-4192-b135-20b5aa64303a",
        "The audio and CSV links work until 05:12 UTC; fresh ones after that:",
        "source .speechflows/dev/env && speechflows try links",
    ], text
