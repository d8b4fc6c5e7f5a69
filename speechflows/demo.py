"""``make demo``: every onboarding end to end on Azurite + the Speech emulator, twice.

On a fresh machine: starts Azurite and the emulator on loopback ports, writes sample data, runs the
professional voice, personal voice and custom speech onboardings on Prefect (the embedded server,
or the one ``PREFECT_API_URL`` points at), then runs them again to show that the re-run uploads
and creates nothing. Prints a summary and stops every process it started — also on Ctrl-C,
SIGTERM or failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console
from rich.table import Table

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

    from speechflows.dev.processes import ManagedProcess, free_port

    port = free_port()

    def ready() -> bool:
        try:
            return (
                httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).status_code == 200
            )
        except httpx.HTTPError:
            return False

    argv = [
        sys.executable,
        "-m",
        "speechflows.emulator",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--key",
        key,
    ]
    if step_seconds is not None:
        argv += ["--step-seconds", str(step_seconds)]
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
        project_id="demo-personal", prompt_path=data["prompt"], consent=consent, deadlines=fast
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
                f"training set {result.training_set.id}: {result.utterance_count} utterances, "
                f"operation {result.upload_operation_id[:14]}…"
            ),
        )
    elif name == "personal voice":
        uploaded, ids = 0, f"speakerProfileId {result.speaker_profile_id}"
    else:
        uploaded = sum(d.staging.uploaded_bytes for d in result.datasets)
        wer = result.evaluation
        ids = ", ".join(f"{d.name}: {d.report.accepted_lines} lines" for d in result.datasets)
        if wer is not None:
            ids += f"; WER base {wer.word_error_rate_base} → custom {wer.word_error_rate_custom} (simulated)"
    return RunFigures(
        seconds=round(seconds, 2),
        created=result.created,
        reused=result.reused,
        uploaded_bytes=uploaded,
        ids=ids,
    )


def run_demo(
    work_dir: Path | None = None, *, keep: bool = False, console: Console | None = None
) -> DemoOutcome:
    """Run the demo; return the figures of both rounds. Every started process is stopped."""
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

    out = console or Console()
    root = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="speechflows-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    outcome = DemoOutcome()
    saved_env = dict(os.environ)
    with ExitStack() as stack, _sigterm_as_interrupt():
        if not keep:
            stack.callback(shutil.rmtree, root, True)
        out.print(f"[bold]speechflows demo[/] — working in {root}")
        az = Azurite.start(data_dir=root / "azurite")
        stack.callback(az.stop)
        out.print(f"  Azurite (Blob) on 127.0.0.1:{az.port}")
        emu = start_emulator(root / "emulator", DEMO_KEY, root / "emulator.log")
        stack.callback(emu.stop)
        out.print(f"  Speech emulator on http://127.0.0.1:{emu.port}")
        stack.callback(_restore_env, saved_env)
        os.environ.update(
            {
                "SPEECHFLOWS_SPEECH_ENDPOINT": f"http://127.0.0.1:{emu.port}",
                "SPEECHFLOWS_SPEECH_KEY": DEMO_KEY,
                "SPEECHFLOWS_STORAGE_CONNECTION_STRING": az.connection_string,
                "SPEECHFLOWS_STORAGE_CONTAINER": DEMO_CONTAINER,
            }
        )
        stack.callback(os.chdir, os.getcwd())
        os.chdir(root)  # the hash cache and packaged zips go under ./.speechflows
        data = sample_data(root / "data")
        out.print(f"  sample data in {root / 'data'}")
        updates: dict[Any, Any] = {
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
            PREFECT_RESULTS_LOCAL_STORAGE_PATH: root / "prefect-results",
        }
        shared_api_url = PREFECT_API_URL.value()
        if not shared_api_url:
            # Not Prefect's own temporary server: this one dies with us, even on SIGKILL.
            server = stack.enter_context(TemporaryServer.start(home=Path(PREFECT_HOME.value())))
            stack.callback(drain_prefect_workers)  # runs before the server stops
            updates[PREFECT_API_URL] = server.api_url
        stack.enter_context(temporary_settings(updates=updates))
        for round_no in (1, 2):
            label = "first run" if round_no == 1 else "re-run (nothing changed)"
            out.rule(f"[bold]{label}")
            for name, run in _onboardings(data):
                started = time.monotonic()
                result = run()
                figures = _figures(name, result, time.monotonic() - started)
                outcome.runs.setdefault(name, []).append(figures)
                if round_no == 1:
                    outcome.report_keys.append(result.report_key)
                out.print(f"  {name}: {figures.seconds:.1f} s — {figures.ids}")
        _summary(out, outcome, shared_api_url)
    return outcome


def _restore_env(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)


def _summary(out: Console, outcome: DemoOutcome, api_url: str | None) -> None:
    table = Table(title="speechflows demo: first run vs unchanged re-run")
    for col in ("onboarding", "run", "seconds", "created", "reused", "uploaded bytes"):
        table.add_column(col)
    for name, runs in outcome.runs.items():
        for i, r in enumerate(runs):
            table.add_row(
                name if i == 0 else "",
                "first" if i == 0 else "re-run",
                f"{r.seconds:.1f}",
                str(len(r.created)),
                str(len(r.reused)),
                str(r.uploaded_bytes),
            )
    out.print(table)
    reruns = [runs[1] for runs in outcome.runs.values() if len(runs) > 1]
    nothing = all(not r.created and r.uploaded_bytes == 0 for r in reruns)
    out.print(
        "[green]re-run: nothing re-uploaded, nothing re-created[/]"
        if nothing
        else "[red]re-run created or uploaded something[/]"
    )
    ui = (
        api_url.removesuffix("/api")
        if api_url
        else "http://127.0.0.1:4200 (run `make up`: its server shares this checkout's .prefect/)"
    )
    out.print(
        f"Artifacts (reports: {', '.join(outcome.report_keys)}, validation tables, progress, "
        f"links) are in the Prefect UI at {ui} → Artifacts."
    )


__all__ = ["DemoOutcome", "RunFigures", "run_demo", "sample_data", "start_emulator"]
