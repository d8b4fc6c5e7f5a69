"""Audio analysis of 1,000 utterances: speed, memory and SNR accuracy.

Writes 1,000 speech-like utterances of 3–8 s at 24 kHz 16-bit mono (``tests/datasets/speechlike.py``:
harmonic syllables between pauses, white noise at a known SNR drawn from 5–45 dB), then runs
:func:`speechflows.datasets.audio_report.analyse` on the folder in a fresh child process (the
process pool it starts included) and compares each measured SNR with the one the file was made
with. The generation is not timed. The default run decodes in one process (the set is below
``POOL_MIN_BYTES``); ``pool_seconds`` is the same analysis forced onto a pool of one worker per
CPU, for comparison (peak RSS covers both).

Last line: JSON ``files, audio_s, seconds, files_per_s, realtime_factor, peak_rss_mb,
snr_abs_error_db_p95`` (plus ``cpus`` and ``loadavg``). Targets: >= 300 files/s (>= 1,000x real
time) on 2 cores, peak RSS < 300 MB, SNR error p95 <= 3 dB.

Run: ``.venv/bin/python benchmarks/audio_checks.py [--files N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import Meter, load_spread, machine, spread

ROOT = Path(__file__).resolve().parents[1]


def generate(folder: Path, files: int) -> dict[str, float]:
    """Write ``files`` utterances; the known SNR of each, by name."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from tests.datasets.speechlike import speechlike, write

    rng = np.random.default_rng(2026)
    truth: dict[str, float] = {}
    for i in range(files):
        snr = float(rng.uniform(5.0, 45.0))
        s = speechlike(
            float(rng.uniform(3.0, 8.0)),
            rate=24000,
            snr_db=snr,
            level_dbfs=float(rng.uniform(-28.0, -16.0)),
            lead_s=float(rng.uniform(0.1, 0.5)),
            trail_s=float(rng.uniform(0.1, 0.5)),
            seed=i,
        )
        name = f"{i + 1:010d}.wav"
        write(folder / name, s.samples, s.rate)
        truth[name] = snr
    return truth


def child(folder: Path) -> None:
    """Analyse ``folder`` and print one JSON line: timing, rows and peak RSS (self + pool)."""
    from speechflows.datasets.audio_report import analyse

    started = time.perf_counter()
    report = analyse(folder, "AudioAndScript")
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    pooled = analyse(folder, "AudioAndScript", workers=os.cpu_count())
    pool_seconds = time.perf_counter() - started
    assert pooled.rows == report.rows
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "pool_seconds": pool_seconds,
                "snr": {r.metrics.file: r.metrics.snr_db for r in report.rows},
                "audio_s": sum(r.metrics.duration_s for r in report.rows),
                "peak_rss_mb": round(max(own, pool) / 1024, 1),
                "warnings": report.counts_by_code(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="analysis runs over the same files")
    parser.add_argument("--keep", type=Path, help="write the utterances here and keep them")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sf-audio-bench-"))
    try:
        t0 = time.perf_counter()
        truth = generate(folder, args.files)
        print(
            f"generated {len(truth)} utterances in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        meter = Meter()
        runs: list[dict[str, Any]] = []
        samples = []
        for _ in range(args.rounds):  # a fresh process each round: cold imports, own RSS
            sample, out = meter.measure(
                lambda: (
                    subprocess.run(
                        [sys.executable, __file__, "--child", str(folder)],
                        check=True,
                        capture_output=True,
                        text=True,
                        env=env,
                    ).stdout
                )
            )
            samples.append(sample)
            runs.append(json.loads(out.strip().splitlines()[-1]))
        run = sorted(runs, key=lambda r: float(r["seconds"]))[len(runs) // 2]  # the median run
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    import numpy as np

    errors = [abs(run["snr"][name] - snr) for name, snr in truth.items()]
    seconds = run["seconds"]
    result = {
        "benchmark": "audio_checks",
        **machine(),
        "files": len(truth),
        "audio_s": round(run["audio_s"], 1),
        "seconds": round(seconds, 3),
        "seconds_spread": spread(float(r["seconds"]) for r in runs),
        "files_per_s": round(len(truth) / seconds, 1),
        "files_per_s_spread": spread((len(truth) / float(r["seconds"]) for r in runs), 1),
        "realtime_factor": round(run["audio_s"] / seconds, 1),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "snr_abs_error_db_p95": round(float(np.percentile(errors, 95)), 2),
        "snr_abs_error_db_max": round(max(errors), 2),
        "pool_seconds": round(run["pool_seconds"], 3),
        "load": load_spread(samples),
    }
    print(f"warnings: {run['warnings']}", file=sys.stderr)
    print(
        f"{result['files']} files, {result['audio_s']} s of audio in {result['seconds']} s: "
        f"{result['files_per_s']} files/s, {result['realtime_factor']}x real time, peak RSS "
        f"{result['peak_rss_mb']} MB, SNR error p95 {result['snr_abs_error_db_p95']} dB "
        f"(median of {args.rounds} runs; load average {result['loadavg'][0]})",
        file=sys.stderr,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
