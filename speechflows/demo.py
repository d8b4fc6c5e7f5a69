"""``make demo``: every onboarding end to end on Azurite + the Speech emulator, twice.

On a fresh machine: starts Azurite and the emulator on loopback ports, writes sample data, runs the
professional voice, personal voice and custom speech onboardings on Prefect (the embedded server,
or the one ``PREFECT_API_URL`` points at), then runs them again to show that the re-run uploads
and creates nothing. Prints a summary and stops every process it started — also on Ctrl-C,
SIGTERM or failure.

What the demo made stays for the dev stack (``make up``) to show: the runs in the checkout's
``.prefect/`` (the database ``make up``'s server opens), the blobs in ``.speechflows/azurite/``
(``make up``'s Azurite data, served on its port, 10000, so the reports' audio and CSV links open
again), the emulator's state, sample data and logs in ``.speechflows/demo/`` (replaced by the next
demo, as is the demo's container). The last lines say how to open it, until when the links work
and how to get fresh ones (``speechflows try links``).
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from speechflows.cli.summaries import human_bytes, human_seconds

if TYPE_CHECKING:
    from speechflows.dev.stack import StackConfig

DEMO_KEY = "speechflows-demo-key-0123456789abcdef"
DEMO_CONTAINER = "speechflows-demo"


@dataclass
class RunFigures:
    """One onboarding run, as the summary shows it."""

    seconds: float
    created: list[str]
    reused: list[str]
    uploaded_bytes: int
    ids: str


@dataclass
class DemoOutcome:
    """Both runs of each onboarding."""

    runs: dict[str, list[RunFigures]] = field(default_factory=dict)
    report_keys: list[str] = field(default_factory=list)
    try_keys: list[str] = field(default_factory=list)
    """The artifacts where the voice is heard and the model's errors are seen."""
    prefect_start_seconds: float = 0.0
    blob: str = "kept"
    """Where the blobs went: ``kept`` (the dev stack's data and port), ``moved`` (its data, another
    port: links need ``speechflows try links``), ``dev stack`` (the running one), ``work dir``."""
    links_expire: datetime | None = None


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def start_emulator(
    data_dir: Path, key: str, log_path: Path, *, step_seconds: float | None = None
) -> Any:
    """``speechflows emulator`` on a free loopback port, as a managed child process."""
    import httpx

    from speechflows.dev.processes import ManagedProcess, emulator_argv, free_port

    port = free_port()

    def ready() -> bool:
        try:
            return (
                httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).status_code == 200
            )
        except httpx.HTTPError:
            return False

    options = [] if step_seconds is None else ["--step-seconds", str(step_seconds)]
    argv = emulator_argv(port, data_dir, key, *options)
    return ManagedProcess(
        "Speech emulator", argv, port=port, log_path=log_path, ready=ready
    ).start()


def sample_data(root: Path) -> dict[str, Path]:
    """Sample datasets of every kind the demo onboards (deterministic)."""
    from speechflows.datasets import DataKind, write_sample

    def one(path: Path) -> Path:
        return (
            path
            if path.is_file()
            else sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".wav", ".mp3"))[
                0
            ]
        )

    return {
        "voice": write_sample(root / "voice", DataKind.AUDIO_AND_SCRIPT, count=24),
        "consent": one(write_sample(root / "consent", DataKind.CONSENT)),
        "prompt": write_sample(root / "prompt", DataKind.PROMPT),
        "acoustic": write_sample(root / "acoustic", DataKind.ACOUSTIC, count=12),
        "language": write_sample(root / "language", DataKind.LANGUAGE),
    }


def _language_file(path: Path) -> Path:
    return path if path.is_file() else sorted(path.glob("*.txt"))[0]


def _onboardings(data: dict[str, Path]) -> list[tuple[str, Callable[[], Any]]]:
    from speechflows.flows.custom_speech import custom_speech_onboarding
    from speechflows.flows.params import (
        ConsentParams,
        CustomSpeechParams,
        DatasetSpec,
        Deadlines,
        PersonalVoiceParams,
        ProfessionalVoiceParams,
        ReleaseParams,
        SpeechModelParams,
    )
    from speechflows.flows.personal_voice import personal_voice_onboarding
    from speechflows.flows.professional_voice import professional_voice_onboarding

    fast = Deadlines(poll_min_seconds=0.2, poll_max_seconds=2.0)
    consent = ConsentParams(
        voice_talent_name="Jessica Doe", company_name="Contoso", audio_file=data["consent"]
    )
    voice = ProfessionalVoiceParams(
        project_id="demo-voice", data_dir=data["voice"], consent=consent, deadlines=fast
    )
    personal = PersonalVoiceParams(
        project_id="demo-personal",
        prompt_path=data["prompt"],
        consent=consent,
        deadlines=fast,
        try_sentences=[],  # hear the voice: the locale's default sentences
    )
    speech = CustomSpeechParams(
        project_name="Demo call center",
        deadlines=fast,
        datasets=[
            DatasetSpec(
                name="call-center-phrases", kind="Language", path=_language_file(data["language"])
            ),
            DatasetSpec(name="call-center-audio", kind="Acoustic", path=data["acoustic"]),
        ],
        model=SpeechModelParams(
            display_name="Demo call center model",
            datasets=["call-center-phrases"],
            test_dataset="call-center-audio",
        ),
        # Promote through the WER gate, then see per file what the new model fixed and broke.
        release=ReleaseParams(endpoint_name="Demo call center", try_audio=str(data["acoustic"])),
    )
    return [
        ("professional voice", lambda: professional_voice_onboarding(voice)),
        ("personal voice", lambda: personal_voice_onboarding(personal)),
        ("custom speech", lambda: custom_speech_onboarding(speech)),
    ]


