"""``speechflows serve``: the deployments of prefect.yaml served from one process, without a worker.

Reads ``prefect.yaml`` (so names, parameters, tags, schedules and triggers are the same as with a
work pool) and calls :func:`prefect.serve`. The process polls the server every
``PREFECT_RUNNER_POLL_FREQUENCY`` seconds and runs flows as its own subprocesses; served
deployments take over the work-pool deployments of the same names until ``speechflows deploy``
is run again. Stops on one SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from prefect import serve
from prefect.events import DeploymentTriggerTypes
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Cron, Interval
from pydantic import TypeAdapter

from speechflows.deployments.setup import PROJECT_ROOT, SetupError


def load_deployment_specs(root: Path = PROJECT_ROOT) -> list[dict[str, Any]]:
    """The ``deployments:`` entries of ``root/prefect.yaml`` (YAML anchors resolved)."""
    path = root / "prefect.yaml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SetupError(f"{path}: cannot read the deployments ({exc})") from exc
    specs = config.get("deployments") if isinstance(config, dict) else None
    if not isinstance(specs, list) or not specs:
        raise SetupError(f"{path}: no `deployments:` list; restore the file from git")
    return [dict(s) for s in specs]


def _schedules(spec: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for item in spec.get("schedules") or []:
        active = bool(item.get("active", True))
        if "cron" in item:
            out.append(Cron(item["cron"], timezone=item.get("timezone"), active=active))
        elif "interval" in item:
            out.append(Interval(float(item["interval"]), active=active))
        else:
            raise SetupError(f"deployment {spec.get('name')!r}: unsupported schedule {item!r}")
    return out


def build_runner_deployments(
    root: Path = PROJECT_ROOT, names: list[str] | None = None
) -> list[Any]:
    """``RunnerDeployment`` objects for the deployments in prefect.yaml (all, or ``names``)."""
    adapter: TypeAdapter[Any] = TypeAdapter(DeploymentTriggerTypes)
    deployments: list[Any] = []
    for spec in load_deployment_specs(root):
        name = str(spec["name"])
        if names and name not in names:
            continue
        # Module form (speechflows.flows.x:flow): the installed package, on any machine.
        flow: Any = load_flow_from_entrypoint(str(spec["entrypoint"]))
        triggers = [
            adapter.validate_python({"name": f"{name}__automation_{i}", **t})
            for i, t in enumerate(spec.get("triggers") or [], start=1)
        ]
        deployments.append(
            flow.to_deployment(
                name=name,
                description=spec.get("description"),
                tags=list(spec.get("tags") or []),
                parameters=dict(spec.get("parameters") or {}),
                schedules=_schedules(spec),
                triggers=triggers or None,
                enforce_parameter_schema=bool(spec.get("enforce_parameter_schema", True)),
                concurrency_limit=spec.get("concurrency_limit"),
            )
        )
    if names:
        missing = sorted(set(names) - {d.name for d in deployments})
        if missing:
            raise SetupError(f"no deployment named {', '.join(missing)} in prefect.yaml")
    return deployments


def serve_all(*, root: Path = PROJECT_ROOT, names: list[str] | None = None, limit: int = 4) -> None:
    """Serve the deployments of prefect.yaml until stopped (flow runs execute in ``root``)."""
    os.chdir(root)
    serve(*build_runner_deployments(root, names), limit=limit)


__all__ = ["build_runner_deployments", "load_deployment_specs", "serve_all"]
