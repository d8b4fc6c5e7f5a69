"""The Prefect UI in headless Debian Chromium: a user starts an onboarding from the form.

Playwright from PyPI drives ``/usr/bin/chromium`` (no browser download; ``make test`` installs the
Debian package through scripts/system-deps.sh). The run is executed by the session worker of
``deploy_stack`` against the emulator and Azurite. Screenshots go to ``test-output/browser/``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from speechflows.deployments.setup import PROJECT_ROOT
from tests.fixtures.prefect_stack import DeployStack
from tests.samples import first_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUTPUT = PROJECT_ROOT / "test-output" / "browser"


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), (
        "Chromium is missing: run `make system-deps` (apt-get install chromium)"
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "failure.png").unlink(missing_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(60_000)
            # Assertions wait as long as actions: on a loaded box the UI renders an artifact's
            # markdown or a run's state well after the page's frame (the default is 5 s).
            expect.set_options(timeout=60_000)
            # The v2 UI fetches its telemetry config from amplitude.com even offline.
            page.route("**/*amplitude.com/**", lambda route: route.abort())
            yield page
        finally:
            browser.close()


def _field(page: Any, label: str) -> Any:
    """The text input of a form field: optional fields nest it under a type tab (path | None)."""
    return page.locator(
        f"xpath=//label[normalize-space()='{label}']"
        "/ancestor::div[.//textarea or .//input[@type='text' or @type='number' or not(@type)]][1]"
        "//*[self::textarea or self::input][1]"
    ).first


def test_a_custom_run_from_the_form_completes_and_shows_the_report(
    deploy_stack: DeployStack, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from speechflows.datasets import DataKind, write_sample

    api = deploy_stack.api
    project = f"ui-{uuid.uuid4().hex[:8]}"
    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav", ".mp3"))
    prompt = write_sample(tmp_path / "prompt", DataKind.PROMPT)
    deployment = api.deployment("personal-voice-onboarding/personal-voice")
    blob = f"ui/{project}/consent.wav"
    with BlobServiceClient.from_connection_string(
        deploy_stack.flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    ) as service:
        container = service.get_container_client(
            deploy_stack.flow_env["SPEECHFLOWS_STORAGE_CONTAINER"]
        )
        if not container.exists():
            container.create_container()
        container.upload_blob(blob, consent.read_bytes(), overwrite=True)

    try:
        page.goto(f"{deploy_stack.server.url}/v2/deployments", wait_until="networkidle")
        page.get_by_role("link", name="personal-voice", exact=True).first.click()
        page.get_by_role("button", name="Run", exact=True).first.click()
        page.get_by_text("Custom run", exact=True).first.click()
        page.get_by_label("Project Id", exact=True).fill(project)
        page.get_by_label("Poll Min Seconds (Optional)", exact=True).fill("0.05")
        page.get_by_label("Poll Max Seconds (Optional)", exact=True).fill("0.5")
        # The default consent is a blob (consent.audio_blob); the form names the user's own.
        _field(page, "Audio Blob (Optional)").fill(blob)
        page.get_by_label("Prompt Path", exact=True).fill(str(prompt))
        page.screenshot(path=str(OUTPUT / "1-custom-run-form.png"), full_page=True)
        # The form checks each value against the schema on the server as it is typed: submit
        # once those checks have answered (under load they can still be in flight).
        page.wait_for_load_state("networkidle")
        page.get_by_role("button", name="Submit", exact=True).click()

        def created() -> list[dict[str, Any]]:
            return [
                r
                for r in api.runs(deployment["id"])
                if r["parameters"]["params"]["project_id"] == project
            ]

        try:
            run = api.wait_until("the form to create the flow run", created, timeout=120)[0]
        except TimeoutError:
            page.screenshot(path=str(OUTPUT / "1-after-submit.png"), full_page=True)
            raise
        assert run["parameters"]["params"]["prompt_path"] == str(prompt)
        assert run["parameters"]["params"]["consent"]["audio_blob"] == blob
        assert run["parameters"]["params"]["deadlines"]["poll_max_seconds"] == 0.5

        done = api.wait_for_run(run["id"], timeout=240)
        assert done["state_type"] == "COMPLETED", (done.get("state") or {}).get(
            "message", ""
        ) + api.failure_logs(run["id"])
        page.goto(
            f"{deploy_stack.server.url}/v2/runs/flow-run/{run['id']}", wait_until="networkidle"
        )
        expect(page.get_by_text("Completed", exact=True).first).to_be_visible(timeout=60_000)
        page.screenshot(path=str(OUTPUT / "2-flow-run-completed.png"), full_page=True)

        page.get_by_role("tab", name="Artifacts").click()
        report = page.get_by_text(f"report-{project}-voice", exact=True)
        expect(report).to_be_visible()
        expect(page.get_by_text(f"Personal voice onboarding: {project}").first).to_be_visible()
        page.screenshot(path=str(OUTPUT / "3-artifacts.png"), full_page=True)
    except BaseException:
        page.screenshot(path=str(OUTPUT / "failure.png"), full_page=True)
        raise
