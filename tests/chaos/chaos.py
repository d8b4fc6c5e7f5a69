"""Chaos runs: one fault at a seeded moment of one onboarding, then a plain re-run, then the
invariants checked against the emulator's and Azurite's state (shared by ``tests/chaos`` and
``benchmarks/chaos.py``).

A *moment* is the k-th API request the emulator sees during the run (k drawn from the seed): a
thread waits for it, then switches the fault on (or kills the emulator with SIGKILL and starts it
again on the same port and data folder; Azurite and the Prefect server likewise, the server on the
same port and database). Faults on the data (blobs deleted, overwritten or truncated behind our
back; a local file changed) happen between the run and the re-run.

``kill-cli`` runs the onboarding as a user does, ``speechflows onboard … --params FILE --json``
against the Prefect server, SIGKILLs that process group at the moment, and re-runs the same
command: the re-run must exit 0 and leave the killed run Crashed, not Running.

Invariants after the re-run: it completed; no duplicates (one live dataset per name, one create
per Custom Voice id); every staged blob's MD5 is the local file's, and the prefix holds exactly
the current files; the training set holds exactly the current files; no secret (key, SAS) in the
results, reports, logs or error messages; no flow run left Running.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prefect.settings import PREFECT_API_URL, PREFECT_RESULTS_LOCAL_STORAGE_PATH

from speechflows.flows.params import (
    ConsentParams,
    CustomSpeechParams,
    DatasetSpec,
    Deadlines,
    PersonalVoiceParams,
    ProfessionalVoiceParams,
    version_id,
)

ONBOARDINGS = ("professional-voice", "personal-voice", "custom-speech")
REQUEST_FAULTS: dict[str, dict[str, Any]] = {
    "429-storm": {"rate_limit": {"requests": 4, "window_seconds": 1}},
    "5xx-storm": {"error_ratio": 0.3, "error_status": 503},
    "drop-before": {"drop_ratio": 0.25},
    # Lost answers: the service acted, the client does not know. A lost `:upload` answer is issue
    # 26 case 1 (its targeted test: tests/chaos/test_case_wedged_wait.py).
    "drop-after": {"drop_ratio": 0.25, "drop_after": True},
}
OPERATION_FAULTS: dict[str, dict[str, Any]] = {
    "stuck-operation": {"stuck_operations": True},  # released 2 s later
    "fails-once": {"fail_operations": True},  # on for the first run, off for the re-run
}
DATA_FAULTS = ("blob-deleted", "blob-overwritten", "blob-truncated", "data-changed")
PROCESS_FAULTS = ("kill-emulator", "kill-azurite", "kill-prefect-server", "kill-cli")
FAULT_KINDS = (*REQUEST_FAULTS, *OPERATION_FAULTS, *DATA_FAULTS, *PROCESS_FAULTS)
# Personal voice stages nothing: blob faults do not apply to it.
STAGED = ("professional-voice", "custom-speech")

CHAOS_DEADLINES = Deadlines(
    poll_min_seconds=0.05,
    poll_max_seconds=0.3,
    consent_minutes=1,
    training_set_minutes=1,
    personal_voice_minutes=1,
    dataset_minutes=1,
    model_minutes=1,
    evaluation_minutes=1,
    endpoint_minutes=1,
)


def matrix(seed: int, count: int | None = None) -> list[tuple[str, str, int]]:
    """``(fault kind, onboarding, moment)`` triples drawn from ``seed``: every kind once (on a
    random onboarding it applies to), then random pairs up to ``count``."""
    rng = random.Random(seed)

    def onboarding_for(kind: str) -> str:
        return rng.choice(STAGED if kind.startswith("blob-") else ONBOARDINGS)

    picks = [(kind, onboarding_for(kind), rng.randint(2, 12)) for kind in FAULT_KINDS]
    while count is not None and len(picks) < count:
        kind = rng.choice(FAULT_KINDS)
        picks.append((kind, onboarding_for(kind), rng.randint(2, 12)))
    rng.shuffle(picks)
    return picks if count is None else picks[:count]


@dataclass
class Emulator:
    """What a chaos run needs of the emulator: its URL and key, and a way to SIGKILL/restart it
    (``tests.fixtures.emulator.EmulatorService``)."""

    service: Any

    @property
    def url(self) -> str:
        return str(self.service.base_url)

    def state(self) -> dict[str, Any]:
        return dict(self.service.state())

    def requests_seen(self) -> int:
        try:
            return int(self.state()["faults"]["requests_seen"])
        except httpx.HTTPError:
            return -1

    def kill_and_restart(self) -> None:
        proc = self.service.process
        os.killpg(proc.pid, signal.SIGKILL)
        if proc.proc is not None:
            proc.proc.wait()
        self.service.stop()
        self.service.start()


class Storage:
    """Azurite of the chaos runs, SIGKILLed and started again on the same port and data folder."""

    def __init__(self, azurite: Any, data_dir: Path) -> None:
        self.azurite = azurite
        self.data_dir = data_dir

    def kill_and_restart(self) -> None:
        from speechflows.dev.azurite import Azurite

        proc = self.azurite.process
        os.killpg(proc.pid, signal.SIGKILL)
        if proc.proc is not None:
            proc.proc.wait()
        self.azurite.stop()
        self.azurite = Azurite.start(port=self.azurite.port, data_dir=self.data_dir)

    def stop(self) -> None:
        self.azurite.stop()


class Orchestrator:
    """The Prefect server of the chaos runs (``prefect server start``, SQLite in ``home``),
    SIGKILLed and started again on the same port and database."""

    def __init__(self, home: Path) -> None:
        from speechflows.dev.prefect_server import PrefectServer

        self.home = home
        self.server = PrefectServer.start(home=home)
        self.restarts = 0

    @property
    def api_url(self) -> str:
        return self.server.api_url

    def kill_and_restart(self) -> None:
        from speechflows.dev.prefect_server import PrefectServer

        proc = self.server.process
        if proc.pid is not None:
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.proc is not None:
            proc.proc.wait()
        self.server.stop()
        self.server = PrefectServer.start(home=self.home, port=self.server.port)
        self.restarts += 1

    def stop(self) -> None:
        self.server.stop()


class Moment(threading.Thread):
    """Runs ``action`` once the emulator has seen ``k`` more API requests than at the start."""

    def __init__(self, emulator: Emulator, k: int, action: Callable[[], None]) -> None:
        super().__init__(daemon=True, name="chaos-moment")
        self.emulator, self.k, self.action = emulator, k, action
        self.halt = threading.Event()
        self.error: BaseException | None = None
        self.fired = False
        self.start_count = emulator.requests_seen()

    def run(self) -> None:
        try:
            while not self.halt.is_set():
                if self.emulator.requests_seen() >= self.start_count + self.k:
                    self.action()
                    self.fired = True
                    return
                self.halt.wait(0.02)  # polling a counter: the moment is a condition
        except BaseException as exc:  # reported by the caller
            self.error = exc


@dataclass
class Outcome:
    kind: str
    onboarding: str
    moment: int
    first_completed: bool
    rerun_completed: bool
    rerun_seconds: float
    violations: list[str]
    injected: bool = True


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _params(onboarding: str, root: Path, name: str) -> Any:
    from speechflows.datasets import DataKind, write_sample

    consent = write_sample(root / "consent", DataKind.CONSENT)
    consent_file = consent if consent.is_file() else sorted(consent.glob("*.wav"))[0]
    consent_params = ConsentParams(
        voice_talent_name="Jess Doe", company_name="Contoso", audio_file=consent_file
    )
    if onboarding == "professional-voice":
        data = write_sample(root / "data", DataKind.AUDIO_AND_SCRIPT, count=4)
        return ProfessionalVoiceParams(
            project_id=name, data_dir=data, deadlines=CHAOS_DEADLINES, consent=consent_params
        )
    if onboarding == "personal-voice":
        prompt = write_sample(root / "prompt", DataKind.PROMPT)
        return PersonalVoiceParams(
            project_id=name, prompt_path=prompt, deadlines=CHAOS_DEADLINES, consent=consent_params
        )
    text = root / "phrases.txt"
    text.write_text("turn the lights on\nplay some jazz\nwhat is the weather\n", encoding="utf-8")
    return CustomSpeechParams(
        project_name=name,
        datasets=[DatasetSpec(name=name, kind="Language", path=text)],
        deadlines=CHAOS_DEADLINES,
    )


def _flow(onboarding: str) -> Any:
    from speechflows.flows.custom_speech import custom_speech_onboarding
    from speechflows.flows.personal_voice import personal_voice_onboarding
    from speechflows.flows.professional_voice import professional_voice_onboarding

    return {
        "professional-voice": professional_voice_onboarding,
        "personal-voice": personal_voice_onboarding,
        "custom-speech": custom_speech_onboarding,
    }[onboarding]


def _staged_blobs(conn: str, container: str, prefix: str) -> dict[str, bytes]:
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(conn) as svc:
        c = svc.get_container_client(container)
        return {
            b.name: c.download_blob(b.name).readall() for b in c.list_blobs(name_starts_with=prefix)
        }


def _damage_blob(conn: str, container: str, prefix: str, kind: str, rng: random.Random) -> None:
    """Delete, overwrite or truncate one staged blob behind the onboarding's back."""
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(conn) as svc:
        c = svc.get_container_client(container)
        names = sorted(b.name for b in c.list_blobs(name_starts_with=prefix))
        if not names:
            return
        name = rng.choice(names)
        if kind == "blob-deleted":
            c.delete_blob(name)
            return
        data = c.download_blob(name).readall()
        new = data[: len(data) // 2] if kind == "blob-truncated" else bytes(reversed(data))
        c.upload_blob(name, new, overwrite=True)


def _change_data(onboarding: str, params: Any, root: Path) -> None:
    from speechflows.datasets import DataKind, write_sample

    if onboarding == "professional-voice":
        wavs = sorted(Path(params.data_dir).rglob("*.wav"))
        wavs[0].write_bytes(wavs[-1].read_bytes())
    elif onboarding == "personal-voice":
        write_sample(root / "prompt", DataKind.PROMPT, seed=11)
    else:
        with Path(params.datasets[0].path).open("a", encoding="utf-8") as f:
            f.write("call my sister\n")


def _flow_run_states(ids: list[Any]) -> dict[str, str]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def go() -> dict[str, str]:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids))
            )
            return {str(r.id): str(r.state_type.value if r.state_type else None) for r in runs}

    return asyncio.run(go())


