"""Serve the emulator with uvicorn on 127.0.0.1 (the CLI and ``python -m`` entry point)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from speechflows.emulator.app import create_app
from speechflows.emulator.core.config import DEFAULT_KEY, EmulatorConfig, FaultConfig, parse_quota
from speechflows.emulator.core.loopback import is_loopback_host

KEY_ENV = "SPEECHFLOWS_EMULATOR_KEY"


def build_config(
    data_dir: Path,
    *,
    key: str | None,
    accept_bearer: bool,
    step_seconds: float,
    model_training_seconds: float,
    min_utterance_count: int,
    faults: str | None,
    quota: str | None = None,
) -> EmulatorConfig:
    """The config of both entry points (this module's and ``speechflows emulator``).

    ``key`` falls back to ``$SPEECHFLOWS_EMULATOR_KEY``, then to the default key; ``faults`` is
    :class:`FaultConfig` as JSON; ``quota`` is ``REQUESTS/WINDOW`` per key, e.g. ``50/10s``.
    """
    return EmulatorConfig(
        data_dir=data_dir,
        key=key or os.environ.get(KEY_ENV) or DEFAULT_KEY,
        accept_bearer=accept_bearer,
        step_seconds=step_seconds,
        model_training_seconds=model_training_seconds,
        min_utterance_count=min_utterance_count,
        faults=FaultConfig.model_validate_json(faults) if faults else FaultConfig(),
        quota=parse_quota(quota) if quota else None,
    )


def remote_refused(host: str) -> str:
    """Why ``host`` is refused without ``--allow-remote``, and the fix."""
    return (
        f"--host {host} is not a loopback address: the emulator listens on loopback only "
        "(127.0.0.1, ::1, localhost) unless --allow-remote is given, for a rehearsal across hosts "
        "on an address of this host (clients then need SPEECHFLOWS_SPEECH_ALLOW_HTTP=true). "
        f"Fix: --host 127.0.0.1, or add --allow-remote to --host {host}"
    )


def serve(
    config: EmulatorConfig, *, port: int, host: str = "127.0.0.1", allow_remote: bool = False
) -> None:
    """Run until interrupted. Loopback only, unless ``allow_remote`` (a rehearsal across hosts:
    the address of a network namespace a test creates; clients then need
    ``SPEECHFLOWS_SPEECH_ALLOW_HTTP=true``, the emulator speaks plain http)."""
    import uvicorn

    if not is_loopback_host(host) and not allow_remote:
        raise ValueError(remote_refused(host))
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m speechflows.emulator --port P --data-dir D [--key K] [--step-seconds S]``."""
    parser = argparse.ArgumentParser(prog="python -m speechflows.emulator")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow a --host that is not loopback"
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".speechflows/emulator"))
    parser.add_argument("--key", default=None, help=f"resource key (default: ${KEY_ENV})")
    parser.add_argument("--accept-bearer", action="store_true")
    parser.add_argument("--step-seconds", type=float, default=0.05)
    parser.add_argument("--model-training-seconds", type=float, default=0.2)
    parser.add_argument("--min-utterance-count", type=int, default=300)
    parser.add_argument("--faults", default=None, help="FaultConfig as JSON")
    parser.add_argument(
        "--quota", default=None, help="requests per window per key, e.g. 50/10s (429 past it)"
    )
    args = parser.parse_args(argv)
    if not is_loopback_host(args.host) and not args.allow_remote:
        parser.error(remote_refused(args.host))  # exit 2 with usage, before anything listens
    config = build_config(
        args.data_dir,
        key=args.key,
        accept_bearer=args.accept_bearer,
        step_seconds=args.step_seconds,
        model_training_seconds=args.model_training_seconds,
        min_utterance_count=args.min_utterance_count,
        faults=args.faults,
        quota=args.quota,
    )
    serve(config, port=args.port, host=args.host, allow_remote=args.allow_remote)