def _figures(name: str, result: Any, seconds: float) -> RunFigures:
    if name == "professional voice":
        uploaded, ids = (
            result.staging.uploaded_bytes,
            (
                f"training set {result.training_set.id}: {result.utterance_count} utterances; "
                f"operation {result.upload_operation_id[:14]}…"
            ),
        )
    elif name == "personal voice":
        uploaded, ids = 0, f"speakerProfileId {result.speaker_profile_id}"
    else:
        uploaded = sum(d.staging.uploaded_bytes for d in result.datasets)
        wer = result.evaluation
        ids = "; ".join(f"{d.name}: {d.report.accepted_lines} lines" for d in result.datasets)
        if wer is not None:
            ids += f"; WER base {wer.wer_base_percent} % → custom {wer.wer_custom_percent} % (simulated)"
    return RunFigures(
        seconds=round(seconds, 2),
        created=result.created,
        reused=result.reused,
        uploaded_bytes=uploaded,
        ids=ids,
    )


@contextmanager
def _prefect_logs_to(path: Path | None) -> Iterator[None]:
    """Prefect's console log lines go to ``path`` instead of the terminal (None: unchanged)."""
    import logging

    import prefect.main  # noqa: F401  (configures Prefect's logging: its handlers exist then)
    from prefect.logging.handlers import PrefectConsoleHandler

    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    mute = logging.Filter("-nothing-")  # passes no record
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    touched: list[tuple[logging.Logger, logging.Handler]] = []
    for lg in loggers:
        if not isinstance(lg, logging.Logger):
            continue
        for handler in list(lg.handlers):
            if isinstance(handler, PrefectConsoleHandler):
                handler.addFilter(mute)
                if to_file not in lg.handlers:
                    lg.addHandler(to_file)
                touched.append((lg, handler))
    try:
        yield
    finally:
        for lg, handler in touched:
            handler.removeFilter(mute)
            if to_file in lg.handlers:
                lg.removeHandler(to_file)
        to_file.close()


def _warm_up() -> None:
    """One empty flow run: the server's and the client's first-run costs, timed on their own."""
    from prefect import flow

    @flow(name="speechflows-demo-warm-up")
    def warm_up() -> None:
        return None

    warm_up()


