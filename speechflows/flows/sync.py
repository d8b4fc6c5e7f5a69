"""The ``sync`` flow: onboard every new or changed dataset folder in a drop location.

Scheduled nightly (prefect.yaml) and triggered by ``speechflows.dataset.dropped`` events. For each
dataset folder (see :mod:`speechflows.flows.drops`) it creates one flow run of the right
onboarding deployment, tagged with the folder's identity (location + content hash). A folder whose
identity already has a run that did not fail is skipped, so an unchanged folder is onboarded once;
a changed one gets a new identity and is onboarded again. Creating the run with an idempotency key
makes two overlapping syncs agree on one run.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType
from prefect.events import emit_event
from pydantic import BaseModel, Field

from speechflows.flows.blob_drops import scan_blob
from speechflows.flows.drops import DropError, DroppedDataset, parse_drop, scan_local
from speechflows.location import DataLocation
from speechflows.tasks.locks import resource_lock

SYNC_TAG = "speechflows-sync"
_RETRYABLE = {StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}


class SyncItem(BaseModel):
    """What the sync did with one dataset folder."""

    name: str
    onboarding: str
    deployment: str
    content_hash: str
    action: str = Field(description="launched | skipped")
    flow_run_id: str | None = None
    flow_run_name: str | None = None


class SyncResult(BaseModel):
    """The outcome of one sync: launched and skipped folders, and invalid descriptors."""

    drop: str
    items: list[SyncItem] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)

    @property
    def launched(self) -> list[SyncItem]:
        return [i for i in self.items if i.action == "launched"]

    @property
    def skipped(self) -> list[SyncItem]:
        return [i for i in self.items if i.action == "skipped"]


class SyncError(RuntimeError):
    """Some descriptors were invalid; valid folders were still onboarded."""


def identity_tag(dataset: DroppedDataset) -> str:
    """The tag that marks every run onboarding this exact folder content."""
    return f"sf-drop-{dataset.identity}"


def drop_location(drop: str) -> str:
    """The identity of a drop location: ``blob://<container>/<prefix>``, a local folder's
    absolute path."""
    return parse_drop(drop).display


@task(name="scan-drop-location", retries=2, retry_delay_seconds=5)
def scan(drop: DataLocation, cache_dir: str | None) -> tuple[list[DroppedDataset], list[str]]:
    """Find dataset folders and their content hashes in a local folder or a Blob prefix."""
    if drop.in_place:
        return scan_blob(drop)  # read in place: no cache, nothing downloaded
    return scan_local(drop.local)


@task(name="launch-onboarding")
def launch(dataset: DroppedDataset, extra_tags: list[str]) -> SyncItem:
    """Create the onboarding run for ``dataset`` unless one for the same content exists."""
    logger = get_run_logger()
    tag = identity_tag(dataset)
    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[dataset.deployment]))
        )
        if len(deployments) != 1:
            raise DropError(
                f"{dataset.location}: expected one deployment named {dataset.deployment!r}, found "
                f"{len(deployments)}; apply prefect.yaml (`speechflows deploy`) or set "
                '"deployment" in the descriptor'
            )
        deployment = deployments[0]
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[deployment.id]),
                tags=FlowRunFilterTags(all_=[tag]),
            )
        )
        alive = [r for r in runs if r.state is None or r.state.type not in _RETRYABLE]
        base = {
            "name": dataset.name,
            "onboarding": dataset.onboarding,
            "deployment": dataset.deployment,
            "content_hash": dataset.content_hash,
        }
        if alive:
            logger.info(
                "skipping %s: unchanged since flow run %s (%s)",
                dataset.name,
                alive[0].name,
                alive[0].state_name,
            )
            return SyncItem(
                **base, action="skipped", flow_run_id=str(alive[0].id), flow_run_name=alive[0].name
            )
        run = client.create_flow_run_from_deployment(
            deployment.id,
            parameters=dataset.parameters,
            tags=[SYNC_TAG, tag, *extra_tags],
            # Failed attempts don't count: a new attempt gets a new key.
            idempotency_key=f"{tag}-attempt-{len(runs)}",
        )
    logger.info("launched %s as flow run %s of %s", dataset.name, run.name, dataset.deployment)
    emit_event(
        event="speechflows.sync.launched",
        resource={
            "prefect.resource.id": f"speechflows.drop.{dataset.identity}",
            "prefect.resource.name": dataset.name,
        },
        related=[
            {
                "prefect.resource.id": f"prefect.flow-run.{run.id}",
                "prefect.resource.role": "flow-run",
            }
        ],
        payload={"onboarding": dataset.onboarding, "content_hash": dataset.content_hash},
    )
    return SyncItem(**base, action="launched", flow_run_id=str(run.id), flow_run_name=run.name)


@flow(name="sync", log_prints=True)
def sync(
    drop: str = ".speechflows/drop",
    tags: list[str] | None = None,
    cache_dir: str | None = None,
) -> SyncResult:
    """Onboard every new or changed dataset folder in a drop location; skip unchanged ones.

    Args:
        drop: Local folder (absolute, or relative to the project), a single dataset folder, or
            ``blob://<container>/<prefix>`` in the configured storage account.
        tags: Extra tags for the onboarding runs.
        cache_dir: Ignored (kept so older deployments still start): Blob drops are no longer
            downloaded; the onboardings read them in place, on any worker.
    """
    logger = get_run_logger()
    # One guard per drop location, whichever deployment runs it (nightly `sync`, event-triggered
    # `on-dataset-dropped`): a second sync of the same location waits, then skips what the first
    # launched. Syncs of other locations run in parallel.
    location = parse_drop(drop)  # parsed once: the steps receive the DataLocation
    with resource_lock("drop", location.display):
        datasets, errors = scan(location, cache_dir)
        for message in errors:
            logger.error("invalid descriptor: %s", message)
        result = SyncResult(drop=drop, errors=errors)
        for dataset in datasets:
            result.items.append(launch(dataset, list(tags or [])))
    rows: list[dict[str, Any]] = [
        {
            "folder": i.name,
            "onboarding": i.onboarding,
            "action": i.action,
            "flow run": i.flow_run_name,
            "content hash": i.content_hash[:12],
        }
        for i in result.items
    ] + [
        {
            "folder": e,
            "onboarding": None,
            "action": "invalid",
            "flow run": None,
            "content hash": None,
        }
        for e in errors
    ]
    if rows:
        create_table_artifact(
            key="speechflows-sync",
            table=rows,
            description=f"sync of {drop}: what was launched and skipped",
        )
    logger.info(
        "sync of %s: %d launched, %d skipped, %d invalid",
        drop,
        len(result.launched),
        len(result.skipped),
        len(errors),
    )
    if errors:
        raise SyncError(f"{len(errors)} invalid descriptor(s): " + " | ".join(errors))
    return result


__all__ = ["SYNC_TAG", "SyncError", "SyncItem", "SyncResult", "identity_tag", "sync"]
