"""Configuration of the emulator: where state lives, the key, timing and faults.

>>> cfg = EmulatorConfig(data_dir=Path("/tmp/emu"), key="k" * 32)
>>> cfg.step_seconds < 1
True
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

CUSTOM_VOICE_VERSIONS = ("2026-01-01", "2024-02-01-preview", "2023-12-01-preview")
SPEECH_TO_TEXT_QUERY_VERSIONS = ("2025-10-15",)
SPEECH_TO_TEXT_PATH_VERSIONS = ("v3.2",)
DEFAULT_KEY = "speechflows-emulator-key"


class RateLimit(BaseModel):
    """At most ``requests`` API requests per sliding ``window_seconds``; more get 429."""

    model_config = ConfigDict(extra="forbid")

    requests: int = Field(ge=1)
    window_seconds: float = Field(gt=0)


_QUOTA = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0}


def parse_quota(text: str) -> RateLimit:
    """``"50/10s"`` (requests / window; units ``ms``, ``s``, ``m``; default ``s``) as a RateLimit.

    >>> parse_quota("50/10s")
    RateLimit(requests=50, window_seconds=10.0)
    >>> parse_quota("600/1m").window_seconds
    60.0
    """
    match = _QUOTA.match(text)
    if match is None:
        raise ValueError(
            f"quota {text!r} is not REQUESTS/WINDOW; write e.g. 50/10s (Azure's personal voice "
            "quota) or 100/10s (speech to text)"
        )
    count, window, unit = match.groups()
    return RateLimit(requests=int(count), window_seconds=float(window) * _UNIT_SECONDS[unit or "s"])


class FaultConfig(BaseModel):
    """Faults switched on for reliability tests and demos (all off by default).

    Attributes:
        rate_limit: N requests per window, then 429 with ``Retry-After``.
        error_ratio: share of API requests answered with ``error_status`` (not executed).
        error_status: the 5xx status used by ``error_ratio``.
        latency_ms: added to every API request.
        drop_ratio: share of API requests whose connection is dropped without a response.
        drop_after: drop *after* executing the request (the client cannot know it happened).
        stuck_operations: operations stay Running until this is switched off.
        fail_operations: operations end Failed (reason ``Internal``) instead of their result.
        drop_match: drop (``drop_after``: after executing) only the API requests whose
            ``"METHOD /path"`` contains this text, ``drop_count`` times (e.g.
            ``":upload"``: the answer to a training-set upload is lost once).
        drop_count: how many matching requests ``drop_match`` drops.
        stale_resources: collections (e.g. ``["trainingsets"]``) whose resources keep the status
            they had when their operation ends with its result (their other fields change): an
            operation and its resource that disagree, as after the repeated ``:upload`` of
            issue 26.
        seed: seed of the random draws, for reproducible runs.
    """

    model_config = ConfigDict(extra="forbid")

    rate_limit: RateLimit | None = None
    error_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    error_status: int = Field(default=503, ge=500, le=599)
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    drop_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    drop_after: bool = False
    stuck_operations: bool = False
    fail_operations: bool = False
    drop_match: str | None = None
    drop_count: int = Field(default=1, ge=0)
    stale_resources: list[str] = Field(default_factory=list)
    seed: int | None = None


class EmulatorConfig(BaseModel):
    """Everything :func:`speechflows.emulator.create_app` needs.

    Attributes:
        data_dir: SQLite state, uploaded files and downloads live here; a restart resumes from it.
        key: the value ``Ocp-Apim-Subscription-Key`` must carry.
        accept_bearer: also accept any ``Authorization: Bearer <token>`` (Entra ID rehearsal).
        step_seconds: time spent in each operation state (NotStarted, Running) at least.
        model_training_seconds: time a model training stays Running.
        retry_after_seconds: ``Retry-After`` on Speech to text GETs of non-terminal entities.
        min_utterance_count: the recipes' ``minUtteranceCount`` (Azure: 300), enforced on training.
        max_download_bytes: refuse customer files larger than this.
        quota: Azure's request quota, per key (subscription key or bearer token): past
            ``requests`` in a sliding ``window_seconds``, an API request gets 429 with
            ``Retry-After`` and has no effect. ``None``: no quota.
        faults: see :class:`FaultConfig`.
    """

    model_config = ConfigDict(extra="forbid")

    data_dir: Path
    key: SecretStr = SecretStr(DEFAULT_KEY)
    accept_bearer: bool = False
    step_seconds: float = Field(default=0.05, ge=0.0, le=3600.0)
    model_training_seconds: float = Field(default=0.2, ge=0.0, le=86400.0)
    retry_after_seconds: int = Field(default=1, ge=0, le=3600)
    min_utterance_count: int = Field(default=300, ge=1)
    max_download_bytes: int = Field(default=2 * 1024**3, ge=1)
    quota: RateLimit | None = None
    faults: FaultConfig = Field(default_factory=FaultConfig)
