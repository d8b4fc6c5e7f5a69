"""The CLI's status line while an onboarding waits: the running stage and its elapsed time."""

from __future__ import annotations

import logging

from speechflows.cli.summaries import StageProgress


def test_the_status_follows_the_stage_log_lines_and_counts_the_wait() -> None:
    now = [100.0]
    shown: list[str] = []
    progress = StageProgress(shown.append, lambda: now[0])
    logger = logging.getLogger("speechflows-test-stage-progress")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(progress)
    try:
        assert progress.tick() is None  # nothing started yet
        logger.info("manifest of x: 3 files")  # other lines change nothing
        assert shown == []
        logger.info("stage %s: started", "wait for training set")
        assert shown == ["stage wait for training set…"]
        now[0] += 75.0
        assert progress.tick() == "stage wait for training set: 1 min 15 s"
        logger.info("stage %s: %.2f s", "wait for training set", 75.0)
        logger.info("stage %s: started", "lineage")
        now[0] += 2.0
        assert progress.tick() == "stage lineage: 2.0 s" and shown[-1] == "stage lineage: 2.0 s"
    finally:
        logger.removeHandler(progress)