def _artifacts_text(ids: list[Any]) -> str:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def go() -> str:
        async with get_client() as client:
            arts = await client.read_artifacts(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids))
            )
            return "\n".join(str(a.data) for a in arts)

    return asyncio.run(go())


def check(
    onboarding: str,
    params: Any,
    result: Any,
    emulator: Emulator,
    env: dict[str, str],
    texts: list[str],
    run_ids: list[Any],
) -> list[str]:
    """The invariants after a re-run; each violation as one sentence."""
    bad: list[str] = []
    state = emulator.state()
    dup = {k: n for k, n in state["create_counts"].items() if n > 1 and k.startswith("customvoice")}
    if dup:
        bad.append(f"Custom Voice ids created more than once: {dup}")
    if onboarding == "custom-speech":
        headers = {"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]}
        body = httpx.get(
            f"{emulator.url}/speechtotext/datasets",
            params={"api-version": "2025-10-15"},
            headers=headers,
            timeout=10,
        ).json()
        name = params.datasets[0].name
        live: dict[str, int] = {}
        for d in body.get("values", []):
            if d.get("displayName") == name and d.get("status") != "Failed":
                content = (d.get("customProperties") or {}).get("speechflowsContentHash", "")
                live[content] = live.get(content, 0) + 1
        if any(n > 1 for n in live.values()):
            bad.append(f"more than one live dataset of the same content named {name!r}: {live}")
        if result is not None and result.datasets[0].staging.manifest_hash not in live:
            bad.append(f"no live dataset of the current content of {name!r}")
    if onboarding in STAGED and result is not None:
        conn = env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
        if onboarding == "professional-voice":
            staging, root = result.staging, Path(params.data_dir)
            local = {
                staging.prefix + p.relative_to(root).as_posix(): p.read_bytes()
                for p in root.rglob("*")
                if p.is_file() and p.suffix.lower() in (".wav", ".txt")
            }
        else:
            staging = result.datasets[0].staging
            path = Path(params.datasets[0].path)
            local = {staging.prefix + path.name: path.read_bytes()}
        blobs = _staged_blobs(conn, staging.container, staging.prefix)
        if set(blobs) != set(local):
            bad.append(f"staged blobs {sorted(blobs)} are not the current files {sorted(local)}")
        wrong = [n for n in local if n in blobs and _md5(blobs[n]) != _md5(local[n])]
        if wrong:
            bad.append(f"staged blobs with a wrong MD5: {wrong}")
    if onboarding == "professional-voice" and result is not None:
        wavs = len(list(Path(params.data_dir).rglob("*.wav")))
        want = version_id(params.resolved_training_set_id(), result.staging.manifest_hash)
        if result.training_set.id != want or result.utterance_count != wavs:
            bad.append(
                f"training set {result.training_set.id} holds {result.utterance_count} "
                f"utterances; the current files are {wavs} in {want}"
            )
    key = env["SPEECHFLOWS_SPEECH_KEY"]
    everything = "\n".join([*texts, _artifacts_text(run_ids)])
    for secret, what in ((key, "the Speech key"), ("sig=", "a SAS signature")):
        if secret in everything:
            bad.append(f"{what} appears in a result, report, log or error message")
    running = {i: s for i, s in _flow_run_states(run_ids).items() if s in ("RUNNING", "PENDING")}
    if running:
        bad.append(f"flow runs left running: {running}")
    return bad


CLI_COMMANDS = {
    "professional-voice": "voice",
    "personal-voice": "personal",
    "custom-speech": "speech",
}


@dataclass
class CliRun:
    """One ``speechflows onboard`` process: its exit status and output."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


def _cli(
    onboarding: str,
    params_file: Path,
    env: dict[str, str],
    cwd: Path,
    kill_at: Callable[[Callable[[], None]], Moment] | None = None,
) -> tuple[CliRun, Moment | None]:
    """Run the onboarding's CLI command; with ``kill_at``, SIGKILL its process group at the
    moment that makes."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("speechflows")
    argv = [str(exe), "onboard", CLI_COMMANDS[onboarding], "--params", str(params_file), "--json"]
    child_env = {
        **os.environ,
        **env,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(PREFECT_RESULTS_LOCAL_STORAGE_PATH.value()),
    }
    child = subprocess.Popen(
        argv,
        env=child_env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

    def kill() -> None:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)

    moment = kill_at(kill) if kill_at is not None else None
    try:
        out, err = child.communicate(timeout=600)
    finally:
        if child.poll() is None:
            kill()
    if moment is not None:
        moment.halt.set()
        moment.join()
    return CliRun(child.returncode, out, err), moment


def _runs_since(flow_name: str, since: float) -> list[Any]:
    """Ids of the runs of ``flow_name`` created since ``since`` (a time.time())."""
    from datetime import UTC, datetime

    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async def go() -> list[Any]:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])), limit=200
            )
        start = datetime.fromtimestamp(since - 1, UTC)
        return [r.id for r in runs if r.created is not None and r.created >= start]

    return asyncio.run(go())


