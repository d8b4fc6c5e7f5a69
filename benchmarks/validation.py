"""Validation throughput and memory on generated AudioAndScript datasets.

Generates 10,000 and 100,000 utterances (sparse WAV files: real headers, the audio a hole, so
disk use stays small) plus their script, then validates each in a fresh child process and
reports wall time and that process's peak RSS. Targets: >= 5,000 files/s on 2 cores, peak RSS
< 150 MB at 100,000 files. The last line printed is JSON.

    .venv/bin/python benchmarks/validation.py [--sizes 10000,100000] [--keep DIR]
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

from speechflows.datasets.sample_text import sentence
from speechflows.datasets.synth import wav_header

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


def generate(folder: Path, count: int) -> None:
    """Write ``count`` sparse 24 kHz 16-bit mono WAVs of 1–3 s and one script."""
    folder.mkdir(parents=True, exist_ok=True)
    headers: dict[int, bytes] = {}
    with open(folder / "script.txt", "w", encoding="utf-8") as script:
        for i in range(1, count + 1):
            data_bytes = 24000 * 2 * (1 + i % 3)
            header = headers.get(data_bytes)
            if header is None:
                header = headers[data_bytes] = wav_header(
                    rate=24000, channels=1, bits=16, data_bytes=data_bytes
                )
            fd = os.open(folder / f"{i:010d}.wav", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, header)
                os.ftruncate(fd, len(header) + data_bytes)
            finally:
                os.close(fd)
            script.write(f"{i:010d}\t{sentence(i - 1)}\n")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--keep", type=Path, help="generate here and keep the data")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="sf-bench-validation-"))
    figures = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            folder = base / f"utterances-{size}"
            if not (folder / "script.txt").exists():
                t = time.perf_counter()
                generate(folder, size)
                print(f"generated {size} utterances in {time.perf_counter() - t:.1f} s", flush=True)
            r = run(folder)
            row = {
                "utterances": size,
                "files": int(r["files"]),
                "seconds": round(r["seconds"], 2),
                "files_per_s": round(r["files"] / r["seconds"]),
                "peak_rss_mb": round(r["peak_rss_mb"], 1),
            }
            # Clean data; 100,000 utterances of 1-3 s exceed the 2 GB portal zip size (a warning).
            assert r["utterances"] == size and set(r["codes"]) <= {"dataset.too_large"}, r
            print(
                f"{size:>7} utterances: {row['files']} files in {row['seconds']} s = "
                f"{row['files_per_s']} files/s, peak RSS {row['peak_rss_mb']} MB",
                flush=True,
            )
            figures.append(row)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "validation",
                "kind": "AudioAndScript",
                "cpus": os.cpu_count(),
                "results": figures,
            }
        )
    )


if __name__ == "__main__":
    main()
