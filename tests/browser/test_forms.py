"""The custom run forms in the Prefect UI (headless Debian Chromium): descriptions as written.

The UI renders parameter descriptions as markdown with raw HTML: placeholders must survive
(``{project_id}``, not ``<project_id>``, which vanishes as a tag), no Sphinx markup may show, and a
flow's form lists only its own deadlines. Screenshots go to ``test-output/browser/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_prefect_ui import OUTPUT, page  # noqa: F401  (the browser fixture)
from tests.fixtures.prefect_stack import DeployStack

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open_form(tab: Any, stack: DeployStack, deployment: str, shot: str) -> str:
    from playwright.sync_api import expect

    tab.goto(f"{stack.server.url}/v2/deployments", wait_until="networkidle")
    tab.get_by_role("link", name=deployment, exact=True).first.click()
    tab.get_by_role("button", name="Run", exact=True).first.click()
    tab.get_by_text("Custom run", exact=True).first.click()
    expect(tab.get_by_role("button", name="Submit", exact=True)).to_be_visible()
    # The parameter fields render after the deployment's schema loads.
    expect(tab.get_by_text("Deadlines (Optional)", exact=True).first).to_be_visible()
    tab.wait_for_load_state("networkidle")
    tab.screenshot(path=str(OUTPUT / shot), full_page=True)
    return str(tab.locator("body").inner_text())


def test_forms_render_descriptions_as_written_and_only_their_deadlines(
    deploy_stack: DeployStack,
    page: Any,  # noqa: F811
) -> None:
    try:
        speech = _open_form(page, deploy_stack, "custom-speech", "6-custom-speech-form.png")
        assert "default 'custom-speech/{project name}/'" in speech, speech
        assert "Dataset Minutes" in speech and "Evaluation Minutes" in speech
        assert "Endpoint Minutes" in speech  # the release step deploys an endpoint
        for voice_only in ("Consent Minutes", "Training Set Minutes", "Personal Voice Minutes"):
            assert voice_only not in speech
        assert ":class:" not in speech and "~speechflows" not in speech
        assert "the fields below" in speech
        assert "Model (Optional)" in speech and "Field (Optional)" not in speech

        personal = _open_form(page, deploy_stack, "personal-voice", "7-personal-voice-form.png")
        assert "default '{project_id}-voice'" in personal, personal
        assert "default '{project_id}-consent'" in personal
        assert "Personal Voice Minutes" in personal and "Dataset Minutes" not in personal
        assert ":class:" not in personal
    except BaseException:
        page.screenshot(path=str(OUTPUT / "failure.png"), full_page=True)
        raise
