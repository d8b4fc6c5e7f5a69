"""Hear the voice from the Prefect UI (headless Debian Chromium): a personal voice onboarding with
``try_sentences`` (the deployment, run by the session worker against the emulator and Azurite)
publishes the try-voice report; in the UI its audio links are links whose href is the URL the
markdown wrote, and following one gives the WAV the voice said. Screenshot in
``test-output/browser/``."""

from __future__ import annotations

import io
import re
import uuid
import wave
from pathlib import Path
from typing import Any

import pytest

from speechflows.datasets import DataKind, write_sample
from speechflows.flows.params import ConsentParams, PersonalVoiceParams
from tests.browser.test_prefect_ui import OUTPUT, page  # noqa: F401  (the browser fixture)
from tests.fixtures.prefect_stack import DeployStack
from tests.samples import first_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]
_DESTINATION = re.compile(r"\]\(<([^>]+)>\)")


def test_the_voice_can_be_heard_from_the_report_in_the_ui(
    deploy_stack: DeployStack,
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    api = deploy_stack.api
    project = f"ui-try-{uuid.uuid4().hex[:6]}"
    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav", ".mp3"))
    params = PersonalVoiceParams(
        project_id=project,
        prompt_path=write_sample(tmp_path / "prompt", DataKind.PROMPT),
        consent=ConsentParams(
            voice_talent_name="Sam Roe", company_name="Contoso", audio_file=consent
        ),
        try_sentences=["Hello from the browser test."],
    )
    deployment = api.deployment("personal-voice-onboarding/personal-voice")
    response = api.create_run(deployment["id"], {"params": params.model_dump(mode="json")})
    assert response.status_code == 201, response.text
    run = api.wait_for_run(response.json()["id"], timeout=240)
    assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])
    artifacts = {a["key"]: a for a in api.artifacts(run["id"])}
    # one key per project and voice, whatever the version: try-voice-<project>-voice
    report = artifacts[f"try-voice-{project}-voice"]
    written = _DESTINATION.findall(report["data"])
    assert len(written) == 1 and "sig=" in written[0] and "REDACTED" not in written[0]
    try:
        page.goto(
            f"{deploy_stack.server.url}/v2/artifacts/artifact/{report['id']}",
            wait_until="networkidle",
        )
        link = page.get_by_role("link", name="play / download", exact=True)
        expect(link).to_be_visible()
        expect(page.get_by_text("Hello from the browser test.").first).to_be_visible()
        page.screenshot(path=str(OUTPUT / "8-try-voice-report.png"), full_page=True)
        href = link.get_attribute("href")
        assert href == written[0]
        audio = page.request.get(href)
        assert audio.status == 200
        with wave.open(io.BytesIO(audio.body())) as w:
            assert w.getnframes() / w.getframerate() > 1.0
    except BaseException:
        page.screenshot(path=str(OUTPUT / "failure.png"), full_page=True)
        raise