def run_demo(
    work_dir: Path | None = None,
    *,
    console: Console | None = None,
    verbose: bool = False,
    stack: StackConfig | None = None,
) -> DemoOutcome:
    """Run the demo; return the figures of both rounds. Every started process is stopped.

    By default the demo keeps its state for the dev stack of ``stack`` (the checkout): its runs in
    the checkout's ``.prefect/``, its blobs in ``.speechflows/azurite/`` (served on the dev
    stack's Azurite port), the rest in ``.speechflows/demo/``; ``make up`` then shows the runs
    with working audio links. With ``work_dir`` the demo is self-contained there instead (its
    Azurite on a free port: ``make up`` shows its runs, not its audio).

    Prints the summary and a line per step; Prefect's log lines go to a file it names (on the
    terminal too with ``verbose``).
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_HOME,
        PREFECT_RESULTS_LOCAL_STORAGE_PATH,
        temporary_settings,
    )

    from speechflows.dev.azurite import Azurite
    from speechflows.dev.drain import drain_prefect_workers
    from speechflows.dev.prefect_server import TemporaryServer
    from speechflows.dev.processes import port_open
    from speechflows.dev.stack import StackConfig
    from speechflows.tasks.try_voice import LINK_MINUTES

    out = console or Console()
    config = stack or StackConfig()
    kept = work_dir is None  # the state is the dev stack's to show
    root = config.root / ".speechflows" / "demo" if work_dir is None else Path(work_dir)
    if kept:
        shutil.rmtree(root, ignore_errors=True)  # the previous demo's; a demo starts afresh
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    logs = (config.root if kept else Path.cwd()) / ".speechflows" / "demo-prefect.log"
    log_path = None if verbose else logs.resolve()
    prefect_home = config.root / ".prefect" if kept else Path(PREFECT_HOME.value())
    outcome = DemoOutcome()
    saved_env = dict(os.environ)
    with ExitStack() as stack_, _sigterm_as_interrupt():
        out.print(f"[bold]speechflows demo[/] — working in {root}")
        if log_path is not None:
            log_path.unlink(missing_ok=True)
            out.print(f"  Prefect logs: {log_path} (--verbose shows them here)", soft_wrap=True)
        running = _dev_stack(config) if kept else {}
        blob_connection = running.get("azurite")
        if blob_connection is not None:
            outcome.blob = "dev stack"
            out.print("  Azurite (Blob): the dev stack's (`make up`)")
        else:
            on_stack_port = kept and not port_open(config.azurite_port)
            az = Azurite.start(
                data_dir=config.root / ".speechflows" / "azurite" if kept else root / "azurite",
                port=config.azurite_port if on_stack_port else None,
            )
            stack_.callback(az.stop)
            blob_connection = az.connection_string
            outcome.blob = "kept" if on_stack_port else "moved" if kept else "work dir"
            data_dir = Path(az_data(az))
            shown = (
                data_dir.relative_to(config.root)
                if data_dir.is_relative_to(config.root)
                else data_dir
            )
            out.print(f"  Azurite (Blob) on 127.0.0.1:{az.port}, data in {shown}", soft_wrap=True)
        _reset_container(blob_connection)
        emu = start_emulator(root / "emulator", DEMO_KEY, root / "emulator.log")
        stack_.callback(emu.stop)
        out.print(f"  Speech emulator on http://127.0.0.1:{emu.port}")
        stack_.callback(_restore_env, saved_env)
        os.environ.update(
            {
                "SPEECHFLOWS_SPEECH_ENDPOINT": f"http://127.0.0.1:{emu.port}",
                "SPEECHFLOWS_SPEECH_KEY": DEMO_KEY,
                "SPEECHFLOWS_STORAGE_CONNECTION_STRING": blob_connection,
                "SPEECHFLOWS_STORAGE_CONTAINER": DEMO_CONTAINER,
            }
        )
        stack_.callback(os.chdir, os.getcwd())
        os.chdir(root)  # the hash cache and packaged zips go under ./.speechflows
        data = sample_data(root / "data")
        out.print(f"  sample data in {root / 'data'}")
        updates: dict[Any, Any] = {
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
            PREFECT_RESULTS_LOCAL_STORAGE_PATH: root / "prefect-results",
        }
        shared_api_url = PREFECT_API_URL.value() or running.get("prefect-server")
        started = time.monotonic()
        with out.status("starting Prefect…"):
            if not shared_api_url:
                # Not Prefect's own temporary server: this one dies with us, even on SIGKILL.
                # A fresh database migrates first: minutes on a busy 2-core box.
                server = stack_.enter_context(
                    TemporaryServer.start(home=prefect_home, start_timeout=300)
                )
                stack_.callback(drain_prefect_workers)  # runs before the server stops
                updates[PREFECT_API_URL] = server.api_url
            else:
                updates[PREFECT_API_URL] = shared_api_url
            stack_.enter_context(temporary_settings(updates=updates))
            stack_.enter_context(_prefect_logs_to(log_path))
            _warm_up()
        outcome.prefect_start_seconds = round(time.monotonic() - started, 2)
        out.print(
            f"  Prefect ready in {outcome.prefect_start_seconds:.1f} s "
            "(not counted in the onboarding times)"
        )
        for round_no in (1, 2):
            if round_no == 2:  # the reports' links are the re-run's: minted from now on
                outcome.links_expire = datetime.now(UTC) + timedelta(minutes=LINK_MINUTES)
            label = "first run" if round_no == 1 else "re-run (nothing changed)"
            out.rule(f"[bold]{label}")
            for name, run in _onboardings(data):
                started = time.monotonic()
                with out.status(f"{name}…"):
                    result = run()
                figures = _figures(name, result, time.monotonic() - started)
                outcome.runs.setdefault(name, []).append(figures)
                if round_no == 1:
                    outcome.report_keys.append(result.report_key)
                    outcome.try_keys += _try_keys(name, result)
                out.print(f"  {name}: {human_seconds(figures.seconds)}")
                for detail in figures.ids.split("; "):
                    out.print(f"    {detail}")
        _summary(out, outcome, shared_api_url, config)
    return outcome


def az_data(az: Any) -> str:
    """The data folder of a started Azurite (its ``--location``)."""
    argv = az.process.argv
    return argv[argv.index("--location") + 1] if "--location" in argv else "memory"


def _dev_stack(config: StackConfig) -> dict[str, str]:
    """What of the dev stack (``make up``) runs: the Azurite connection string, the Prefect API."""
    from speechflows.dev.azurite import connection_string_for
    from speechflows.dev.stack import read_state

    out: dict[str, str] = {}
    for s in read_state(config):
        if s.alive() and s.name == "azurite":
            out["azurite"] = connection_string_for(int(s.url.rsplit(":", 1)[1]))
        elif s.alive() and s.name == "prefect-server":
            out["prefect-server"] = f"{s.url}/api"
    return out


def _reset_container(connection_string: str) -> None:
    """Empty the demo's container (the previous demo's blobs): a demo's first run starts afresh."""
    from speechflows.settings import load_storage_settings
    from speechflows.storage.account import Account

    settings = load_storage_settings(connection_string=connection_string, container=DEMO_CONTAINER)
    with Account.from_settings(settings).service_client() as client:
        container = client.get_container_client(DEMO_CONTAINER)
        if container.exists():
            for blob in container.list_blobs():
                container.delete_blob(blob.name)


