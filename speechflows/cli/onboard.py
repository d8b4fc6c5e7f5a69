"""``speechflows onboard voice|personal|speech`` and ``speechflows demo``: the flows from a terminal.

Each command builds the flow's parameter model from options (or ``--params FILE.json``), runs the
flow (Prefect logs show every stage as it runs, progress artifacts update live), and prints the
result as a table, or as JSON with ``--json``. Exit status 1 when the onboarding fails; when
pre-flight validation stopped it, the findings (file, line, rule, fix) are shown too — in JSON
``{"status", "error", "findings"}`` with ``--json``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from speechflows.cli.summaries import StageProgress, exit_codes_help, print_summary
from speechflows.dev.prefect_server import TemporaryServer
from speechflows.redaction import redact_text

# Prefect, the flows, their parameter models and the demo are imported inside the commands, so
# `speechflows --help` and `validate` start without Prefect.

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""

DEBUG_ENV = "SPEECHFLOWS_DEBUG"

onboard_app = typer.Typer(
    help="Run an onboarding flow (validate, stage, create, wait) from the terminal. "
    + exit_codes_help(),
    no_args_is_help=True,
)
"""The ``speechflows onboard`` group; ``speechflows.cli`` mounts it."""


def _run_flow(flow: Any, params: Any) -> tuple[Any, str | None]:
    """Run the flow; its final state and the Prefect UI URL of the run.

    On a Prefect server (``PREFECT_API_URL``) the run sends heartbeats, so the server marks it
    *Crashed* if this process dies (``speechflows setup``'s automation); the run is tagged with
    this process, and runs of the same flow left Running by a process that died on this machine
    (a SIGKILLed ``speechflows onboard``) are marked Crashed before it starts
    (:mod:`speechflows.tasks.dead_runs`). Without one, the run goes
    to a temporary server that dies with this process, even on SIGKILL; heartbeats are off there
    (no one outlives the run to watch them).
    """
    from prefect import tags
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_HOME,
        temporary_settings,
    )

    from speechflows.dev.drain import drain_prefect_workers
    from speechflows.flows.sas_secrets import drop_stashed, stash_sas_params
    from speechflows.tasks.dead_runs import crash_dead_runs, process_tag

    def run() -> Any:  # a SAS URL waits in a Secret block, never in the run's parameters
        hidden, stashed = stash_sas_params(params)
        try:
            return flow(hidden, return_state=True)
        finally:
            drop_stashed(stashed)

    if PREFECT_API_URL.value():
        crash_dead_runs(flow.name)
        with tags(process_tag()):
            state = run()
        return state, _run_url(state)
    with (
        TemporaryServer.start(home=Path(PREFECT_HOME.value())) as server,
        temporary_settings(
            updates={PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        ),
    ):
        try:
            state = run()
            url = _run_url(state)
            note = " (a temporary server, gone when this command ends: set PREFECT_API_URL)"
            return state, f"{url}{note}" if url else None
        finally:
            drain_prefect_workers()  # the last logs and events, before the server stops


def _run_url(state: Any) -> str | None:
    """The Prefect UI page of the run of ``state`` (None when the UI URL is unknown)."""
    from prefect.settings import PREFECT_UI_URL

    base, run_id = PREFECT_UI_URL.value(), state.state_details.flow_run_id
    return f"{str(base).rstrip('/')}/runs/flow-run/{run_id}" if base and run_id else None


class _OnceOnConsole(logging.Filter):
    """Keep an expected failure (bad data, settings, storage, the service's answer) to one message.

    Prefect logs a failing flow's exception with its traceback, then the failed state with the
    message again; the CLI prints the message itself at the end. On the terminal only, drop those
    two records for the errors we raise on purpose (a bug keeps its traceback). The Prefect
    server's logs keep everything.
    """

    def __init__(self, expected: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.expected = expected
        self.seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        refused = getattr(record, "speechflows_refused", False)
        if refused or (exc is not None and isinstance(exc, self.expected)):
            self.seen = True
            return False
        return not (self.seen and str(record.msg).startswith("Finished in state Failed"))


def _quiet_expected_failures() -> list[tuple[logging.Handler, logging.Filter]]:
    from prefect.logging.handlers import PrefectConsoleHandler

    from speechflows.datasets.errors import StagingError
    from speechflows.flows.common import ValidationFailedError
    from speechflows.flows.sas_secrets import SecretSourceError
    from speechflows.settings import SettingsError
    from speechflows.speech.errors import SpeechError
    from speechflows.tasks.voice_common import OnboardingError

    once = _OnceOnConsole(
        (
            ValidationFailedError,
            StagingError,
            SettingsError,
            SpeechError,
            OnboardingError,
            SecretSourceError,
        )
    )
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {
        h
        for lg in loggers
        if isinstance(lg, logging.Logger)
        for h in lg.handlers
        if isinstance(h, PrefectConsoleHandler)
    }
    for handler in handlers:
        handler.addFilter(once)
    return [(h, once) for h in handlers]


def _run(flow: Any, params: Any, as_json: bool, flags: dict[str, str]) -> None:
    console = Console(stderr=as_json)
    debug = debug_enabled()
    installed = [] if debug else _quiet_expected_failures()
    try:
        with _stage_status(console):
            state, run_url = _run_flow(flow, params)
    finally:
        for handler, once in installed:
            handler.removeFilter(once)
    if not state.is_completed():
        if debug:
            _print_traceback(state)
        message = in_cli_terms(redact_text(str(state.message)), flags)
        message = re.sub(r"^Flow run encountered an exception: \w+: ", "", message)
        findings = _findings(state)
        if as_json:
            doc = {"status": state.name, "error": message, "findings": findings}
            typer.echo(json.dumps(doc, indent=2, default=str))
        else:
            console.print(f"[red]onboarding failed:[/] {escape(message)}")
            if findings:
                console.print(_findings_text(findings))
            if run_url:
                console.print(f"Prefect UI: {escape(run_url)}", soft_wrap=True)
            if not debug:
                console.print("(run with speechflows --debug … for the traceback)")
        raise typer.Exit(1)
    result = state.result()
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    print_summary(console, flow.name, result, run_url)


@contextmanager
def _stage_status(console: Console) -> Iterator[None]:
    """On a terminal, a status line with the running stage and how long it has waited."""
    if not console.is_terminal:
        yield
        return
    with console.status("starting…") as status:
        progress = StageProgress(lambda text: status.update(escape(text)), time.monotonic)
        stop = threading.Event()

        def ticker() -> None:
            while not stop.wait(1.0):
                progress.tick()

        logger = logging.getLogger("prefect.flow_runs")
        logger.addHandler(progress)
        thread = threading.Thread(target=ticker, name="stage-status", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            logger.removeHandler(progress)
            thread.join(timeout=2)


def debug_enabled() -> bool:
    """``speechflows --debug`` (or SPEECHFLOWS_DEBUG=1): tracebacks of expected failures too."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _print_traceback(state: Any) -> None:
    try:
        error = state.result(raise_on_failure=False)
    except Exception as exc:  # a crashed run may have no readable result
        error = exc
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception(error))
        typer.echo(redact_text(text), err=True)


def _findings(state: Any) -> list[dict[str, Any]]:
    """The validation findings carried by a failed run's exception (none for other failures)."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception:  # a crashed run may have no readable result
        return []
    rows = getattr(error, "findings", None) or []
    return [
        {k: redact_text(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows
    ]


def _findings_text(findings: list[dict[str, Any]]) -> str:
    # One line per finding, not a table: codes and paths stay greppable at any terminal width.
    lines = [
        f"validation findings (errors first; {len(findings)} shown, all in the table artifact):"
    ]
    for row in findings:
        where = f"{row.get('file')}:{row['line']}" if row.get("line") else str(row.get("file"))
        found = f" (found {row['value']})" if row.get("value") else ""
        lines.append(
            f"  {row.get('severity', '')}  {where}  {row.get('code')}{found}: {row.get('fix', '')}"
        )
    return escape("\n".join(lines))


_CONSENT_FLAGS = {
    "consent.voice_talent_name": "--talent",
    "consent.company_name": "--company",
    "consent.audio_file": "--consent",
    "consent.audio_blob": "--consent-blob",
    "consent": "--talent, --company and --consent (or --consent-blob)",
}
VOICE_FLAGS = {
    "data_dir": "DATA_DIR",
    "project_id": "--project",
    "locale": "--locale",
    "data_kind": "--kind",
    "voice_kind": "--voice-kind",
    "force": "--force",
    "model.voice_name": "--train-model",
    "model.recipe_kind": "--recipe",
    "model": "--train-model",
    **_CONSENT_FLAGS,
}
PERSONAL_FLAGS = {
    "prompt_path": "PROMPT",
    "project_id": "--project",
    "locale": "--locale",
    "cleanup_previous": "--cleanup-previous",
    **_CONSENT_FLAGS,
}
SPEECH_FLAGS = {
    "project_name": "--project",
    "locale": "--locale",
    "force": "--force",
    "cleanup_previous": "--cleanup-previous",
    "datasets": "--dataset NAME:KIND:PATH",
    "model.display_name": "--model",
    "model.test_dataset": "--test-dataset",
    "model": "--model",
}


def _field_words(flags: dict[str, str]) -> list[tuple[str, str]]:
    """``(field name as a message may say it, flag)``, longest first: paths, then last parts."""
    words = {path: flag for path, flag in flags.items()}
    for path, flag in flags.items():
        words.setdefault(path.rsplit(".", 1)[-1], flag)
    return sorted(words.items(), key=lambda kv: -len(kv[0]))


def in_cli_terms(message: str, flags: dict[str, str]) -> str:
    """``message`` with the parameter model's field names replaced by the CLI's flags."""
    out = message.removeprefix("Value error, ")
    head, sep, rest = out.partition(": ")
    if sep and head in flags:  # "consent: give exactly one of ..." - the caller names the flag
        out = rest
    out = re.sub(r"\bforce=true\b", "--force", out)
    for word, flag in _field_words(flags):
        if " " not in flag:  # a group of flags ("--talent, --company and ...") reads badly inline
            out = re.sub(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", flag, out)
    return out


def _flag_for(loc: tuple[Any, ...], flags: dict[str, str]) -> str:
    names = [str(x) for x in loc if not isinstance(x, int)]
    for end in range(len(names), 0, -1):
        flag = flags.get(".".join(names[:end]))
        if flag:
            item = next((x for x in loc if isinstance(x, int)), None)
            return f"{flag} (item {item + 1})" if item is not None else flag
    return ".".join(str(x) for x in loc)


def _load(
    model: Any, params_file: Path | None, values: dict[str, Any], flags: dict[str, str]
) -> Any:
    data = json.loads(params_file.read_text()) if params_file else {}
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}  # options override single fields of the file's
        elif value is not None:
            data[key] = value
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            flag = _flag_for(tuple(e["loc"]), flags)
            if e["type"] == "missing":
                lines.append(f"  missing {flag}")
                continue
            msg = in_cli_terms(str(e["msg"]), flags)
            lines.append(f"  {msg}" if "--" in msg and not e["loc"][1:] else f"  {flag}: {msg}")
        where = f" (options, and {params_file})" if params_file else ""
        typer.echo(f"invalid parameters{where}:\n" + "\n".join(dict.fromkeys(lines)), err=True)
        raise typer.Exit(2) from None


def precheck(
    values: dict[str, Any],
    params_file: Path | None,
    required: dict[str, str],
    paths: dict[str, str] | None = None,
    kinds: Callable[[dict[str, Any]], list[str]] | None = None,
) -> None:
    """Refuse missing options and paths at once, in the CLI's words (exit 2), before Prefect and
    the flows are imported (that takes seconds). The parameter model checks the rest.

    ``required`` maps a field path (``consent.company_name``; ``a|b`` for either) to its flag;
    ``paths`` maps a field holding local paths (a list of dicts with ``path`` too) to its flag.
    ``kinds`` gives the data kinds of the run: the locale is checked against each of them, with
    the same check ``validate`` and the flows make (:func:`speechflows.preflight.check_locale`).
    """
    try:
        data = json.loads(params_file.read_text()) if params_file else {}
    except (OSError, ValueError) as exc:
        typer.echo(f"--params {params_file}: cannot read it as JSON ({exc})", err=True)
        raise typer.Exit(2) from None
    merged = dict(data) if isinstance(data, dict) else {}
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif value is not None:
            merged[key] = value
    problems = [
        f"missing {flag}"
        for path, flag in required.items()
        if not any(_at(merged, alt) not in (None, "", [], {}) for alt in path.split("|"))
    ]
    for field, flag in (paths or {}).items():
        value = _at(merged, field)
        items = value if isinstance(value, list) else [value]
        for item in items:
            where = item.get("path") if isinstance(item, dict) else item
            if where and "://" not in str(where) and not Path(str(where)).exists():
                problems.append(f"{flag} {where}: no such file or folder")
    problems.extend(_locale_problems(merged, kinds(merged) if kinds else []))
    if problems:
        typer.echo("invalid parameters:\n" + "\n".join(f"  {p}" for p in problems), err=True)
        raise typer.Exit(2)


def _locale_problems(merged: dict[str, Any], kinds: list[str]) -> list[str]:
    from speechflows.preflight import locale_refusal

    locale = str(merged.get("locale") or "en-US")
    found = []
    for kind in dict.fromkeys(kinds):
        try:
            refusal = locale_refusal(kind, locale)
        except ValueError:  # an unknown kind: the parameter model names it
            continue
        if refusal is not None:
            found.append(f"{refusal[0]} → {refusal[1]}")
    return list(dict.fromkeys(found))


def _at(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


CONSENT_REQUIRED = {
    "consent.voice_talent_name": "--talent",
    "consent.company_name": "--company",
    "consent.audio_file|consent.audio_blob": "--consent (or --consent-blob)",
}


def _consent(
    talent: str | None,
    company: str | None,
    file: Path | None,
    blob: str | None,
    consent_id: str | None = None,
) -> dict[str, Any] | None:
    given = {
        "voice_talent_name": talent,
        "company_name": company,
        "audio_file": file,
        "audio_blob": blob,
        "consent_id": consent_id,
    }
    return {k: v for k, v in given.items() if v is not None} or None


PARAMS = typer.Option("--params", help="JSON file with the flow's parameters (options override it)")
JSON_OUT = typer.Option("--json", help="print the result as JSON")

# Options more than one command takes, declared once so their flags and help stay the same.
VoiceProject = Annotated[str | None, typer.Option("--project", help="Custom Voice project id")]
Company = Annotated[
    str | None, typer.Option("--company", help="company name as spoken in the consent")
]
ConsentFile = Annotated[Path | None, typer.Option("--consent", help="consent recording (wav/mp3)")]
ConsentBlob = Annotated[
    str | None, typer.Option("--consent-blob", help="or: blob name of the consent recording")
]
ConsentId = Annotated[
    str | None,
    typer.Option(
        "--consent-id",
        help="consent id (default '<project>-consent'); a new recording needs a new id",
    ),
]
Locale = Annotated[str | None, typer.Option("--locale", help="locale, e.g. en-US")]
Force = Annotated[
    bool | None, typer.Option("--force", help="upload the valid files even if some have errors")
]


@onboard_app.command("voice")
def voice(
    data_dir: Annotated[
        str | None,
        typer.Argument(
            help="folder with the recordings and scripts; or read in place: "
            "blob://<container>/<prefix>, or a Blob URL with a SAS (read + list)"
        ),
    ] = None,
    project: VoiceProject = None,
    talent: Annotated[
        str | None, typer.Option("--talent", help="voice talent name as spoken in the consent")
    ] = None,
    company: Company = None,
    consent_file: ConsentFile = None,
    consent_blob: ConsentBlob = None,
    consent_id: ConsentId = None,
    locale: Locale = None,
    training_set_id: Annotated[
        str | None,
        typer.Option(
            "--training-set-id",
            help="base training set id (default '<project>-trainingset'); each content version "
            "is '<base>-v<8 hex>'",
        ),
    ] = None,
    cleanup_previous: Annotated[
        bool | None,
        typer.Option(
            "--cleanup-previous",
            help="delete previous training set versions no model uses, after this one succeeded",
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="AudioAndScript | LongAudio | AudioOnly")
    ] = None,
    voice_kind: Annotated[str | None, typer.Option("--voice-kind", help="Male | Female")] = None,
    force: Force = None,
    voice_name: Annotated[
        str | None,
        typer.Option("--train-model", help="train a model with this voice name (…Neural)"),
    ] = None,
    recipe: Annotated[
        str | None,
        typer.Option("--recipe", help="model recipe with --train-model (default Default)"),
    ] = None,
    params_file: Annotated[Path | None, PARAMS] = None,
    as_json: Annotated[bool, JSON_OUT] = False,
) -> None:
    """Professional voice: validate DATA_DIR, stage it, create project/consent/training set, upload."""
    values = {
        "data_dir": data_dir,
        "project_id": project,
        "locale": locale,
        "data_kind": kind,
        "voice_kind": voice_kind,
        "force": force,
        "training_set_id": training_set_id,
        "cleanup_previous": cleanup_previous,
        "consent": _consent(talent, company, consent_file, consent_blob, consent_id),
        "model": {k: v for k, v in {"voice_name": voice_name, "recipe_kind": recipe}.items() if v}
        or None,
    }
    precheck(
        values,
        params_file,
        {"project_id": "--project", **CONSENT_REQUIRED},
        {"data_dir": "DATA_DIR", "consent.audio_file": "--consent"},
        lambda m: [str(m.get("data_kind") or "AudioAndScript"), "Consent"],
    )
    from speechflows.flows.params import ProfessionalVoiceParams
    from speechflows.flows.professional_voice import professional_voice_onboarding

    _run(
        professional_voice_onboarding,
        _load(ProfessionalVoiceParams, params_file, values, VOICE_FLAGS),
        as_json,
        VOICE_FLAGS,
    )


@onboard_app.command("personal")
def personal(
    prompt: Annotated[
        str | None,
        typer.Argument(
            help="prompt audio: a file or a folder; or blob://<container>/<prefix>, or a Blob "
            "URL with a SAS (read in place)"
        ),
    ] = None,
    project: VoiceProject = None,
    talent: Annotated[
        str | None, typer.Option("--talent", help="speaker name as spoken in the consent")
    ] = None,
    company: Company = None,
    consent_file: ConsentFile = None,
    consent_blob: ConsentBlob = None,
    consent_id: ConsentId = None,
    locale: Locale = None,
    cleanup_previous: Annotated[
        bool | None,
        typer.Option(
            "--cleanup-previous",
            help="delete the personal voices made from earlier prompt audio, after this one "
            "succeeded",
        ),
    ] = None,
    params_file: Annotated[Path | None, PARAMS] = None,
    as_json: Annotated[bool, JSON_OUT] = False,
) -> None:
    """Personal voice: consent + prompt audio → speakerProfileId."""
    values = {
        "prompt_path": prompt,
        "project_id": project,
        "locale": locale,
        "cleanup_previous": cleanup_previous,
        "consent": _consent(talent, company, consent_file, consent_blob, consent_id),
    }
    precheck(
        values,
        params_file,
        {"prompt_path": "PROMPT", "project_id": "--project", **CONSENT_REQUIRED},
        {"prompt_path": "PROMPT", "consent.audio_file": "--consent"},
        lambda m: ["Prompt", "Consent"],
    )
    from speechflows.flows.params import PersonalVoiceParams
    from speechflows.flows.personal_voice import personal_voice_onboarding

    _run(
        personal_voice_onboarding,
        _load(PersonalVoiceParams, params_file, values, PERSONAL_FLAGS),
        as_json,
        PERSONAL_FLAGS,
    )


@onboard_app.command("speech")
def speech(
    project: Annotated[str | None, typer.Option("--project", help="project display name")] = None,
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", help="NAME:KIND:PATH (repeatable)")
    ] = None,
    locale: Locale = None,
    model: Annotated[
        str | None, typer.Option("--model", help="train a custom model with this display name")
    ] = None,
    test_dataset: Annotated[
        str | None, typer.Option("--test-dataset", help="evaluate on this Acoustic dataset")
    ] = None,
    force: Force = None,
    cleanup_previous: Annotated[
        bool | None,
        typer.Option(
            "--cleanup-previous",
            help="delete the failed earlier import attempts of the same content, after this "
            "one succeeded",
        ),
    ] = None,
    params_file: Annotated[Path | None, PARAMS] = None,
    as_json: Annotated[bool, JSON_OUT] = False,
) -> None:
    """Custom speech: validate, package, stage and import datasets; optionally train and evaluate."""
    specs = []
    for item in dataset or []:
        parts = item.split(":", 2)
        if len(parts) != 3:
            typer.echo(
                f"--dataset {item!r}: expected NAME:KIND:PATH, e.g. phrases:Language:data/p.txt "
                "(PATH may be blob://<container>/<file> or a Blob URL with a SAS)",
                err=True,
            )
            raise typer.Exit(2)
        specs.append({"name": parts[0], "kind": parts[1], "path": parts[2]})
    values = {
        "project_name": project,
        "locale": locale,
        "force": force,
        "cleanup_previous": cleanup_previous,
        "datasets": specs or None,
        "model": {"display_name": model, "test_dataset": test_dataset} if model else None,
    }
    precheck(
        values,
        params_file,
        {"project_name": "--project", "datasets": "--dataset NAME:KIND:PATH"},
        {"datasets": "--dataset"},
        lambda m: [str(d.get("kind")) for d in m.get("datasets") or [] if isinstance(d, dict)],
    )
    from speechflows.flows.custom_speech import custom_speech_onboarding
    from speechflows.flows.params import CustomSpeechParams

    _run(
        custom_speech_onboarding,
        _load(CustomSpeechParams, params_file, values, SPEECH_FLAGS),
        as_json,
        SPEECH_FLAGS,
    )


@commands.command("demo")
def demo(
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="self-contained here instead (its audio is not kept for `make up`)",
        ),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(help="the checkout whose `make up` shows the demo (default: this one)"),
    ] = None,
    azurite_port: Annotated[
        int, typer.Option(help="the Azurite port of that `make up` (the audio links name it)")
    ] = 10000,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Prefect's log lines on the terminal too")
    ] = False,
) -> None:
    """Every onboarding end to end on Azurite + the Speech emulator, then an unchanged re-run;
    kept for `make up` (runs, audio, alignment CSVs)."""
    from speechflows.demo import run_demo
    from speechflows.dev.stack import StackConfig

    stack = StackConfig(azurite_port=azurite_port)
    if root is not None:
        stack.root = root.resolve()
    outcome = run_demo(work_dir, verbose=verbose, stack=stack)
    reruns = [runs[-1] for runs in outcome.runs.values()]
    if any(r.created or r.uploaded_bytes for r in reruns):
        raise typer.Exit(1)
