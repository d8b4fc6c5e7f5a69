"""What every benchmark prints beside its figures: the machine's load and the spread of runs.

The 2 cores are shared with other engineers' test runs, so a figure without the load it was
measured under says little. :class:`Load` samples, over one measured interval, the load average
and the CPU share used by everything except this process (and the helper processes it names,
e.g. Azurite): ``other_cpu_pct``, 100 = every core busy with somebody else's work.
:func:`spread` reports ``min`` / ``median`` / ``max`` of repeated runs; :func:`ratio_spread`
pairs the i-th runs of two interleaved series.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

T = TypeVar("T")


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def _own_seconds(procs: Sequence[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            c = p.cpu_times()
            total += c.user + c.system + c.children_user + c.children_system
        except psutil.Error:
            pass
    return total


@dataclass
class Sample:
    """One measured interval: wall seconds, our CPU seconds, and the machine's load."""

    seconds: float
    cpu_s: float
    helpers_cpu_s: float
    other_cpu_pct: float
    loadavg_1m: float

    def load(self) -> dict[str, float]:
        return {
            "loadavg_1m": round(self.loadavg_1m, 2),
            "other_cpu_pct": round(self.other_cpu_pct, 1),
        }


@dataclass
class Meter:
    """Measures intervals. ``cpu_s`` is this process; ``helpers_cpu_s`` its child processes
    (Azurite, the emulator, the embedded Prefect server...) plus ``helper_pids``; the rest of
    the machine's busy time is ``other_cpu_pct``."""

    helper_pids: list[int] = field(default_factory=list)

    def _helpers(self) -> dict[int, psutil.Process]:
        procs = {p.pid: p for p in psutil.Process().children(recursive=True)}
        for pid in self.helper_pids:
            if pid not in procs:
                with contextlib.suppress(psutil.Error):
                    procs[pid] = psutil.Process(pid)
        return procs

    def measure(self, fn: Callable[[], T]) -> tuple[Sample, T]:
        me = psutil.Process()
        before = self._helpers()
        h0 = {pid: _own_seconds([p]) for pid, p in before.items()}
        t0, cpu0, busy0 = time.perf_counter(), _own_seconds([me]), _busy_seconds()
        out = fn()
        t1, cpu1, busy1 = time.perf_counter(), _own_seconds([me]), _busy_seconds()
        after = {**before, **self._helpers()}
        helpers = sum(max(0.0, _own_seconds([p]) - h0.get(pid, 0.0)) for pid, p in after.items())
        wall, cpus = max(t1 - t0, 1e-9), psutil.cpu_count() or 1
        other = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - helpers)
        sample = Sample(
            seconds=wall,
            cpu_s=cpu1 - cpu0,
            helpers_cpu_s=helpers,
            other_cpu_pct=min(100.0, 100 * other / wall / cpus),
            loadavg_1m=os.getloadavg()[0],
        )
        return sample, out


def spread(values: Iterable[float], digits: int = 3) -> dict[str, float]:
    """``{"min", "median", "max", "n"}`` of repeated measurements."""
    v = sorted(values)
    if not v:
        return {"n": 0}
    return {
        "min": round(v[0], digits),
        "median": round(statistics.median(v), digits),
        "max": round(v[-1], digits),
        "n": len(v),
    }


def ratio_spread(num: Sequence[float], den: Sequence[float], digits: int = 3) -> dict[str, float]:
    """Spread of ``num[i] / den[i]`` over interleaved rounds (each pair ran back to back)."""
    return spread((a / b for a, b in zip(num, den, strict=False) if b > 0), digits)


def load_spread(samples: Iterable[Sample]) -> dict[str, Any]:
    """The load over a set of intervals: load average and other processes' CPU share."""
    s = list(samples)
    return {
        "loadavg_1m": spread((x.loadavg_1m for x in s), 2),
        "other_cpu_pct": spread((x.other_cpu_pct for x in s), 1),
        "cpus": psutil.cpu_count(),
    }


def machine() -> dict[str, Any]:
    """A one-off snapshot: load averages and core count, with the UTC date."""
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpus": psutil.cpu_count(),
    }


def emit(**figures: Any) -> None:
    """One JSON line on stdout, flushed: a benchmark's result (``make bench`` shows these)."""
    print(json.dumps(figures), flush=True)


def note(**figures: Any) -> None:
    """One JSON line on stderr: a single run's figures, the detail behind the result line."""
    print(json.dumps(figures), file=sys.stderr, flush=True)


__all__ = ["Meter", "Sample", "emit", "load_spread", "machine", "note", "ratio_spread", "spread"]


def workdir(name: str, **more_env: str) -> Path:
    """A fresh working directory ``sf-bench-<name>-*``; the environment this benchmark's Prefect
    runs with, where it is not set already: no telemetry, its home in that directory, and
    ``more_env``. Call it before importing Prefect."""
    root = Path(tempfile.mkdtemp(prefix=f"sf-bench-{name}-"))
    env = {
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(root / "prefect-home"),
        **more_env,
    }
    for key, value in env.items():
        os.environ.setdefault(key, value)
    return root


def stack_workdir(name: str, checkout: Path) -> Path:
    """A fresh working directory ``sf-bench-<name>-*`` for a benchmark on the deployment stack;
    the environment set (not defaulted: the workers' flow runs must import ``checkout``): no
    telemetry, Prefect's home in that directory, ``checkout`` first on PYTHONPATH. Call it
    before importing Prefect."""
    root = Path(tempfile.mkdtemp(prefix=f"sf-bench-{name}-"))
    os.environ.update(
        {
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_HOME": str(root / "prefect-home"),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(checkout), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    return root
