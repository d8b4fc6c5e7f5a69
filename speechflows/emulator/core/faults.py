"""Faults on demand: rate limit, 5xx, latency, dropped connections, stuck or failing operations.

Set from :class:`~speechflows.emulator.core.config.FaultConfig` at start and changed at run time
through ``POST /_emulator/faults`` (see :mod:`speechflows.emulator.admin`). Request faults apply to
API requests only (never to ``/_emulator/``); a request refused by a fault has no effect, except with
``drop_after`` where the request runs and only its answer is lost. ``drop_match`` aims the drop at
the first ``drop_count`` requests whose ``METHOD /path`` contains its text (one lost answer at one
chosen moment, e.g. of a training-set ``:upload``); ``stale_resources`` ends operations while
their resources keep their status (see :class:`~speechflows.emulator.core.config.FaultConfig`).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass

from speechflows.emulator.core.config import FaultConfig, RateLimit


@dataclass(frozen=True)
class Decision:
    """What to do with one API request."""

    latency_s: float = 0.0
    retry_after: int | None = None  # set: answer 429 with this Retry-After
    error_status: int | None = None  # set: answer this 5xx
    drop: bool = False
    drop_after: bool = False


class Faults:
    """The current fault configuration and its state (the rate limiter's window, the RNG)."""

    def __init__(self, config: FaultConfig | None = None, quota: RateLimit | None = None) -> None:
        self.quota = Quota(quota)
        self._lock = threading.Lock()
        self._hits: deque[float] = deque()
        self.requests_seen = 0
        self.refused: dict[str, int] = {"rate_limited": 0, "errors": 0, "dropped": 0}
        self.config = config or FaultConfig()
        self._rng = random.Random(self.config.seed)
        self._match_left = self.config.drop_count

    def set(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._hits.clear()
            self._match_left = config.drop_count

    def decide(self, now: float | None = None, request: str = "") -> Decision:
        """Draw the fate of one API request (``request``: ``"METHOD /path"``)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            cfg = self.config
            self.requests_seen += 1
            latency = cfg.latency_ms / 1000.0
            if cfg.drop_match and self._match_left > 0 and cfg.drop_match in request:
                self._match_left -= 1
                self.refused["dropped"] += 1
                return Decision(
                    latency_s=latency, drop=not cfg.drop_after, drop_after=cfg.drop_after
                )
            limit = cfg.rate_limit
            if limit is not None:
                while self._hits and self._hits[0] <= now - limit.window_seconds:
                    self._hits.popleft()
                if len(self._hits) >= limit.requests:
                    wait = self._hits[0] + limit.window_seconds - now
                    self.refused["rate_limited"] += 1
                    return Decision(latency_s=latency, retry_after=max(1, math.ceil(wait)))
                self._hits.append(now)
            if cfg.drop_ratio and self._rng.random() < cfg.drop_ratio:
                self.refused["dropped"] += 1
                return Decision(
                    latency_s=latency, drop=not cfg.drop_after, drop_after=cfg.drop_after
                )
            if cfg.error_ratio and self._rng.random() < cfg.error_ratio:
                self.refused["errors"] += 1
                return Decision(latency_s=latency, error_status=cfg.error_status)
            return Decision(latency_s=latency)

    @property
    def stuck(self) -> bool:
        return self.config.stuck_operations

    @property
    def failing(self) -> bool:
        return self.config.fail_operations

    def stale(self, collection: str) -> bool:
        return collection in self.config.stale_resources

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "config": self.config.model_dump(mode="json"),
                "requests_seen": self.requests_seen,
                "refused": dict(self.refused),
                "quota": self.quota.snapshot(),
            }


class Quota:
    """Azure's request quota, one sliding window per key (``EmulatorConfig.quota``).

    A request past the quota is refused (429 with ``Retry-After``, no effect) and does not count.
    The peaks are the most requests one key had in any window: ``peak_accepted`` of those served
    (never above the quota), ``peak_sent`` of all it sent, refused ones included (what the client
    asked of the service; above the quota when the client does not pace itself).
    """

    def __init__(self, limit: RateLimit | None) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._sent: dict[str, deque[float]] = {}
        self.accepted = 0
        self.throttled = 0
        self.peak_accepted = 0
        self.peak_sent = 0

    def check(self, key: str, now: float | None = None) -> int | None:
        """None when ``key`` may send this request now; else the Retry-After in seconds."""
        limit = self.limit
        if limit is None:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            sent = self._sent.setdefault(key, deque())
            for window in (hits, sent):
                while window and window[0] <= now - limit.window_seconds:
                    window.popleft()
            sent.append(now)
            self.peak_sent = max(self.peak_sent, len(sent))
            if len(hits) >= limit.requests:
                self.throttled += 1
                return max(1, math.ceil(hits[0] + limit.window_seconds - now))
            hits.append(now)
            self.accepted += 1
            self.peak_accepted = max(self.peak_accepted, len(hits))
            return None

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "limit": self.limit.model_dump(mode="json") if self.limit else None,
                "accepted": self.accepted,
                "throttled": self.throttled,
                "peak_accepted": self.peak_accepted,
                "peak_sent": self.peak_sent,
            }
