"""Onboarding data where it already lives in Blob Storage: nothing uploaded, nothing pruned.

The data is written to Azurite by the test itself (Azure SDK); what the flow asked of storage is
read from Azurite's access log (the session Azurite keeps one), so "0 bytes uploaded" and "the
re-run is one listing" are measured on the wire, not trusted from our own counters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

from speechflows.datasets import DataKind, build_zip, write_sample
from speechflows.flows.common import ValidationFailedError
from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import (
    ConsentParams,
    CustomSpeechParams,
    DatasetSpec,
    PersonalVoiceParams,
)
from speechflows.flows.personal_voice import personal_voice_onboarding
from speechflows.flows.professional_voice import professional_voice_onboarding
from speechflows.location import DataSourceError
from speechflows.storage import NothingToStageError, SasError
from tests.flows.conftest import EmulatorState
from tests.flows.deadlines import FAST
from tests.samples import voice_params

pytestmark = pytest.mark.e2e
SOURCE = "in-place-src"


def _put(conn: str, container: str, root: Path, prefix: str) -> None:
    with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.get_container_client(container)
        if not cc.exists():
            cc.create_container()
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            cc.upload_blob(f"{prefix}/{f.relative_to(root).as_posix()}", f.read_bytes())


def _snapshot(conn: str) -> dict[str, str]:
    """Every blob of the account with its ETag."""
    out = {}
    with BlobServiceClient.from_connection_string(conn) as svc:
        for c in svc.list_containers():
            for b in svc.get_container_client(c.name).list_blobs():
                out[f"{c.name}/{b.name}"] = str(b.etag)
    return out


def _user_sas(conn: str, container: str, permission: str, hours: float) -> str:
    with BlobServiceClient.from_connection_string(conn) as svc:
        key = svc.credential.account_key
        token = generate_container_sas(
            svc.account_name,
            container,
            account_key=key,
            permission=ContainerSasPermissions.from_string(permission),
            expiry=dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours),
        )
        return f"{svc.url.rstrip('/')}/{container}" + "?" + token


class Wire:
    """The requests Azurite saw since ``mark()`` for one container (from its access log)."""

    def __init__(self, log: Path, container: str) -> None:
        self.log, self.container, self.offset = log, container, 0

    def mark(self) -> None:
        self.offset = self.log.stat().st_size

    def requests(self) -> list[tuple[str, str]]:
        with self.log.open("rb") as f:
            f.seek(self.offset)
            text = f.read().decode("utf-8", "replace")
        found = re.findall(r'"(GET|PUT|DELETE|POST|HEAD) (\S+) HTTP', text)
        return [(m, u) for m, u in found if not self.container or f"/{self.container}" in u]

    def writes(self) -> list[tuple[str, str]]:
        """Every write Azurite saw since ``mark()``, in any container."""
        return [
            (m, u)
            for m, u in Wire(self.log, "").since(self.offset)
            if m in ("PUT", "DELETE", "POST")
        ]

    def since(self, offset: int) -> list[tuple[str, str]]:
        self.offset = offset
        return self.requests()


@pytest.fixture
def wire(azurite: Any) -> Callable[[str], Wire]:
    assert azurite.access_log is not None
    return lambda container: Wire(Path(azurite.access_log), container)


def test_professional_voice_from_blob_prefix_moves_nothing_and_reruns_on_one_listing(
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
    wire: Callable[[str], Wire],
) -> None:
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=8)
    _put(conn, SOURCE, data, "takes/jess")
    before = _snapshot(conn)
    w = wire(SOURCE)
    w.mark()
    params = voice_params(tmp_path, "pv-inplace", f"blob://{SOURCE}/takes/jess")
    first = professional_voice_onboarding(params)
    assert first.utterance_count == 8 and first.validation.error_count == 0
    assert first.staging.uploaded_bytes == 0 and first.staging.deleted_files == 0
    assert (first.staging.container, first.staging.prefix) == (SOURCE, "takes/jess/")
    assert _snapshot(conn) == before  # nothing written, nothing deleted, anywhere
    seen = w.requests()
    assert w.writes() == []  # not a byte written to storage, in any container
    assert any("comp=list" in u for _, u in seen)

    w.mark()
    again = professional_voice_onboarding(params)
    assert again.training_set.id == first.training_set.id
    assert again.upload_operation_id == first.upload_operation_id
    assert {r.action for r in again.resources} <= {"reused"}
    rerun = w.requests()
    assert rerun and all("comp=list" in u for _, u in rerun), rerun  # the listing, no read


def test_professional_voice_from_a_user_sas_url(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=6)
    _put(conn, SOURCE, data, "sas/jess")
    before = _snapshot(conn)
    url = _user_sas(conn, SOURCE, "rl", hours=6)
    base, query = url.split("?", 1)
    params = voice_params(tmp_path, "pv-usersas", f"{base}/sas/jess?{query}")
    result = professional_voice_onboarding(params)
    assert result.utterance_count == 6 and result.staging.uploaded_bytes == 0
    assert _snapshot(conn) == before
    assert "sig=" not in result.model_dump_json()


@pytest.mark.parametrize(
    ("case", "expected", "says"),
    [
        ("no list", SasError, "missing list"),
        ("expired", SasError, "expires at"),
        ("empty prefix", NothingToStageError, "the prefix is empty"),
        ("wrong kind", ValidationFailedError, "dataset.no_audio"),
        ("broken data", ValidationFailedError, "validation found"),
    ],
)
def test_refusals_come_before_anything_is_created(
    case: str,
    expected: type[Exception],
    says: str,
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
) -> None:
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    good = write_sample(tmp_path / "good", DataKind.AUDIO_AND_SCRIPT, count=4)
    _put(conn, SOURCE, good, f"r/{case.replace(' ', '-')}/good")
    if case == "wrong kind":
        text = write_sample(tmp_path / "text", DataKind.LANGUAGE)
        _put(conn, SOURCE, text.parent if text.is_file() else text, "r/wrong-kind/text")
    if case == "broken data":
        broken = write_sample(tmp_path / "broken", DataKind.AUDIO_AND_SCRIPT, broken=True)
        _put(conn, SOURCE, broken, "r/broken")
    source = {
        "no list": None,
        "expired": None,
        "empty prefix": f"blob://{SOURCE}/r/nothing-here",
        "wrong kind": f"blob://{SOURCE}/r/wrong-kind/text",
        "broken data": f"blob://{SOURCE}/r/broken",
    }[case]
    if source is None:
        url = _user_sas(
            conn, SOURCE, "r" if case == "no list" else "rl", -1 if case == "expired" else 6
        )
        base, query = url.split("?", 1)
        source = f"{base}/r/{case.replace(' ', '-')}/good?{query}"
    project = f"pv-refuse-{case.replace(' ', '-')}"
    before = emulator_state.creates()
    with pytest.raises(expected) as info:
        professional_voice_onboarding(voice_params(tmp_path, project, source))
    assert says in str(info.value)
    assert "sig=" not in str(info.value) or "sig=REDACTED" in str(info.value)
    assert emulator_state.creates() == before  # nothing created on the service


def _put_file(conn: str, container: str, path: Path, name: str) -> None:
    with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.get_container_client(container)
        if not cc.exists():
            cc.create_container()
        cc.upload_blob(name, path.read_bytes(), overwrite=True)


@pytest.mark.parametrize("via", ["blob", "sas"])
def test_personal_voice_from_prompt_audio_in_blob(
    via: str, flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    prompt = write_sample(tmp_path / "prompt", DataKind.PROMPT)
    _put(conn, SOURCE, prompt if prompt.is_dir() else prompt.parent, f"prompt-{via}")
    if via == "blob":
        source = f"blob://{SOURCE}/prompt-{via}"
    else:
        base, query = _user_sas(conn, SOURCE, "rl", hours=6).split("?", 1)
        source = f"{base}/prompt-{via}?{query}"
    consent = write_sample(tmp_path / "consent", DataKind.CONSENT)
    consent_file = consent if consent.is_file() else sorted(consent.glob("*.wav"))[0]
    before = _snapshot(conn)
    params = PersonalVoiceParams(
        project_id=f"pers-inplace-{via}",
        prompt_path=source,
        deadlines=FAST,
        consent=ConsentParams(
            voice_talent_name="Sam Roe", company_name="Contoso", audio_file=consent_file
        ),
    )
    result = personal_voice_onboarding(params)
    assert result.personal_voice.status == "Succeeded" and result.speaker_profile_id
    assert result.prompt_validation.error_count == 0
    assert _snapshot(conn) == before
    assert "sig=" not in result.model_dump_json()


@pytest.mark.parametrize("via", ["blob", "sas"])
def test_custom_speech_from_a_zip_and_a_text_file_in_blob(
    via: str, flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    acoustic = write_sample(tmp_path / "acoustic", DataKind.ACOUSTIC, count=4)
    archive = build_zip(acoustic, tmp_path / "acoustic.zip")
    language = write_sample(tmp_path / "language", DataKind.LANGUAGE)
    text = language if language.is_file() else sorted(language.rglob("*.txt"))[0]
    _put_file(conn, SOURCE, archive, f"cs-{via}/audio.zip")
    _put_file(conn, SOURCE, text, f"cs-{via}/phrases.txt")
    if via == "blob":
        urls = [f"blob://{SOURCE}/cs-{via}/audio.zip", f"blob://{SOURCE}/cs-{via}/phrases.txt"]
    else:
        base, query = _user_sas(conn, SOURCE, "rl", hours=6).split("?", 1)
        urls = [f"{base}/cs-{via}/{n}?{query}" for n in ("audio.zip", "phrases.txt")]
    before = _snapshot(conn)
    params = CustomSpeechParams(
        project_name=f"cs inplace {via}",
        deadlines=FAST,
        datasets=[
            DatasetSpec(name=f"cs-{via}-audio", kind="Acoustic", path=urls[0]),
            DatasetSpec(name=f"cs-{via}-phrases", kind="Language", path=urls[1]),
        ],
    )
    result = custom_speech_onboarding(params)
    by_name = {d.name: d for d in result.datasets}
    audio, phrases = by_name[f"cs-{via}-audio"], by_name[f"cs-{via}-phrases"]
    assert audio.report.dataset.status == "Succeeded" and audio.report.accepted_lines == 4
    assert phrases.report.dataset.status == "Succeeded" and phrases.report.accepted_lines
    assert audio.staging.uploaded_bytes == 0 and phrases.staging.uploaded_bytes == 0
    assert _snapshot(conn) == before
    assert "sig=" not in result.model_dump_json()


def test_custom_speech_refuses_a_prefix_before_anything_is_created(
    flow_env: dict[str, str], emulator_state: EmulatorState
) -> None:
    before = emulator_state.creates()
    params = CustomSpeechParams(
        project_name="cs inplace prefix",
        deadlines=FAST,
        datasets=[DatasetSpec(name="audio", kind="Acoustic", path=f"blob://{SOURCE}/folder")],
    )
    with pytest.raises(DataSourceError, match="imports one file per dataset"):
        custom_speech_onboarding(params)
    assert emulator_state.creates() == before


def test_a_sas_url_never_becomes_a_run_parameter(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    """Prefect keeps a run's parameters (and shows them in the UI): the SAS must not be in them.

    ``speechflows onboard`` parks a SAS URL in a Secret block for the run and deletes it after;
    ``secret://<block>`` is the same thing for a form, with a block the user made.
    """
    from prefect import get_client
    from prefect.blocks.system import Secret

    from speechflows.cli.onboard import _run_flow

    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=6)
    _put(conn, SOURCE, data, "hidden/jess")
    url = _user_sas(conn, SOURCE, "rl", hours=6)
    base, query = url.split("?", 1)
    sig = re.search(r"sig=([^&]+)", query)
    assert sig is not None
    sas_url = f"{base}/hidden/jess?{query}"

    def parameters_of(state: Any) -> str:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(state.state_details.flow_run_id)
            blocks = client.read_block_documents()
        leftovers = [b.name for b in blocks if (b.name or "").startswith("speechflows-sas-")]
        assert leftovers == []  # the CLI's stash is gone with the run
        return str(run.parameters)

    state, _ = _run_flow(
        professional_voice_onboarding, voice_params(tmp_path, "pv-hidden", sas_url)
    )
    assert state.is_completed(), state
    params_text = parameters_of(state)
    assert "secret://speechflows-sas-" in params_text
    assert sig.group(1) not in params_text and "sig=" not in params_text

    Secret(value=sas_url).save("team-voice-data", overwrite=True)
    own = professional_voice_onboarding(
        voice_params(tmp_path, "pv-hidden", "secret://team-voice-data"), return_state=True
    )
    assert own.is_completed(), own
    assert own.result().utterance_count == 6
    assert sig.group(1) not in parameters_of(own)
