"""Chaos matrix: every fault kind at seeded moments of the three onboardings, each followed by a
plain re-run, the invariants checked (``tests/chaos/chaos.py``; ``tests/chaos/test_chaos.py`` runs
each kind once inside ``make test``).

Starts Azurite, the Speech emulator and a Prefect server (``prefect server start``, SQLite) on
loopback (all three get SIGKILLed and started again; ``kill-cli`` runs ``speechflows onboard``
processes against that server) and runs ``--runs`` triples ``(fault kind, onboarding, moment)``
drawn from ``--seed``.
One JSON line per run on stderr; the last line on stdout, per fault kind: runs, re-runs
completed, violations, median re-run time, with the machine's load.

Run: ``.venv/bin/python benchmarks/chaos.py [--runs 48] [--seed 26]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Meter, Sample, emit, load_spread, machine, note, workdir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=48)
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    root = workdir("chaos", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90")
    from prefect import flow
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_RESULTS_LOCAL_STORAGE_PATH,
        temporary_settings,
    )

    from speechflows.dev.azurite import Azurite
    from speechflows.speech import polling
    from tests.chaos.chaos import FAULT_KINDS, Emulator, Orchestrator, Storage, matrix, run_one
    from tests.fixtures.emulator import EmulatorService

    polling.DISAGREEMENT_GRACE_SECONDS = 2.0  # the chaos deadlines are a minute
    logs: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logs.append(record.getMessage())

    logging.getLogger().addHandler(Keep())
    storage = Storage(Azurite.start(data_dir=root / "azurite"), root / "azurite")
    service = EmulatorService(root / "emulator").start()
    orchestrator = Orchestrator(root / "prefect")
    try:
        env = {
            "SPEECHFLOWS_SPEECH_ENDPOINT": service.base_url,
            "SPEECHFLOWS_SPEECH_KEY": service.key,
            "SPEECHFLOWS_STORAGE_CONNECTION_STRING": storage.azurite.connection_string,
            "SPEECHFLOWS_STORAGE_CONTAINER": "chaos",
        }
        os.environ.update(env)
        os.chdir(root)
        with temporary_settings(
            updates={
                PREFECT_API_URL: orchestrator.api_url,
                PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
                PREFECT_RESULTS_LOCAL_STORAGE_PATH: root / "results",
            }
        ):

            @flow
            def warm_up() -> int:
                return 1

            warm_up()
            meter = Meter()
            samples: list[Sample] = []
            per_kind: dict[str, dict[str, list[float] | int]] = {
                k: {"runs": 0, "reruns_completed": 0, "violations": 0, "rerun_s": []}
                for k in FAULT_KINDS
            }
            for index, (kind, onboarding, moment) in enumerate(matrix(args.seed, args.runs)):
                sample, out = meter.measure(
                    lambda kind=kind, onboarding=onboarding, moment=moment, index=index: run_one(
                        kind,
                        onboarding,
                        moment,
                        emulator=Emulator(service),
                        storage=storage,
                        env=env,
                        root=root / "runs",
                        seed=args.seed,
                        index=index,
                        log_text=lambda: "\n".join(logs),
                        orchestrator=orchestrator,
                    )
                )
                samples.append(sample)
                row = per_kind[kind]
                row["runs"] += 1  # type: ignore[operator]
                row["reruns_completed"] += int(out.rerun_completed)  # type: ignore[operator]
                row["violations"] += len(out.violations)  # type: ignore[operator]
                row["rerun_s"].append(out.rerun_seconds)  # type: ignore[union-attr]
                note(
                    kind=kind,
                    onboarding=onboarding,
                    moment=out.moment,
                    first_completed=out.first_completed,
                    rerun_completed=out.rerun_completed,
                    rerun_s=round(out.rerun_seconds, 2),
                    violations=out.violations,
                )
    finally:
        orchestrator.stop()
        service.stop()
        storage.stop()
    emit(
        benchmark="chaos",
        seed=args.seed,
        runs=args.runs,
        machine=machine(),
        load=load_spread(samples),
        kinds={
            k: {
                "runs": v["runs"],
                "reruns_completed": v["reruns_completed"],
                "violations": v["violations"],
                "median_rerun_s": round(statistics.median(v["rerun_s"]), 2)  # type: ignore[arg-type]
                if v["rerun_s"]
                else None,
            }
            for k, v in per_kind.items()
        },
    )


if __name__ == "__main__":
    main()
