"""The run report of an onboarding, collected on the side and published when the flow ends.

An onboarding runs its steps inside ``with RunReport(title, key) as report:``. The steps add to
the report of the run they are in without passing it around: :func:`stage` times a stage,
:func:`record` lists a resource (a later record of the same kind and id replaces it),
:func:`figures`, :func:`rejects` and :func:`note` add the rest. When the block ends, by a return or
an exception (then with the redacted reason), the report is published: the markdown artifact,
and a link artifact per resource created in this run. :meth:`RunReport.complete` fills the
timings, the report key and the duration into the flow's result.

Outside a reported flow the helpers write to a throwaway report, so a step also works on its own.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar

from prefect.exceptions import Pause
from prefect.logging import get_run_logger

from speechflows.flows.results import OnboardingResult
from speechflows.redaction import redact_text
from speechflows.tasks import artifacts
from speechflows.tasks.outcomes import ResourceOutcome, StageTiming, ValidationOutcome

R = TypeVar("R", bound=OnboardingResult)
Res = TypeVar("Res", bound=ResourceOutcome)


class RunReport:
    """What one onboarding run did: resources, figures, rejects, notes and stage timings."""

    def __init__(self, title: str, key: str) -> None:
        self.title = title
        self.key = key
        self.started = time.monotonic()
        self.timings: list[StageTiming] = []
        self.resources: dict[tuple[str, str], ResourceOutcome] = {}
        self.facts: list[tuple[str, object]] = []
        self.rejects: list[tuple[str, str, str]] = []
        self.notes: list[str] = []

    @property
    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def publish(self, error: BaseException | None = None) -> None:
        """Write the markdown report, and a link artifact per resource created in this run.

        Reused resources keep the link artifact (same key) written when they were created; the
        report links every resource either way.
        """
        status = "Completed" if error is None else f"Failed: {redact_text(str(error))}"
        if isinstance(error, Pause):  # parked on a long wait (tasks/parking.py), not failed
            status = "Suspended: waiting for the service; the watch deployment resumes this run"
        present = list(self.resources.values())
        text = artifacts.render_report(
            self.title,
            resources=present,
            facts=self.facts,
            rejects=self.rejects,
            timings=self.timings,
            notes=self.notes,
            status=status,
        )
        artifacts.markdown(text, self.key, description=self.title)
        for r in present:
            if r.url and r.action == "created":
                artifacts.link(
                    r.url,
                    f"{r.kind} {r.id} ({artifacts.API_LINK_TEXT})",
                    link_key(self.key, r),
                    description=_link_description(self.title, r),
                )

    def __enter__(self) -> RunReport:
        self._token = _current.set(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _current.reset(self._token)
        self.publish(error)

    def complete(self, result: R) -> R:
        """``result`` with this run's timings, report key and duration (logged with a summary)."""
        get_run_logger().info(
            "%s: done; created %s; reused %s",
            self.title,
            result.created or "nothing",
            result.reused or "nothing",
        )
        return result.model_copy(
            update={"timings": list(self.timings), "report_key": self.key, "seconds": self.seconds}
        )


def link_key(report_key: str, r: ResourceOutcome) -> str:
    """The key of a resource's link artifact: the report's subject, the kind and the name
    (a dataset's display name tells two datasets of one project apart), then ``link``.

    >>> link_key("report-my-voice-trainingset", ResourceOutcome(kind="training set", id="x"))
    'my-voice-trainingset-link'
    """
    return artifacts.artifact_key(
        report_key.removeprefix("report-"), r.kind, r.display_name or "", "link"
    )


def _link_description(title: str, r: ResourceOutcome) -> str:
    """What a resource's link artifact points at, and how to see the resource in a browser."""
    name = f" ({r.display_name})" if r.display_name else ""
    where = (
        f"Speech Studio ({artifacts.SPEECH_STUDIO_CUSTOM_SPEECH}), this resource's project"
        if "/speechtotext/" in (r.url or "")
        else "Speech Studio, Custom voice, this resource's project"
    )
    return (
        f"{title}: the {r.kind} `{r.id}`{name} on the Speech REST API. It answers only with "
        f"the Speech resource key (a browser gets 401); to see it in a browser, open {where} "
        f"and look for `{r.id}`."
    )


_current: contextvars.ContextVar[RunReport | None] = contextvars.ContextVar(
    "speechflows_run_report", default=None
)


def current() -> RunReport:
    """The report of the running onboarding (a throwaway one outside a report's block)."""
    return _current.get() or RunReport("", "")


@contextmanager
def stage(name: str, note: str = "") -> Iterator[None]:
    """Time a stage of the onboarding (logged, and listed in the report and the result)."""
    report = current()
    start = time.monotonic()
    get_run_logger().info("stage %s: started", name)
    try:
        yield
    finally:
        seconds = round(time.monotonic() - start, 3)
        report.timings.append(StageTiming(stage=name, seconds=seconds, note=note))
        get_run_logger().info("stage %s: %.2f s", name, seconds)


def record(resource: Res) -> Res:
    """List ``resource`` in the report (replacing an earlier record of it); return it."""
    current().resources[(resource.kind, resource.id)] = resource
    return resource


def figures(*facts: tuple[str, object]) -> None:
    """Add (label, value) figures to the report."""
    current().facts.extend(facts)


def rejects(rows: Sequence[tuple[str, str, str]]) -> None:
    """Add (file, code, reason) rows of rejected files to the report."""
    current().rejects.extend(rows)


def note(text: str) -> None:
    """Add a free-text remark to the report."""
    current().notes.append(text)


def rejects_of(outcome: ValidationOutcome, prefix: str = "") -> list[tuple[str, str, str]]:
    """(file, code, reason) rows of the errors of a validation (``prefix`` before each file)."""
    rows = []
    for r in outcome.rows:
        if str(r.get("severity", "")).lower() == "error":
            line = f":{r['line']}" if r.get("line") else ""
            reason = (
                f"{r.get('rule', '')} (found {r.get('value')})"
                if r.get("value")
                else str(r.get("rule", ""))
            )
            rows.append((f"{prefix}{r.get('file')}{line}", str(r.get("code", "")), reason))
    return rows


__all__ = [
    "RunReport",
    "current",
    "figures",
    "link_key",
    "note",
    "record",
    "rejects",
    "rejects_of",
    "stage",
]
