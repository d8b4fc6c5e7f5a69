"""The bad-input matrix: what a new user gets wrong, and what the CLI answers.

Every case asserts the exit code, that no traceback is printed, that the answer names the file,
option or setting to change and the fix, and that nothing was created in the Speech resource
(the emulator) or uploaded to Blob Storage (Azurite). A case with a ``fixed`` command line runs
it too: once the fix is applied the refusal is gone and the command succeeds (exit 0). The CLI
runs in-process; the emulator, Azurite and (for the cases that run a flow or read a Secret
block) the Prefect server are the session's; an unreachable service is a closed local port.
"""

from __future__ import annotations

import codecs
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import DataKind, write_sample

runner = CliRunner()
KINDS = [k.value for k in DataKind]
SAS_R = "sv=2024-08-04&sr=c&sp=r&se=2099-01-01T00:00:00Z&sig=abc%3D"
SAS_RL_OLD = "sv=2024-08-04&sr=c&sp=rl&se=2020-01-01T00:00:00Z&sig=abc%3D"
AZ = "http://127.0.0.1:10000/devstoreaccount1"


@dataclass(frozen=True)
class Case:
    """A bad input: ``args`` exit ``code`` naming each of ``names``.

    ``fixed``: the command line with the fix applied (``args`` when only the environment is
    fixed: ``fixed_env`` replaces ``env``); it exits ``fixed_code`` (0 when nothing else is
    wrong) and the refusal (``names[0]``) is gone. ``prefect``: the case runs a flow (on the
    session's Prefect server); ``prefect_api``: PREFECT_API_URL for the case.
    """

    id: str
    args: list[str]
    code: int
    names: list[str]
    fixed: list[str] | None = None
    env: dict[str, str | None] = field(default_factory=dict)
    fixed_env: dict[str, str | None] | None = None
    fixed_code: int = 0
    prefect: bool = False
    prefect_api: str | None = None


def _onboard(
    flow: str,
    data: str,
    *more: str,
    project: str | None = "p",
    consent: str | None = "{consent-file}",
) -> list[str]:
    """``onboard voice|personal DATA`` with the talent's options; None leaves an option out."""
    args = ["onboard", flow, data]
    if project is not None:
        args += ["--project", project]
    args += ["--talent", "T", "--company", "C"]
    if consent is not None:
        args += ["--consent", consent]
    return [*args, *more]


def _validate(
    id: str,
    data: str,
    kind: str,
    code: int,
    names: list[str],
    *more: str,
    fixed: list[str] | None = None,
    env: dict[str, str | None] | None = None,
) -> Case:
    """``validate DATA --kind KIND [MORE]``, refused with ``code``, naming ``names``."""
    args = ["validate", data, "--kind", kind, *more]
    return Case(f"validate-{id}", args, code, names, fixed=fixed, env=env or {})


