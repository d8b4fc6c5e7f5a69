"""Validation throughput and memory on generated AudioAndScript datasets, warm and cold.

Warm (``--sizes``, default 10,000 and 100,000 utterances): sparse WAV files (real headers, the
audio a hole, so disk use stays small) plus their script, just written: the page cache holds
them, so this measures the validator, not the disk.

Cold-ish (``--cold-files``, default 5,000): real, non-sparse audio (a tone with noise, 1-3 s at
24 kHz 16-bit, ~470 MB), written, synced, then evicted from the page cache with
``posix_fadvise(POSIX_FADV_DONTNEED)`` before each cold run; the warm run of the same files
follows it. Each run validates in a fresh child process (peak RSS is that child's). Rounds repeat
(``--rounds``) and every run carries the machine's load (``benchmarks/_measure.py``).

Targets: >= 5,000 files/s on 2 cores, peak RSS < 150 MB at 100,000 files. Last line: JSON.

    .venv/bin/python benchmarks/validation.py [--sizes 10000,100000] [--cold-files 5000]
        [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Meter, Sample, emit, load_spread, machine, note, ratio_spread, spread

from speechflows.datasets.sample_text import sentence
from speechflows.datasets.synth import pcm_bytes, wav_header

_CHILD = """
import json, resource, sys, time
from speechflows.datasets import validate
t = time.perf_counter()
r = validate(sys.argv[1], "AudioAndScript", min_utterances=0)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "files": r.files_checked, "utterances": r.utterance_count,
                  "codes": r.counts_by_code(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(folder: Path, count: int, *, dense: bool = False) -> None:
    """Write ``count`` 24 kHz 16-bit mono WAVs of 1-3 s and one script.

    Sparse by default (header + a hole); ``dense`` writes real samples (a tone with noise).
    """
    folder.mkdir(parents=True, exist_ok=True)
    headers: dict[int, bytes] = {}
    audio: dict[int, bytes] = {}
    with open(folder / "script.txt", "w", encoding="utf-8") as script:
        for i in range(1, count + 1):
            seconds = 1 + i % 3
            data_bytes = 24000 * 2 * seconds
            header = headers.get(data_bytes)
            if header is None:
                header = headers[data_bytes] = wav_header(
                    rate=24000, channels=1, bits=16, data_bytes=data_bytes
                )
            fd = os.open(folder / f"{i:010d}.wav", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, header)
                if dense:
                    samples = audio.get(seconds)
                    if samples is None:
                        samples = audio[seconds] = pcm_bytes(seconds, rate=24000, seed=seconds)
                    os.write(fd, samples)
                else:
                    os.ftruncate(fd, len(header) + data_bytes)
            finally:
                os.close(fd)
            script.write(f"{i:010d}\t{sentence(i - 1)}\n")


def evict(folder: Path) -> int:
    """Drop ``folder``'s files from the page cache (synced first: dirty pages stay cached)."""
    os.sync()
    count = 0
    for path in folder.iterdir():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            count += 1
        finally:
            os.close(fd)
    return count


def run(folder: Path) -> dict[str, Any]:
    """Validate ``folder`` in a child process and return its figures."""
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)],
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measured(meter: Meter, folder: Path, size: int, label: str) -> tuple[Sample, dict[str, Any]]:
    sample, r = meter.measure(lambda: run(folder))
    # Clean data; 100,000 utterances of 1-3 s exceed the 2 GB portal zip size (a warning).
    assert r["utterances"] == size and set(r["codes"]) <= {"dataset.too_large"}, r
    note(
        step=label,
        utterances=size,
        files=int(r["files"]),
        seconds=round(r["seconds"], 3),
        files_per_s=round(r["files"] / r["seconds"]),
        peak_rss_mb=round(r["peak_rss_mb"], 1),
        **sample.load(),
    )
    return sample, r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--cold-files", type=int, default=5000, help="0 skips the cold run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate here and keep the data")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="sf-bench-validation-"))
    meter = Meter()
    results: list[dict[str, Any]] = []
    samples: list[Sample] = []
    cold: dict[str, Any] = {}
    try:
        for size in (int(s) for s in args.sizes.split(",") if s):
            folder = base / f"utterances-{size}"
            if not (folder / "script.txt").exists():
                t = time.perf_counter()
                generate(folder, size)
                print(
                    f"generated {size} utterances in {time.perf_counter() - t:.1f} s",
                    file=sys.stderr,
                )
            rates, rss, these = [], [], []
            for _ in range(args.rounds):
                sample, r = measured(meter, folder, size, "warm_sparse")
                rates.append(r["files"] / r["seconds"])
                rss.append(r["peak_rss_mb"])
                these.append(sample)
            samples += these
            results.append(
                {
                    "utterances": size,
                    "files": size + 1,
                    "files_per_s": spread(rates, 0),
                    "peak_rss_mb": round(max(rss), 1),
                    "load": load_spread(these),
                }
            )
        if args.cold_files:
            folder = base / f"dense-{args.cold_files}"
            if not (folder / "script.txt").exists():
                t = time.perf_counter()
                generate(folder, args.cold_files, dense=True)
                print(
                    f"generated {args.cold_files} dense utterances in {time.perf_counter() - t:.1f} s"
                )
            mb = sum(p.stat().st_blocks * 512 for p in folder.iterdir()) / 1e6
            cold_rates, warm_rates, these = [], [], []
            for _ in range(args.rounds):
                evict(folder)
                sample, r = measured(meter, folder, args.cold_files, "cold_dense")
                cold_rates.append(r["files"] / r["seconds"])
                these.append(sample)
                sample, r = measured(meter, folder, args.cold_files, "warm_dense")
                warm_rates.append(r["files"] / r["seconds"])
                these.append(sample)
            samples += these
            cold = {
                "utterances": args.cold_files,
                "disk_mb": round(mb, 1),
                "evicted_with": "posix_fadvise(POSIX_FADV_DONTNEED) after fsync",
                "cold_files_per_s": spread(cold_rates, 0),
                "warm_files_per_s": spread(warm_rates, 0),
                "cold_over_warm_rate": ratio_spread(cold_rates, warm_rates),
                "load": load_spread(these),
            }
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    emit(
        benchmark="validation",
        **machine(),
        kind="AudioAndScript",
        rounds=args.rounds,
        warm_sparse=results,
        cold_dense=cold,
        load=load_spread(samples),
    )


if __name__ == "__main__":
    main()
