"""Staging benchmark: speechflows' ``stage`` against the strongest alternatives a user could pick.

Generates ``--files`` wav files of ``--size`` bytes + a script (deterministic), starts a private
in-memory Azurite, and runs, interleaved in every round (the order rotates each round), into a
fresh prefix each time:

- ``stage``: :func:`speechflows.storage.stage` (its default concurrency);
- ``aio_sdk_N`` for N in 4/8/16/32: ``azure.storage.blob.aio`` — N ``upload_blob`` calls at once
  (``max_concurrency=N`` too; for a file this small that knob has nothing to split: one Put Blob
  per file), the bytes read in a worker thread, off the event loop;
- ``sync_sdk_pool_N`` for N in 8/16: the sync SDK's ``upload_blob(max_concurrency=N)`` from a
  pool of N threads;
- ``raw_httpx_N`` for N in 8/16: raw PUT Blob with httpx + a SAS, bytes read off the loop;
- ``sequential_sdk``: the Azure sample's one-at-a-time ``upload_blob`` loop (the reference);

then ``rerun``: ``stage`` again into the first round's prefix, nothing changed.

Every run line carries the machine's load over that run (``benchmarks/_measure.py``). The last
line: ``stage_s / best_alternative_s`` (per round, paired) and client CPU per file for every
method, the ceiling (the fastest method of all, ``stage`` included, named), spreads and load.

Run: ``.venv/bin/python benchmarks/staging.py [--files 500] [--rounds 3] [--size 300000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import struct
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from azure.storage.blob import BlobServiceClient
from azure.storage.blob.aio import BlobServiceClient as AioBlobServiceClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Meter, Sample, emit, load_spread, machine, note, ratio_spread, spread

from speechflows.datasets.manifest import Manifest, build_manifest
from speechflows.dev.azurite import Azurite
from speechflows.settings import load_storage_settings
from speechflows.storage import StageResult, container_sas_url, stage

CONTAINER = "bench"
AIO_CONCURRENCY = (4, 8, 16, 32)
POOL_CONCURRENCY = (8, 16)
RAW_CONCURRENCY = (8, 16)


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
    for old in (root / "wavs").glob("*.wav"):
        old.unlink()
    lines = []
    for i in range(files):
        (root / "wavs" / f"{i:05d}.wav").write_bytes(_wav(rng, size))
        lines.append(f"{i:05d}\tThis is sentence number {i} of the benchmark script.")
    (root / "script.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker.write_text(shape)


def sequential_sdk(manifest: Manifest, conn: str, prefix: str) -> None:
    """The Azure sample's way: one sync SDK client, one ``upload_blob`` after the other."""
    with BlobServiceClient.from_connection_string(conn) as service:
        container = service.get_container_client(CONTAINER)
        for entry in manifest.entries:
            with open(manifest.local_path(entry), "rb") as fh:
                container.upload_blob(f"{prefix}/{entry.path}", fh, overwrite=True)


def sync_sdk_pool(manifest: Manifest, conn: str, prefix: str, n: int) -> None:
    """The sync SDK from ``n`` threads, each ``upload_blob(max_concurrency=n)``."""
    with BlobServiceClient.from_connection_string(conn) as service:
        container = service.get_container_client(CONTAINER)

        def put(path: str, local: Path) -> None:
            with open(local, "rb") as fh:
                container.upload_blob(f"{prefix}/{path}", fh, overwrite=True, max_concurrency=n)

        with ThreadPoolExecutor(n) as pool:
            list(pool.map(lambda e: put(e.path, manifest.local_path(e)), manifest.entries))


async def _aio_sdk(manifest: Manifest, conn: str, prefix: str, n: int) -> None:
    slots = asyncio.Semaphore(n)
    async with AioBlobServiceClient.from_connection_string(conn) as service:
        container = service.get_container_client(CONTAINER)

        async def put(path: str, local: Path) -> None:
            async with slots:
                data = await asyncio.to_thread(local.read_bytes)
                await container.upload_blob(
                    f"{prefix}/{path}", data, overwrite=True, max_concurrency=n
                )

        await asyncio.gather(*(put(e.path, manifest.local_path(e)) for e in manifest.entries))