def _cases() -> list[Case]:
    cases: list[Case] = []
    for kind in KINDS:
        data = f"{{{kind}}}"
        for bad in ("english", "xx-YY"):
            named = f"--locale {bad!r}" if bad == "english" else f"--locale {bad}"
            fixed = ["validate", data, "--kind", kind, "--locale", "en-US"]
            cases.append(
                _validate(
                    f"{kind}-locale-{bad}",
                    data,
                    kind,
                    2,
                    [named, "en-US"],
                    "--locale",
                    bad,
                    fixed=fixed,
                )
            )
        broken = ["  error  ", " → ", "Azure would reject"]
        cases.append(_validate(f"{kind}-broken", f"{{broken-{kind}}}", kind, 1, broken))
    az_set = f"{AZ}/data/set"
    cases += [
        _validate(
            "pronunciation-locale-outside-kind",
            "{Pronunciation}",
            "Pronunciation",
            2,
            ["--locale sv-SE", "Pronunciation data is not accepted"],
            "--locale",
            "sv-SE",
            fixed=["validate", "{Pronunciation}", "--kind", "Pronunciation", "--locale", "de-DE"],
        ),
        _validate(
            "missing-path",
            "{tmp}/nope",
            "Language",
            2,
            ["nope: no such file or folder", "looked in"],
        ),
        _validate(
            "missing-file",
            "{tmp}/gone.txt",
            "Pronunciation",
            2,
            ["gone.txt: no such file or folder"],
        ),
        _validate(
            "sas-without-list", f"{az_set}?{SAS_R}", "AudioAndScript", 2, ["missing list", "sp=rl"]
        ),
        _validate(
            "sas-expired",
            f"{az_set}?{SAS_RL_OLD}",
            "Acoustic",
            2,
            ["the SAS expires at 2020-01-01", "valid for at least"],
        ),
        _validate("url-without-sas", az_set, "Language", 2, ["needs a SAS", "generate-sas"]),
        _validate(
            "url-not-blob",
            f"https://example.com/x?{SAS_R}",
            "Language",
            2,
            ["not a Blob Storage URL", "blob.core.windows.net"],
        ),
        _validate(
            "bad-container",
            "blob://AB/set",
            "Language",
            2,
            ["invalid container name 'AB'", "SPEECHFLOWS_STORAGE_CONTAINER"],
        ),
        _validate(
            "blob-without-settings",
            "blob://data/set",
            "Language",
            2,
            ["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
            env={"SPEECHFLOWS_STORAGE_CONNECTION_STRING": None},
        ),
        _validate("bad-kind", "{Language}", "Text", 2, ["unknown data kind 'Text'", "Language"]),
        _validate(
            "language-of-voice-data",
            "{voice-dir}",
            "Language",
            1,
            ["dataset.kind_mismatch", "--kind AudioAndScript"],
            fixed=["validate", "{voice-dir}", "--kind", "AudioAndScript"],
        ),
        _validate(
            "language-of-acoustic-data",
            "{acoustic-dir}",
            "Language",
            1,
            ["dataset.kind_mismatch", "--kind Acoustic"],
        ),
        _validate(
            "latin1-script",
            "{latin}",
            "Language",
            1,
            ["script.txt", "iconv -f WINDOWS-1252 -t UTF-8"],
            "--locale",
            "fr-FR",
        ),
        _validate("bad-zip", "{badzip}", "Acoustic", 1, ["zip.invalid", "zip -r new.zip FOLDER"]),
        Case(
            "onboard-voice-no-project",
            _onboard("voice", "{AudioAndScript}", project=None),
            2,
            ["missing --project"],
        ),
        Case(
            "onboard-voice-missing-consent-file",
            _onboard("voice", "{AudioAndScript}", consent="{tmp}/consent.wav"),
            2,
            ["--consent", "consent.wav: no such file or folder"],
        ),
        Case(
            "onboard-voice-missing-data",
            _onboard("voice", "{tmp}/none"),
            2,
            ["DATA_DIR", "none: no such file or folder"],
        ),
        Case(
            "onboard-voice-locale-word",
            _onboard("voice", "{AudioAndScript}", "--locale", "english"),
            2,
            ["--locale 'english' is not a locale tag", "en-US"],
        ),
        Case(
            "onboard-voice-locale-unknown",
            _onboard("voice", "{AudioAndScript}", "--locale", "xx-YY"),
            2,
            ["--locale xx-YY", "AudioAndScript data is not accepted"],
        ),
        Case(
            "onboard-personal-locale-unknown",
            _onboard("personal", "{Prompt}", "--locale", "xx-YY"),
            2,
            ["--locale xx-YY", "Prompt data is not accepted"],
        ),
        Case(
            "onboard-personal-no-consent",
            _onboard("personal", "{Prompt}", consent=None),
            2,
            ["missing --consent (or --consent-blob)"],
        ),
        Case(
            "onboard-speech-bad-spec",
            ["onboard", "speech", "--project", "p", "--dataset", "phrases.txt"],
            2,
            ["expected NAME:KIND:PATH"],
        ),
        Case(
            "onboard-speech-missing-path",
            ["onboard", "speech", "--project", "p", "--dataset", "p:Language:{tmp}/none.txt"],
            2,
            ["--dataset", "none.txt: no such file"],
        ),
        Case(
            "onboard-speech-locale-outside-kind",
            [
                "onboard",
                "speech",
                "--project",
                "p",
                "--dataset",
                "p:Pronunciation:{Pronunciation}",
                "--locale",
                "sv-SE",
            ],
            2,
            ["--locale sv-SE", "Pronunciation data is not accepted", "--locale en-US"],
        ),
        Case(
            "onboard-speech-no-dataset",
            ["onboard", "speech", "--project", "p"],
            2,
            ["missing --dataset NAME:KIND:PATH"],
        ),
        Case(
            "onboard-params-not-json",
            ["onboard", "voice", "--params", "{latin}/script.txt"],
            2,
            ["--params", "cannot read it as JSON"],
        ),
        Case(
            "list-without-settings",
            ["list"],
            2,
            ["SPEECHFLOWS_SPEECH_ENDPOINT is not set", "source .speechflows/dev/env"],
            env={"SPEECHFLOWS_SPEECH_ENDPOINT": None, "SPEECHFLOWS_SPEECH_REGION": None},
        ),
        Case(
            "list-wrong-key",
            ["list"],
            1,
            ["HTTP 401", "SPEECHFLOWS_SPEECH_KEY", "SPEECHFLOWS_SPEECH_ENDPOINT=http://127.0.0.1"],
            env={"SPEECHFLOWS_SPEECH_KEY": "w" * 32},
            fixed=["list"],
            fixed_env={},
        ),
        Case(
            "list-speech-unreachable",
            ["list"],
            1,
            [
                "cannot reach the Speech service at "
                "SPEECHFLOWS_SPEECH_ENDPOINT=http://127.0.0.1:{closed-port}",
                "→ check SPEECHFLOWS_SPEECH_ENDPOINT",
            ],
            env={"SPEECHFLOWS_SPEECH_ENDPOINT": "http://127.0.0.1:{closed-port}"},
            fixed=["list"],
            fixed_env={},
        ),
        Case(
            "onboard-speech-speech-unreachable",
            [
                *("onboard", "speech", "--project", "p"),
                *("--dataset", "p:Language:{Language}"),
            ],
            1,
            [
                "cannot reach the Speech service at",  # the line wraps at 100 columns, not a name
                "SPEECHFLOWS_SPEECH_ENDPOINT=http://127.0.0.1:{closed-port}",
                "speechflows dev up",
            ],
            env={"SPEECHFLOWS_SPEECH_ENDPOINT": "http://127.0.0.1:{closed-port}"},
            prefect=True,
        ),
        Case(
            "validate-secret-missing-block",
            ["validate", "secret://matrix-no-such-block", "--kind", "Language"],
            2,
            ["secret://matrix-no-such-block: no Secret block named", "Blocks → Secret"],
            prefect=True,
        ),
        Case(
            "onboard-speech-secret-missing-block",
            [
                *("onboard", "speech", "--project", "p"),
                *("--dataset", "p:Language:secret://matrix-no-such-block"),
            ],
            1,
            ["secret://matrix-no-such-block: no Secret block named", "Blocks → Secret"],
            prefect=True,
        ),
        Case(
            "onboard-voice-train-model-too-few-utterances",
            [
                *("onboard", "voice", "{two-utterances}", "--project", "matrix-few"),
                *("--talent", "T", "--company", "C", "--consent", "{consent-file}"),
                *("--train-model", "MatrixNeural"),
            ],
            1,
            # the session emulator's recipes need 3 utterances (Azure's: 300)
            ["recipe Default needs at least 3 utterances", "the training set has 2", "--recipe"],
            prefect=True,
        ),
        Case(
            "validate-secret-prefect-unreachable",
            ["validate", "secret://matrix-block", "--kind", "Language"],
            2,
            [
                "cannot be read from the Prefect API at http://127.0.0.1:{closed-port}/api",
                "set PREFECT_API_URL to a reachable",
            ],
            prefect_api="http://127.0.0.1:{closed-port}/api",
        ),
        Case(
            "onboard-speech-prefect-unreachable",
            [
                *("onboard", "speech", "--project", "p"),
                *("--dataset", "p:Language:{Language}"),
            ],
            2,
            [
                "cannot reach the Prefect API at PREFECT_API_URL=http://127.0.0.1:{closed-port}/api",
                "speechflows dev up",
            ],
            prefect_api="http://127.0.0.1:{closed-port}/api",
        ),
    ]
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("matrix")
    with socket.socket() as s:  # a port nobody listens on (bound, then closed)
        s.bind(("127.0.0.1", 0))
        out = {"tmp": str(root), "closed-port": str(s.getsockname()[1])}
    for kind in DataKind:
        out[kind.value] = str(write_sample(root / kind.value, kind, count=3))
        out[f"broken-{kind.value}"] = str(write_sample(root / f"b-{kind.value}", kind, broken=True))
    out["two-utterances"] = str(write_sample(root / "two", DataKind.AUDIO_AND_SCRIPT, count=2))
    out["consent-file"] = str(next(Path(out["Consent"]).rglob("*.wav")))
    voice = Path(out["AudioAndScript"])
    out["voice-dir"] = str(voice if voice.is_dir() else voice.parent)
    acoustic = Path(out["Acoustic"])
    out["acoustic-dir"] = str(acoustic if acoustic.is_dir() else acoustic.parent)
    latin = root / "latin"
    latin.mkdir()
    (latin / "script.txt").write_bytes("La café est ouvert, señor.\n".encode("latin-1"))
    out["latin"] = str(latin)
    (root / "bad.zip").write_bytes(codecs.BOM_UTF8 + b"not a zip")
    out["badzip"] = str(root / "bad.zip")
    return out


@pytest.fixture(scope="module")
def services(emulator: Any, azurite: Any) -> Iterator[dict[str, str]]:
    yield {
        "SPEECHFLOWS_SPEECH_ENDPOINT": emulator.base_url,
        "SPEECHFLOWS_SPEECH_KEY": emulator.key,
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "SPEECHFLOWS_STORAGE_CONTAINER": "matrix",
        "PREFECT_API_URL": "",
        "COLUMNS": "100",
    }


def _fill(args: list[str], places: dict[str, str]) -> list[str]:
    out = []
    for a in args:
        for key, value in places.items():
            a = a.replace(f"{{{key}}}", value)
        out.append(a)
    return out


def _blobs(connection_string: str) -> list[str]:
    service = BlobServiceClient.from_connection_string(connection_string)
    return sorted(
        f"{c.name}/{b.name}"
        for c in service.list_containers()
        for b in service.get_container_client(c.name).list_blobs()
    )


def test_the_matrix_has_at_least_fifty_cases() -> None:
    assert len(CASES) >= 50
    assert len({c.id for c in CASES}) == len(CASES)


def _written(state: dict[str, Any]) -> dict[str, Any]:
    """The emulator's state but the count of requests it saw (reads included)."""
    faults = {k: v for k, v in state["faults"].items() if k != "requests_seen"}
    return {**state, "faults": faults}


def _env(env: dict[str, str | None], places: dict[str, str]) -> dict[str, str | None]:
    return {k: v if v is None else _fill([v], places)[0] for k, v in env.items()}


@contextmanager
def _prefect_api(url: str | None) -> Iterator[None]:
    """PREFECT_API_URL is ``url`` while open (over the session server's, when one runs)."""
    if url is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(
    case: Case,
    places: dict[str, str],
    services: dict[str, str],
    emulator: Any,
    azurite: Any,
    request: pytest.FixtureRequest,
) -> None:
    if case.prefect:
        request.getfixturevalue("prefect_server")
    env = _env({**services, **case.env}, places)
    before = (_written(emulator.state()), _blobs(azurite.connection_string))
    api = _fill([case.prefect_api], places)[0] if case.prefect_api else None
    with _prefect_api(api):
        result = runner.invoke(app, _fill(case.args, places), env=env)
    out = result.output
    assert result.exit_code == case.code, out
    assert ("Traceback" not in out and result.exception is None) or isinstance(
        result.exception, SystemExit
    ), out
    for name in case.names:
        assert _fill([name], places)[0] in out, (name, out)
    # nothing created (a read of the service's locale list may count as a request seen)
    assert (_written(emulator.state()), _blobs(azurite.connection_string)) == before
    if case.fixed is not None:
        # the fix works: this refusal is gone, and nothing else is wrong (exit 0)
        fixed_env = _env(
            {**services, **(case.env if case.fixed_env is None else case.fixed_env)}, places
        )
        again = runner.invoke(app, _fill(case.fixed, places), env=fixed_env)
        assert _fill(case.names[:1], places)[0] not in again.output, again.output
        assert again.exit_code == case.fixed_code, again.output
        assert "Traceback" not in again.output, again.output