def run_cli_one(
    onboarding: str,
    moment: int,
    *,
    emulator: Emulator,
    env: dict[str, str],
    root: Path,
    seed: int,
    index: int = 0,
) -> Outcome:
    """``kill-cli``: the CLI SIGKILLed at the moment, then the same command again."""
    from typing import get_type_hints

    rng = random.Random(f"{seed}-kill-cli-{onboarding}-{index}")
    name = f"ch-kill-cli-{onboarding[:4]}-{rng.randrange(16**6):06x}"
    params = _params(onboarding, root / name, name)
    params_file = root / name / "params.json"
    params_file.write_text(params.model_dump_json(), encoding="utf-8")
    flow = _flow(onboarding)
    since = time.time()
    first, fired = _cli(
        onboarding,
        params_file,
        env,
        root / name,
        kill_at=lambda kill: _started(Moment(emulator, moment, kill)),
    )
    started = time.monotonic()
    again, _ = _cli(onboarding, params_file, env, root / name)
    seconds = time.monotonic() - started
    texts = [first.stdout, first.stderr, again.stdout, again.stderr]
    result = None
    violations = []
    if again.returncode == 0:
        result = get_type_hints(flow.fn)["return"].model_validate_json(again.stdout)
    else:
        tail = "\n".join(again.stderr.strip().splitlines()[-5:])
        violations.append(f"the plain re-run exited {again.returncode}: {again.stdout} {tail}")
    run_ids = _runs_since(flow.name, since)
    if len(run_ids) < 2:
        violations.append(f"expected the killed run and the re-run on the server, found {run_ids}")
    violations += check(onboarding, params, result, emulator, env, texts, run_ids)
    injected = fired is not None and fired.fired and first.killed
    if fired is not None and fired.error is not None:
        violations.append(f"the fault could not be injected: {fired.error!r}")
    return Outcome(
        "kill-cli",
        onboarding,
        moment,
        first.returncode == 0,
        again.returncode == 0,
        seconds,
        violations,
        injected,
    )