async def _raw_httpx(manifest: Manifest, sas_url: str, prefix: str, n: int) -> None:
    base, query = sas_url.split("?", 1)
    slots = asyncio.Semaphore(n)
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    headers = {"x-ms-blob-type": "BlockBlob", "x-ms-version": "2024-11-04"}
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def put(path: str, local: Path) -> None:
            async with slots:
                data = await asyncio.to_thread(local.read_bytes)
                response = await client.put(
                    f"{base}/{prefix}/{path}?{query}", content=data, headers=headers
                )
                response.raise_for_status()

        await asyncio.gather(*(put(e.path, manifest.local_path(e)) for e in manifest.entries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (spread)")
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out/staging"))
    args = parser.parse_args()

    data = args.workdir / "data"
    generate(data, args.files, args.size)
    manifest = build_manifest(data, hash_cache=args.workdir / "hash-cache.json")
    n = len(manifest.entries)

    with Azurite.start(in_memory=True, memory_limit_mb=12000) as az:
        conn = az.connection_string
        settings = load_storage_settings(connection_string=conn, container=CONTAINER)
        sas = container_sas_url(settings, permissions="cw", expiry_minutes=120)
        warm = Manifest(root=manifest.root, entries=manifest.entries[:100])
        stage(warm, settings=settings, prefix="warmup")  # creates the container, warms Azurite

        methods: dict[str, Callable[[str], object]] = {
            "stage": lambda p: stage(manifest, settings=settings, prefix=p),
            "sequential_sdk": lambda p: sequential_sdk(manifest, conn, p),
        }
        for c in AIO_CONCURRENCY:
            methods[f"aio_sdk_{c}"] = lambda p, c=c: asyncio.run(_aio_sdk(manifest, conn, p, c))
        for c in POOL_CONCURRENCY:
            methods[f"sync_sdk_pool_{c}"] = lambda p, c=c: sync_sdk_pool(manifest, conn, p, c)
        for c in RAW_CONCURRENCY:
            methods[f"raw_httpx_{c}"] = lambda p, c=c: asyncio.run(_raw_httpx(manifest, sas, p, c))

        meter = Meter()
        runs: dict[str, list[Sample]] = {m: [] for m in methods}
        names = list(methods)
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for m in order:
                sample, _ = meter.measure(
                    lambda m=m, r=r: methods[m](f"{m}-{r}")  # type: ignore[misc]
                )
                runs[m].append(sample)
                note(
                    step=m,
                    round=r,
                    seconds=round(sample.seconds, 3),
                    cpu_ms_per_file=round(1000 * sample.cpu_s / n, 3),
                    **sample.load(),
                )
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reruns: list[Sample] = []
        rerun_bytes = 0
        for _ in range(args.reruns):
            sample, result = meter.measure(
                lambda: stage(manifest, settings=settings, prefix="stage-0")
            )
            assert isinstance(result, StageResult)
            rerun_bytes = max(rerun_bytes, result.uploaded_bytes)
            reruns.append(sample)
            note(step="rerun", seconds=round(sample.seconds, 3), **sample.load())

    def secs(m: str) -> list[float]:
        return [s.seconds for s in runs[m]]

    medians = {m: spread(secs(m))["median"] for m in methods}
    alternatives = [m for m in methods if m not in ("stage", "sequential_sdk")]
    best_alt = min(alternatives, key=lambda m: medians[m])
    ceiling = min(methods, key=lambda m: medians[m])
    stage_s = medians["stage"]
    emit(
        benchmark="staging",
        **machine(),
        files=n,
        bytes=manifest.total_bytes,
        rounds=args.rounds,
        stage_s=spread(secs("stage")),
        best_alternative=best_alt,
        best_alternative_s=spread(secs(best_alt)),
        stage_over_best_alternative=ratio_spread(secs("stage"), secs(best_alt)),
        ceiling=ceiling,
        ceiling_s=medians[ceiling],
        stage_over_ceiling=round(stage_s / medians[ceiling], 3),
        sequential_over_stage=ratio_spread(secs("sequential_sdk"), secs("stage")),
        stage_over={m: ratio_spread(secs("stage"), secs(m)) for m in alternatives},
        median_s=medians,
        cpu_ms_per_file={
            m: spread((1000 * s.cpu_s / n for s in runs[m]), 3)["median"] for m in methods
        },
        rerun_s=spread(s.seconds for s in reruns),
        rerun_uploaded_bytes=rerun_bytes,
        peak_rss_mb=round(rss_mb, 1),
        load=load_spread([*(s for v in runs.values() for s in v), *reruns]),
    )


if __name__ == "__main__":
    main()
