"""In-place validation benchmark: WAVs under one Blob prefix, validated where they are.

Generates N × ~300 KB WAVs + their script (deterministic), stages them once into a private
in-memory Azurite, then measures, interleaved over a few rounds (best of each):

- ``inplace_s``: :func:`speechflows.storage.blob_source.validate_in_place` of the prefix (one
  listing, ranged reads of the WAV headers, the script read whole), in a fresh child process
  (its peak RSS is ``peak_rss_mb``);
- ``best_range_reads_s``: the strongest alternative for the same reads, no validation: the
  azure-storage-blob aio client fetching the same byte ranges (the first 4 KiB of every WAV, the
  whole script) at concurrency 4/8/16/32, best of them;
- ``local_s``: :func:`speechflows.datasets.validate` of the same files from local disk (child).

Then the unchanged re-run: the manifest from the listing gives the same hash, so the cached
validation is reused; ``rerun_requests`` counts the storage requests that re-run makes (listing
pages) and ``rerun_reads`` the ranged reads (0).

Last line: JSON with ``files, bytes, inplace_s, best_range_reads_s, local_s, files_per_s,
bytes_read, bytes_read_ratio, peak_rss_mb, rerun_requests``. Targets: bytes_read_ratio ≤ 0.02,
inplace_s ≤ 1.2 × best_range_reads_s, peak_rss_mb < 200, re-run = the listing only.

Run: ``.venv/bin/python benchmarks/in_place.py [--files 10000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import Meter, load_spread, machine, ratio_spread, spread

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechflows.datasets.manifest import build_manifest
from speechflows.dev.azurite import Azurite
from speechflows.location import DataLocation
from speechflows.settings import load_storage_settings
from speechflows.storage import stage
from speechflows.storage.blob_source import (
    HEAD_BYTES,
    BlobReader,
    list_location,
    manifest_of_blobs,
    resolve,
)

CONTAINER, PREFIX = "bench-in-place", "ds"


def _wav(rng: random.Random, size: int) -> bytes:
    """A 24 kHz 16-bit mono PCM wav of ``size`` bytes (a LIST chunk first, as many tools write)."""
    info = b"INFOISFT" + struct.pack("<I", 14) + b"speechflows\x00\x00\x00"
    chunk = b"LIST" + struct.pack("<I", len(info)) + info
    data = size - 44 - len(chunk)
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE" + chunk + b"fmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 24_000, 48_000, 2, 16)
    header += b"data" + struct.pack("<I", data)
    return header + rng.randbytes(data)


def generate(root: Path, files: int, size: int) -> None:
    marker = root.parent / f".{root.name}.generated"  # outside the dataset (it would be a file)
    shape = f"{files}x{size}"
    if marker.exists() and marker.read_text() == shape:
        return
    rng = random.Random(20261129)
    (root / "wavs").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(files):
        (root / "wavs" / f"{i:05d}.wav").write_bytes(_wav(rng, size))
        end = "?" if i % 5 == 0 else ("!" if i % 7 == 0 else ".")
        lines.append(f"{i:05d}\tThis is sentence number {i} of the benchmark script{end}")
    (root / "script.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker.write_text(shape)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- child processes (fresh memory for peak RSS) ------------------------------------------------


def child_inplace(source: str) -> dict[str, Any]:
    from speechflows.storage.blob_source import validate_in_place

    where, token = resolve(DataLocation.parse(source))
    started = time.perf_counter()
    report, cost = validate_in_place(where, token, "AudioAndScript", min_utterances=0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "files": report.files_checked,
        "errors": report.error_count,
        "findings": json.loads(report.to_json())["counts_by_code"],
        "bytes_read": cost.bytes_read,
        "reads": cost.read_requests,
        "lists": cost.list_requests,
        "total_bytes": report.total_bytes,
        "peak_rss_mb": _peak_rss_mb(),
    }


def child_local(path: str) -> dict[str, Any]:
    from speechflows.datasets import validate

    started = time.perf_counter()
    report = validate(Path(path), "AudioAndScript", min_utterances=0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "files": report.files_checked,
        "findings": json.loads(report.to_json())["counts_by_code"],
        "peak_rss_mb": _peak_rss_mb(),
    }


def child(kind: str, arg: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, arg], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"child {kind} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- the alternative: the aio SDK fetching the same ranges ----------------------------------------


async def _sdk_ranges(conn: str, ranges: list[tuple[str, int]], concurrency: int) -> int:
    from azure.storage.blob.aio import BlobServiceClient

    got = 0
    slots = asyncio.Semaphore(concurrency)
    async with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.get_container_client(CONTAINER)

        async def fetch(name: str, length: int) -> None:
            nonlocal got
            async with slots:
                stream = await cc.download_blob(name, offset=0, length=length)
                got += len(await stream.readall())

        await asyncio.gather(*(fetch(n, ln) for n, ln in ranges))
    return got


def sdk_ranges(conn: str, ranges: list[tuple[str, int]], concurrency: int) -> float:
    started = time.perf_counter()
    asyncio.run(_sdk_ranges(conn, ranges, concurrency))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        kind, arg = args.child
        print(json.dumps(child_inplace(arg) if kind == "inplace" else child_local(arg)))
        return

    root = Path(".speechflows/bench-in-place") / f"{args.files}x{args.size}"
    generate(root, args.files, args.size)
    memory = max(2000, args.files * args.size // 1_000_000 * 2 + 1000)
    with Azurite.start(in_memory=True, memory_limit_mb=memory) as az:
        settings = load_storage_settings(
            connection_string=az.connection_string, container=CONTAINER
        )
        t0 = time.perf_counter()
        manifest = build_manifest(root)
        staged = stage(manifest, settings=settings, prefix=PREFIX)
        print(
            json.dumps(
                {
                    "step": "staged",
                    "files": len(manifest.entries),
                    "bytes": manifest.total_bytes,
                    "uploaded_bytes": staged.uploaded_bytes,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            ),
            flush=True,
        )
        where, token = resolve(DataLocation.parse(f"blob://{CONTAINER}/{PREFIX}"), settings)
        sas_url = f"{where.container_url}/{PREFIX}?{token}"
        ranges = [
            (f"{PREFIX}/{e.path}", e.size if e.path.endswith(".txt") else min(e.size, HEAD_BYTES))
            for e in manifest.entries
        ]
        best: dict[str, float] = {}
        inplace: dict[str, Any] = {}
        local: dict[str, Any] = {}
        conn = az.connection_string
        meter = Meter()
        samples = []
        rounds: dict[str, list[float]] = {"inplace": [], "sdk": [], "local": []}

        def keep(step: str, r: int, run: dict[str, Any], fastest: dict[str, Any]) -> dict[str, Any]:
            """Round ``r`` of a child ``step``: its seconds counted and printed (the findings
            left out); the fastest run of that step so far."""
            rounds[step].append(run["seconds"])
            shown = {k: v for k, v in run.items() if k != "findings"}
            print(json.dumps({"step": step, "round": r, **shown}), flush=True)
            return run if not fastest or run["seconds"] < fastest["seconds"] else fastest

        for r in range(args.rounds):
            sample, run = meter.measure(lambda: child("inplace", sas_url))
            samples.append(sample)
            inplace = keep("inplace", r, run, inplace)
            this_round: list[float] = []
            for concurrency in (4, 8, 16, 32):
                sample, seconds = meter.measure(lambda: sdk_ranges(conn, ranges, concurrency))  # noqa: B023
                samples.append(sample)
                this_round.append(seconds)
                print(
                    json.dumps(
                        {
                            "step": "aio_sdk_ranges",
                            "round": r,
                            "concurrency": concurrency,
                            "seconds": round(seconds, 3),
                        }
                    ),
                    flush=True,
                )
                key = f"c{concurrency}"
                best[key] = min(best.get(key, seconds), seconds)
            rounds["sdk"].append(min(this_round))
            local = keep("local", r, child("local", str(root)), local)
        assert inplace["findings"] == local["findings"], (inplace["findings"], local["findings"])

        # The unchanged re-run: one listing gives the same manifest hash (validation cached).
        with BlobReader(where.container_url, token) as reader:
            blobs = list_location(reader, where)
            rerun_hash = manifest_of_blobs(where, blobs).hash
            rerun_requests, rerun_reads = reader.list_requests, reader.read_requests
        assert rerun_hash == manifest.hash, "the listing's manifest equals the local one"

    best_c = min(best, key=lambda k: best[k])
    best_s = best[best_c]
    print(
        json.dumps(
            {
                "step": "notes",
                "best_sdk_concurrency": int(best_c[1:]),
                "inplace_reads": inplace["reads"],
                "rerun_reads": rerun_reads,
                "loadavg": list(__import__("os").getloadavg()),
                "inplace_over_best": round(inplace["seconds"] / best_s, 2),
            }
        ),
        flush=True,
    )
    print(
        json.dumps(
            {
                "benchmark": "in_place",
                **machine(),
                "files": len(manifest.entries),
                "bytes": manifest.total_bytes,
                "inplace_s": round(inplace["seconds"], 3),
                "best_range_reads_s": round(best_s, 3),
                "local_s": round(local["seconds"], 3),
                "files_per_s": round(len(manifest.entries) / inplace["seconds"]),
                "bytes_read": inplace["bytes_read"],
                "bytes_read_ratio": round(inplace["bytes_read"] / manifest.total_bytes, 5),
                "peak_rss_mb": round(inplace["peak_rss_mb"], 1),
                "rerun_requests": rerun_requests,
                "inplace_s_spread": spread(rounds["inplace"]),
                "best_range_reads_s_spread": spread(rounds["sdk"]),
                "local_s_spread": spread(rounds["local"]),
                "inplace_over_best_range_reads": ratio_spread(rounds["inplace"], rounds["sdk"]),
                "load": load_spread(samples),
            }
        )
    )


if __name__ == "__main__":
    main()