def _started(thread: Moment) -> Moment:
    thread.start()
    return thread


def run_one(
    kind: str,
    onboarding: str,
    moment: int,
    *,
    emulator: Emulator,
    storage: Storage,
    env: dict[str, str],
    root: Path,
    seed: int,
    index: int = 0,
    log_text: Callable[[], str] = lambda: "",
    orchestrator: Orchestrator | None = None,
) -> Outcome:
    """One chaos run: the onboarding with the fault at its moment, a plain re-run, the checks.

    ``orchestrator``: the Prefect server the flows run on, for ``kill-prefect-server``."""
    if kind == "kill-cli":
        return run_cli_one(
            onboarding, moment, emulator=emulator, env=env, root=root, seed=seed, index=index
        )
    if kind == "kill-prefect-server" and orchestrator is None:
        raise ValueError("kill-prefect-server needs the Orchestrator the flows run on")
    # ``index``: the run's place in its matrix, so a pair drawn twice onboards a new project.
    rng = random.Random(f"{seed}-{kind}-{onboarding}-{index}")
    name = f"ch-{kind[:8]}-{onboarding[:4]}-{rng.randrange(16**6):06x}"
    params = _params(onboarding, root / name, name)
    flow = _flow(onboarding)
    admin = emulator.service

    def switch_on() -> None:
        if kind in REQUEST_FAULTS:
            admin.set_faults(seed=seed, **REQUEST_FAULTS[kind])
        elif kind in OPERATION_FAULTS:
            admin.set_faults(**OPERATION_FAULTS[kind])
            if kind == "stuck-operation":
                threading.Timer(2.0, admin.clear_faults).start()
        elif kind == "kill-emulator":
            emulator.kill_and_restart()
        elif kind == "kill-azurite":
            storage.kill_and_restart()
        elif kind == "kill-prefect-server" and orchestrator is not None:
            orchestrator.kill_and_restart()

    if kind == "fails-once":
        moment = 0  # from the start: the run's first operation fails (the moment is which one)
    moment_thread = None
    if kind not in DATA_FAULTS:
        moment_thread = Moment(emulator, moment, switch_on)
        moment_thread.start()
    texts: list[str] = []
    injected = moment_thread is None
    first = flow(params, return_state=True)
    if moment_thread is not None:
        moment_thread.halt.set()
        moment_thread.join()
        injected = moment_thread.fired
    admin.clear_faults()
    texts.append(str(first.message or ""))
    if first.is_completed():
        texts.append(first.result().model_dump_json())
    if kind in ("blob-deleted", "blob-overwritten", "blob-truncated") and first.is_completed():
        out = first.result()
        staging = out.staging if onboarding == "professional-voice" else out.datasets[0].staging
        _damage_blob(
            env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
            staging.container,
            staging.prefix,
            kind,
            rng,
        )
    if kind == "data-changed":
        _change_data(onboarding, params, root / name)
    started = time.monotonic()
    again = flow(params, return_state=True)
    seconds = time.monotonic() - started
    texts.append(str(again.message or ""))
    result = again.result() if again.is_completed() else None
    if result is not None:
        texts.append(result.model_dump_json())
    texts.append(log_text())
    run_ids = [first.state_details.flow_run_id, again.state_details.flow_run_id]
    violations = (
        [] if again.is_completed() else [f"the plain re-run ended {again.name}: {again.message}"]
    )
    violations += check(onboarding, params, result, emulator, env, texts, run_ids)
    if moment_thread is not None and moment_thread.error is not None:
        violations.append(f"the fault could not be injected: {moment_thread.error!r}")
    return Outcome(
        kind,
        onboarding,
        moment,
        first.is_completed(),
        again.is_completed(),
        seconds,
        violations,
        injected,
    )
