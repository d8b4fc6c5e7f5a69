"""``speechflows list``, ``delete`` and ``cancel``: see what exists in the Speech resource, clean up.

``list [--project P]`` prints every Custom Voice and Speech to text resource (status, age, project)
as a table, or JSON with ``--json``. ``delete KIND ID`` deletes one resource after showing what
goes with it and asking (``--yes`` skips the question, ``--dry-run`` only shows); it refuses what a
deployed endpoint still uses (a model, the training set or datasets of such a model, a project
holding endpoints) and names the endpoint to delete first. ``cancel KIND ID`` stops a training that
is still running by deleting the model (the only way the APIs offer); a finished one is refused.

Exit status: 0 done, 1 refused or failed (the reason is printed), 2 invalid options.
The Speech clients and settings are imported inside the commands (``speechflows --help`` stays
fast).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from speechflows.cli.summaries import human_seconds
from speechflows.redaction import redact_text

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""

VOICE, SPEECH = "custom-voice", "speech-to-text"
# (service, kind, client operation group); listed in this order.
_LISTS: tuple[tuple[str, str, str], ...] = (
    (VOICE, "project", "projects"),
    (VOICE, "consent", "consents"),
    (VOICE, "training-set", "training_sets"),
    (VOICE, "personal-voice", "personal_voices"),
    (VOICE, "model", "models"),
    (VOICE, "endpoint", "endpoints"),
    (SPEECH, "project", "projects"),
    (SPEECH, "dataset", "datasets"),
    (SPEECH, "model", "models"),
    (SPEECH, "evaluation", "evaluations"),
    (SPEECH, "endpoint", "endpoints"),
)
KINDS = sorted({kind for _, kind, _ in _LISTS})
ACTIVE = {"notstarted", "running"}


@dataclass(frozen=True)
class Item:
    """One resource as ``list`` shows it, and what ``delete`` needs to know about it."""

    service: str
    kind: str
    id: str
    name: str | None
    status: str | None
    project: str | None
    created: str | None
    age_seconds: float | None
    model: str | None = None  # an endpoint's model
    sources: tuple[str, ...] = ()  # a model's training set / datasets


class Inventory:
    """Every resource of both APIs, read once (the STT spec: list fully before deleting)."""

    def __init__(self, voice: Any, speech: Any, now: datetime | None = None) -> None:
        self.voice, self.speech = voice, speech
        self.now = now or datetime.now(UTC)
        self.items: list[Item] = []
        clients = {VOICE: voice, SPEECH: speech}
        for service, kind, group in _LISTS:
            for entity in getattr(clients[service], group).list():
                self.items.append(self._item(service, kind, entity))

    def _item(self, service: str, kind: str, e: Any) -> Item:
        status = getattr(e, "status", None)
        created = getattr(e, "created_date_time", None)
        if service == VOICE:
            rid = str(e.id)
            project = rid if kind == "project" else getattr(e, "project_id", None)
            model = getattr(e, "model_id", None)
            sources = tuple(x for x in [getattr(e, "training_set_id", None)] if x)
        else:
            core = self.speech.core
            rid = str(e.self_url).split("?")[0].rsplit("/", 1)[-1]
            project = rid if kind == "project" else core.project_of(e)
            ref = getattr(e, "model", None)
            model = str(ref.self_url).split("?")[0].rsplit("/", 1)[-1] if ref else None
            sources = tuple(
                str(d.self_url).split("?")[0].rsplit("/", 1)[-1]
                for d in (getattr(e, "datasets", None) or [])
            )
        return Item(
            service=service,
            kind=kind,
            id=rid,
            name=getattr(e, "display_name", None),
            status=str(getattr(status, "value", status)) if status is not None else None,
            project=project,
            created=created.isoformat() if isinstance(created, datetime) else None,
            age_seconds=(self.now - created).total_seconds()
            if isinstance(created, datetime)
            else None,
            model=model if kind == "endpoint" else None,
            sources=sources if kind == "model" else (),
        )

    def of_project(self, project: str) -> list[Item]:
        """The resources of ``project`` (a Custom Voice id, or a Speech to text id or name)."""
        ids = {i.id for i in self.items if i.kind == "project" and project in (i.id, i.name)}
        return [i for i in self.items if i.project in ids or (i.kind == "project" and i.id in ids)]

    def find(self, kind: str, rid: str, service: str | None) -> list[Item]:
        return [
            i
            for i in self.items
            if i.kind == kind and i.id == rid and (service is None or i.service == service)
        ]

    def users(self, item: Item) -> list[Item]:
        """The endpoints that still use ``item`` (directly, or through the model they serve)."""
        endpoints = [i for i in self.items if i.kind == "endpoint" and i.service == item.service]
        if item.kind == "model":
            return [e for e in endpoints if e.model == item.id]
        if item.kind == "project":
            return [e for e in endpoints if e.project == item.id]
        if item.kind in ("training-set", "dataset"):
            models = {
                m.id
                for m in self.items
                if m.kind == "model" and m.service == item.service and item.id in m.sources
            }
            return [e for e in endpoints if e.model in models]
        return []


def _clients() -> tuple[Any, Any]:
    # each request bounded: an endpoint that does not answer ends the command within 15 s
    from speechflows.cli.reach import speech_clients

    return speech_clients()


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]{escape(redact_text(message))}[/]", soft_wrap=True)
    return typer.Exit(1)


def _age(item: Item) -> str:
    return human_seconds(item.age_seconds) if item.age_seconds is not None else "-"


def _print(items: list[Item], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for col in ("service", "kind", "id", "name", "status", "age", "project"):
        table.add_column(col, overflow="fold", no_wrap=col == "id")
    for i in items:
        table.add_row(
            i.service, i.kind, i.id, i.name or "", i.status or "", _age(i), i.project or ""
        )
    Console().print(table)


@commands.command("list")
def list_command(
    project: Annotated[
        str | None,
        typer.Option("--project", help="only this project (Custom Voice id, or STT id or name)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """What exists in the Speech resource: every resource with its status and age."""
    voice, speech = _clients()
    with voice, speech:
        try:
            inventory = Inventory(voice, speech)
        except Exception as exc:  # the service's answer, in one line
            from speechflows.cli.failures import explain

            said = explain(exc) or str(exc)
            raise _fail(f"could not list the Speech resource: {said}") from None
    items = inventory.of_project(project) if project else inventory.items
    if as_json:
        typer.echo(json.dumps([asdict(i) for i in items], indent=2))
        return
    _print(items, f"{len(items)} resources" + (f" of project {project}" if project else ""))


Service = Annotated[
    bool, typer.Option("--speech", help="the Speech to text resource (project, model, endpoint)")
]


def _target(inventory: Inventory, kind: str, rid: str, speech_api: bool) -> Item:
    if kind not in KINDS:
        raise typer.BadParameter(f"{kind!r}: one of {', '.join(KINDS)}", param_hint="KIND")
    service = SPEECH if speech_api or kind in ("dataset", "evaluation") else VOICE
    found = inventory.find(kind, rid, service)
    if not found:
        hint = "" if speech_api else " (a Speech to text one? add --speech)"
        raise _fail(f"no {service} {kind} {rid}{hint}: `speechflows list` shows what exists")
    return found[0]


def _delete(voice: Any, speech: Any, item: Item) -> None:
    if item.service == VOICE:
        group = {"training-set": "training_sets", "personal-voice": "personal_voices"}.get(
            item.kind, f"{item.kind}s"
        )
        if item.kind == "project":
            voice.projects.delete(item.id, force=True)
        else:
            getattr(voice, group).delete(item.id)
    else:
        getattr(speech, f"{item.kind}s").delete(item.id)


@commands.command("delete")
def delete_command(
    kind: Annotated[str, typer.Argument(help=" | ".join(KINDS))],
    resource_id: Annotated[str, typer.Argument(metavar="ID", help="the resource id")],
    speech_api: Service = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show, delete nothing")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    """Delete one resource (a project with all it holds); refuses what an endpoint still uses."""
    voice, speech = _clients()
    with voice, speech:
        inventory = Inventory(voice, speech)
        item = _target(inventory, kind, resource_id, speech_api)
        users = inventory.users(item)
        if users:
            names = ", ".join(f"endpoint {u.id}" for u in users)
            raise _fail(
                f"refused: {names} still uses {item.service} {item.kind} {item.id}; "
                f"delete the endpoint first (speechflows delete endpoint {users[0].id}"
                f"{' --speech' if item.service == SPEECH else ''})"
            )
        doomed = inventory.of_project(item.id) if item.kind == "project" else [item]
        _print(doomed, f"{'would delete' if dry_run else 'to delete'}: {len(doomed)} resources")
        if dry_run:
            return
        if not yes and not typer.confirm(f"Delete {item.service} {item.kind} {item.id}?"):
            raise _fail("not deleted")
        try:
            if item.kind == "project" and item.service == SPEECH:
                for inside in doomed:  # STT projects do not cascade: contents first
                    if inside.kind != "project":
                        _delete(voice, speech, inside)
            _delete(voice, speech, item)
        except Exception as exc:  # the service's refusal, in its words
            raise _fail(f"the service refused: {exc}") from None
    typer.echo(f"deleted {item.service} {item.kind} {item.id}")


@commands.command("cancel")
def cancel_command(
    kind: Annotated[str, typer.Argument(help="model (training) | evaluation")],
    resource_id: Annotated[str, typer.Argument(metavar="ID", help="the resource id")],
    speech_api: Service = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    """Stop a running training (or evaluation) by deleting it: the APIs have no cancel."""
    if kind not in ("model", "evaluation"):
        raise typer.BadParameter("model or evaluation", param_hint="KIND")
    voice, speech = _clients()
    with voice, speech:
        inventory = Inventory(voice, speech)
        item = _target(inventory, kind, resource_id, speech_api)
        if (item.status or "").lower() not in ACTIVE:
            raise _fail(
                f"{item.kind} {item.id} is {item.status}, not running: nothing to cancel "
                f"(speechflows delete {item.kind} {item.id} removes it)"
            )
        if not yes and not typer.confirm(f"Stop and delete {item.kind} {item.id}?"):
            raise _fail("not cancelled")
        try:
            _delete(voice, speech, item)
        except Exception as exc:
            raise _fail(f"the service refused: {exc}") from None
    typer.echo(f"cancelled {item.service} {item.kind} {item.id} (deleted)")
