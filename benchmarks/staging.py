"""Staging benchmark: speechflows' stage() against the sample's way and Azurite's ceiling.

Generates 1,000 × 300 KB wav files + a script (deterministic), starts a private in-memory
Azurite, and in one run measures:

(a) ``stage`` into an empty prefix (best of 2; process CPU time per file alongside);
(b) the Azure sample's way: sequential ``BlobClient.upload_blob`` of every file (sync SDK);
(c) the ceiling: concurrent raw PUT Blob requests with httpx and a SAS, no SDK, at the best
    of a few concurrencies;
(d) an unchanged re-run of (a) (same manifest, same prefix).

Every line is JSON; the last one has exactly the keys listed in issue 2 §6.
Run: ``.venv/bin/python benchmarks/staging.py`` (about a minute; quieter machine, steadier figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import struct
import sys
import time
from pathlib import Path

import httpx
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechflows.datasets.manifest import Manifest, build_manifest
from speechflows.dev.azurite import Azurite
from speechflows.settings import StorageSettings, load_storage_settings
from speechflows.storage import container_sas_url, stage

CONTAINER = "bench"


def _wav(rng: random.Random, size: int) -> bytes:
    """A 24 kHz 16-bit mono PCM wav of ``size`` bytes with random samples."""
    data = size - 44
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 24_000, 48_000, 2, 16)
    header += b"data" + struct.pack("<I", data)
    return header + rng.randbytes(data)


def generate(root: Path, files: int, size: int) -> None:
    """Write the dataset once; reuse it when it is already there with the same shape."""
    marker = root / ".generated"
    shape = f"{files}x{size}"
    if marker.exists() and marker.read_text() == shape:
        return
    rng = random.Random(20261121)
    (root / "wavs").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(files):
        (root / "wavs" / f"{i:05d}.wav").write_bytes(_wav(rng, size))
        lines.append(f"{i:05d}\tThis is sentence number {i} of the benchmark script.")
    (root / "script.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker.write_text(shape)


def run_stage(manifest: Manifest, settings: StorageSettings, prefix: str) -> dict[str, float]:
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = stage(manifest, settings=settings, prefix=prefix)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {
        "seconds": wall,
        "cpu_ms_per_file": 1000 * cpu / len(manifest.entries),
        "uploaded_files": len(result.uploaded),
        "uploaded_bytes": result.uploaded_bytes,
    }


def run_sequential(manifest: Manifest, conn: str, prefix: str) -> float:
    t0 = time.perf_counter()
    with BlobServiceClient.from_connection_string(conn) as service:
        container = service.get_container_client(CONTAINER)
        for entry in manifest.entries:
            with open(manifest.local_path(entry), "rb") as fh:
                container.upload_blob(f"{prefix}/{entry.path}", fh, overwrite=True)
    return time.perf_counter() - t0


async def _raw_puts(manifest: Manifest, sas_url: str, prefix: str, concurrency: int) -> None:
    base, query = sas_url.split("?", 1)
    slots = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"x-ms-blob-type": "BlockBlob", "x-ms-version": "2024-11-04"}
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def put(path: str, local: Path) -> None:
            async with slots:
                response = await client.put(
                    f"{base}/{prefix}/{path}?{query}", content=local.read_bytes(), headers=headers
                )
                response.raise_for_status()

        await asyncio.gather(*(put(e.path, manifest.local_path(e)) for e in manifest.entries))


def run_raw(manifest: Manifest, sas_url: str, prefix: str, concurrency: int) -> float:
    t0 = time.perf_counter()
    asyncio.run(_raw_puts(manifest, sas_url, prefix, concurrency))
    return time.perf_counter() - t0


def emit(**figures: object) -> None:
    print(json.dumps(figures), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out/staging"))
    args = parser.parse_args()

    data = args.workdir / "data"
    generate(data, args.files, args.size)
    cache = args.workdir / "hash-cache.json"
    cache.unlink(missing_ok=True)
    t0 = time.perf_counter()
    manifest = build_manifest(data, hash_cache=cache)
    manifest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_manifest(data, hash_cache=cache)
    emit(step="manifest", first_s=round(manifest_s, 3), cached_s=round(time.perf_counter() - t0, 3))

    with Azurite.start(in_memory=True, memory_limit_mb=6000) as az:
        settings = load_storage_settings(
            connection_string=az.connection_string, container=CONTAINER
        )
        write_sas = container_sas_url(settings, permissions="cw", expiry_minutes=60)
        warm = Manifest(root=manifest.root, entries=manifest.entries[:100])
        stage(warm, settings=settings, prefix="warmup")  # creates the container, warms Azurite

        raw: dict[int, float] = {}
        stages: list[dict[str, float]] = []
        rss_after_stage = 0.0
        for round_no, concurrency in enumerate((8, 16, 4)):
            raw[concurrency] = run_raw(manifest, write_sas, f"raw-{concurrency}", concurrency)
            emit(step="raw_put_httpx", concurrency=concurrency, seconds=round(raw[concurrency], 3))
            if round_no < 2:
                stages.append(run_stage(manifest, settings, f"stage-{round_no}"))
                rss_after_stage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                emit(step="stage", **{k: round(v, 3) for k, v in stages[-1].items()})
        reruns = [run_stage(manifest, settings, "stage-0") for _ in range(2)]
        for rerun in reruns:
            emit(step="rerun", **{k: round(v, 3) for k, v in rerun.items()})
        sequential_s = run_sequential(manifest, az.connection_string, "sequential")
        emit(step="sequential_sdk", seconds=round(sequential_s, 3))

    best = min(stages, key=lambda s: s["seconds"])
    best_rerun = min(reruns, key=lambda s: s["seconds"])
    emit(
        step="notes",
        loadavg=os.getloadavg(),
        best_raw_concurrency=min(raw, key=lambda c: raw[c]),
        files_per_s_stage=round(len(manifest.entries) / best["seconds"], 1),
    )
    emit(
        files=len(manifest.entries),
        bytes=manifest.total_bytes,
        stage_s=round(best["seconds"], 3),
        sequential_s=round(sequential_s, 3),
        raw_ceiling_s=round(min(raw.values()), 3),
        rerun_s=round(best_rerun["seconds"], 3),
        rerun_uploaded_bytes=int(max(r["uploaded_bytes"] for r in reruns)),
        peak_rss_mb=round(rss_after_stage, 1),
        stage_cpu_ms_per_file=round(best["cpu_ms_per_file"], 3),
    )


if __name__ == "__main__":
    main()