def _try_keys(name: str, result: Any) -> list[str]:
    """The artifacts where the demo's voice can be heard and the speech model's errors seen."""
    from speechflows.tasks.artifacts import artifact_key

    if name == "personal voice":
        return [artifact_key("try-voice", "demo-personal", "demo-personal-voice")]
    if name == "custom speech" and getattr(result, "release", None) is not None:
        return [artifact_key("try-speech", "Demo call center", result.release.candidate)]
    return []


def _restore_env(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)


def _summary(
    out: Console, outcome: DemoOutcome, api_url: str | None, config: StackConfig | None = None
) -> None:
    table = Table(title="first run vs unchanged re-run", title_justify="left")
    for col in ("onboarding", "run", "time", "created", "reused", "uploaded"):
        # Numbers never wrap; names fold at a word when the terminal is narrow.
        table.add_column(col, no_wrap=col != "onboarding", justify="left")
    for name, runs in outcome.runs.items():
        for i, r in enumerate(runs):
            table.add_row(
                name if i == 0 else "",
                "first" if i == 0 else "re-run",
                human_seconds(r.seconds),
                str(len(r.created)),
                str(len(r.reused)),
                human_bytes(r.uploaded_bytes),
            )
    out.print(table)
    reruns = [runs[1] for runs in outcome.runs.values() if len(runs) > 1]
    nothing = all(not r.created and r.uploaded_bytes == 0 for r in reruns)
    out.print(
        "[green]re-run: nothing re-uploaded, nothing re-created[/]"
        if nothing
        else "[red]re-run created or uploaded something[/]"
    )
    out.print("reports: " + ", ".join(outcome.report_keys))
    for line in _where_to_look(outcome, api_url, config):
        out.print(line, soft_wrap=True)


def _where_to_look(
    outcome: DemoOutcome, api_url: str | None, config: StackConfig | None
) -> list[str]:
    """The demo's last lines: where to hear the voice and see the model's errors, and how."""
    from speechflows.dev.stack import StackConfig

    config = config or StackConfig()
    default = config == StackConfig()
    up = (
        "make up"
        if default
        else f"speechflows dev up --root {config.root} --azurite-port {config.azurite_port}"
    )
    remint = f"source {config.state_dir / 'env'} && speechflows try links"
    if default:
        remint = "source .speechflows/dev/env && speechflows try links"
    ui = api_url.removesuffix("/api") if api_url else f"http://127.0.0.1:{config.prefect_port}"
    lines = []
    if api_url:
        lines.append(f"Open the Prefect UI: {ui} → Artifacts")
    elif outcome.blob == "work dir":
        lines += [
            f"`{up}` shows the runs at {ui} → Artifacts;",
            "the audio stayed in the work dir: without --work-dir the demo keeps it",
        ]
    else:
        lines += [
            "Kept: the runs (.prefect/) and the audio (.speechflows/azurite/). To open them:",
            f"  {up}",
            f"  then {ui} → Artifacts (`make down` stops it)",
        ]
    for key in outcome.try_keys:
        voice = key.startswith("try-voice-")
        lines += [
            "  hear the voice:"
            if voice
            else "  per file, the words the new speech model fixed and broke:",
            f"    {key}",
        ]
    if not outcome.try_keys or outcome.blob == "work dir":
        return lines
    until = (
        f"until {outcome.links_expire.strftime('%H:%M UTC')}"
        if outcome.links_expire
        else "for an hour"
    )
    if outcome.blob == "moved":
        lines.append(f"Blob ran on another port than `{up}`'s; after it, fresh links:")
    else:
        lines.append(f"The audio and CSV links work {until}; fresh ones after that:")
    lines.append(f"  {remint}")
    return lines


__all__ = ["DemoOutcome", "RunFigures", "run_demo", "sample_data", "start_emulator"]
