"""Cache policies keyed on content and target, persisted across flow runs.

Prefect's ``DEFAULT`` policy includes the flow run id, so it never reuses anything across runs
(reference/prefect.md §2). :class:`ContentKey` instead hashes exactly what makes a step's result
valid: the inputs that matter (a manifest hash, an id, a kind...) plus the *target* — which Speech
resource and which storage account/container the settings point at — so pointing the same flow at
another resource never reuses a result that belongs to the first one. Secrets never enter the key.

>>> policy = ContentKey(fields=("training_set_id", "manifest_hash"), target=("speech",))
>>> policy.fields
('training_set_id', 'manifest_hash')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from pathlib import Path, PurePath
from typing import Any, Literal, ParamSpec, TypeVar
from uuid import UUID

from prefect import Task, task
from prefect.cache_policies import CachePolicy
from pydantic import BaseModel

from speechflows.settings import load_speech_settings, load_storage_settings
from speechflows.tasks.retries import retry_options

Target = Literal["speech", "storage"]

# Bump when a cached result's meaning changes, so old cache entries are ignored.
CACHE_VERSION = "1"
# Long enough for a re-run days later; short enough that a resource deleted by hand is noticed.
CACHE_EXPIRATION = timedelta(days=7)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def canonical(value: Any) -> Any:
    """A JSON-ready, order-stable form of ``value`` for hashing."""
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(canonical(v) for v in value)
    if isinstance(value, PurePath):
        return str(Path(value).expanduser().resolve()) if isinstance(value, Path) else str(value)
    if isinstance(value, Enum):
        return canonical(value.value)
    if isinstance(value, UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(
        f"cannot build a cache key from a {type(value).__name__}; pass ids, paths, hashes or "
        "pydantic models to cached tasks"
    )


def speech_target() -> str:
    """The Speech resource the settings point at (endpoint and API versions; no key)."""
    s = load_speech_settings()
    return f"{s.base_url}|cv={s.custom_voice_api_version}|stt={s.speech_to_text_api_version}"


def storage_target(container: str | None = None) -> str:
    """The storage account and container the settings point at (no key)."""
    s = load_storage_settings()
    parts = s.connection_parts
    account = (
        s.account_url
        or parts.get("BlobEndpoint")
        or (f"{parts.get('AccountName', '?')}.{parts.get('EndpointSuffix', 'core.windows.net')}")
    )
    return f"{account.rstrip('/')}|{container or s.container}"


def content_key(
    name: str, values: dict[str, Any], target: tuple[Target, ...] = (), container: str | None = None
) -> str:
    """The hex key for ``name`` over ``values`` and the targets (also used outside Prefect)."""
    doc: dict[str, Any] = {"v": CACHE_VERSION, "step": name, "inputs": canonical(values)}
    if "speech" in target:
        doc["speech"] = speech_target()
    if "storage" in target:
        doc["storage"] = storage_target(container)
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return f"{name}-{hashlib.sha256(blob).hexdigest()[:40]}"


@dataclass(kw_only=True)
class ContentKey(CachePolicy):
    """Cache on the named task inputs plus the Speech and/or storage target.

    Args:
        fields: names of the task parameters that define the result.
        target: which settings-defined targets belong in the key.
        container_field: the task parameter holding an explicit container name, if any.
    """

    fields: tuple[str, ...] = ()
    target: tuple[Target, ...] = ()
    container_field: str | None = None
    name: str | None = field(default=None)

    def compute_key(
        self,
        task_ctx: Any,
        inputs: dict[str, Any],
        flow_parameters: dict[str, Any],
        **kwargs: Any,
    ) -> str | None:
        missing = [f for f in self.fields if f not in inputs]
        if missing:
            raise ValueError(
                f"cache policy expects task parameters {missing}; add them to the task or the "
                "policy's fields"
            )
        step = str(self.name or getattr(getattr(task_ctx, "task", None), "name", None) or "task")
        container = inputs.get(self.container_field) if self.container_field else None
        try:
            return content_key(
                _slug(step), {f: inputs[f] for f in self.fields}, self.target, container
            )
        except Exception:  # no settings: no caching; the task body reports why
            return None


def cached_task(
    name: str,
    run_name: str,
    fields: tuple[str, ...],
    *,
    target: tuple[Target, ...] = ("speech",),
    container_field: str | None = None,
    retried: bool = True,
) -> Callable[[Callable[_P, _R]], Task[_P, _R]]:
    """``@task`` named ``name``/``run_name`` whose result is cached on ``fields`` + ``target``
    (:class:`ContentKey`) for :data:`CACHE_EXPIRATION`, with the transient-only retries of
    :func:`~speechflows.tasks.retries.retry_options` unless ``retried`` is False.

    >>> @cached_task("Wait for thing", "wait {thing_id}", ("thing_id",))
    ... def wait_for_thing(thing_id: str) -> str:
    ...     return thing_id
    >>> wait_for_thing.cache_policy.fields, wait_for_thing.retries
    (('thing_id',), 3)
    """
    return task(
        name=name,
        task_run_name=run_name,
        cache_policy=ContentKey(fields=fields, target=target, container_field=container_field),
        cache_expiration=CACHE_EXPIRATION,
        **(retry_options() if retried else {}),
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40] or "task"


__all__ = [
    "CACHE_EXPIRATION",
    "CACHE_VERSION",
    "ContentKey",
    "cached_task",
    "canonical",
    "content_key",
    "speech_target",
    "storage_target",
]
