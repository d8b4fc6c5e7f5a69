"""What ``speechflows onboard …`` prints: the answer to each onboarding's question, in the CLI's words.

The figures printed are checked against the service as the emulator holds it (raw httpx, not the
client under test): the speakerProfileId of the personal voice, the id of each dataset by name.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import prefect.main  # noqa: F401  (Prefect logs to the real stderr, set before CliRunner swaps it)
import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from tests.flows.conftest import EmulatorState, speech_entities
from tests.samples import first_file, params_file, voice_args

pytestmark = pytest.mark.e2e

UI_RUN = re.compile(r"Prefect UI: (http://\S+/runs/flow-run/[0-9a-f-]{36})")


def _invoke(*args: str) -> Any:
    # Wide terminal: the summary lines are checked whole.
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _raw_get(env: dict[str, str], path: str) -> dict[str, Any]:
    response = httpx.get(
        f"{env['SPEECHFLOWS_SPEECH_ENDPOINT']}/{path}",
        params={"api-version": "2026-01-01"},
        headers={"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=30,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def test_personal_summary_prints_the_speaker_profile_id_and_the_run_url(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav",))
    prompt = write_sample(tmp_path / "prompt", DataKind.PROMPT)
    project = f"sum-{uuid.uuid4().hex[:6]}"
    out = _invoke(
        "onboard",
        "personal",
        str(prompt),
        "--project",
        project,
        "--talent",
        "Sam Roe",
        "--company",
        "Contoso",
        "--consent",
        str(consent),
        "--params",
        params_file(tmp_path, "personal"),
    )
    assert out.exit_code == 0, out.output
    found = re.search(r"speakerProfileId: ([0-9a-f-]{36})", out.stdout)
    assert found, out.stdout
    # One voice per prompt audio content: '<project>-voice-v<8 hex>'.
    [held] = [
        v
        for v in _raw_get(flow_env, "customvoice/personalvoices")["value"]
        if str(v["id"]).startswith(f"{project}-voice-v")
    ]
    assert found.group(1) == held["speakerProfileId"]
    url = UI_RUN.search(out.stdout)
    assert url, out.stdout
    run_id = url.group(1).rsplit("/", 1)[-1]
    from prefect.settings import PREFECT_API_URL

    run = httpx.get(f"{PREFECT_API_URL.value()}/flow_runs/{run_id}", timeout=30).json()
    assert run["state_type"] == "COMPLETED" and run["name"].startswith("personal voice")


def test_speech_summary_names_each_dataset_with_its_id_counts_and_the_wer(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    slug = uuid.uuid4().hex[:6]
    language = first_file(write_sample(tmp_path / "language", DataKind.LANGUAGE), (".txt",))
    acoustic = write_sample(tmp_path / "acoustic", DataKind.ACOUSTIC, count=3)
    phrases, audio = f"sum-{slug}-phrases", f"sum-{slug}-audio"
    out = _invoke(
        "onboard",
        "speech",
        "--project",
        f"summary {slug}",
        "--dataset",
        f"{phrases}:Language:{language}",
        "--dataset",
        f"{audio}:Acoustic:{acoustic}",
        "--model",
        f"sum-{slug}-model",
        "--test-dataset",
        audio,
        "--params",
        params_file(tmp_path, "speech"),
    )
    assert out.exit_code == 0, out.output
    for name, accepted in ((phrases, None), (audio, 3)):
        [held] = speech_entities(flow_env, "datasets", name)
        dataset_id = held["self"].rsplit("/", 1)[-1].split("?")[0]
        line = re.search(
            rf"dataset {name}: (\S+) \(Succeeded\): (\d+) accepted / (\d+) rejected", out.stdout
        )
        assert line, out.stdout
        assert line.group(1) == dataset_id
        if accepted is not None:
            assert int(line.group(2)) == accepted and line.group(3) == "0"
    assert re.search(r"word error rate: base [\d.]+ % → custom [\d.]+ %", out.stdout), out.stdout
    assert UI_RUN.search(out.stdout), out.stdout


def test_a_missing_option_is_refused_before_prefect_is_imported(tmp_path: Path) -> None:
    # The CLI in a fresh interpreter: it must answer without importing Prefect (that is what
    # took ~11 s), name the flags, and exit 2.
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from speechflows.cli import app\n"
        f"r = CliRunner().invoke(app, ['onboard', 'personal', {str(tmp_path / 'nope')!r}, "
        "'--project', 'abc'])\n"
        "print(r.exit_code); print(r.output)\n"
        "print('prefect imported' if 'prefect' in sys.modules else 'prefect not imported')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "2", done.stdout + done.stderr
    assert (
        "missing --talent" in done.stdout and "missing --consent (or --consent-blob)" in done.stdout
    )
    assert "PROMPT" in done.stdout and "no such file or folder" in done.stdout
    assert "consent.audio_file" not in done.stdout and "voice_talent_name" not in done.stdout
    assert lines[-1] == "prefect not imported"


def test_a_refused_dataset_prints_no_traceback_unless_debug(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    from speechflows.datasets import DataKind, write_sample

    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav",))
    data = write_sample(tmp_path / "broken", DataKind.AUDIO_AND_SCRIPT, count=3, broken=True)
    args = voice_args(data, consent, f"sum-{uuid.uuid4().hex[:6]}")
    args += ["--params", params_file(tmp_path, "voice")]
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "COLUMNS": "200"}
    root = Path(__file__).resolve().parents[2]

    def run(*first: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(Path(sys.executable).parent / "speechflows"), *first, *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**env, "PYTHONPATH": str(root)},
            cwd=tmp_path,
        )

    quiet = run()
    text = quiet.stdout + quiet.stderr
    assert quiet.returncode == 1, text
    assert "Traceback" not in text, text
    assert text.count("onboarding failed:") == 1
    assert "speechflows --debug" in text

    loud = run("--debug")
    assert loud.returncode == 1
    assert "Traceback" in loud.stdout + loud.stderr
