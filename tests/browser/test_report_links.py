"""The custom speech report in the Prefect UI (headless Debian Chromium): its links work.

A custom speech run (the deployment, run by the session worker against the emulator and Azurite)
publishes its report; the UI must render every resource link as a link whose href is the URL
the markdown wrote, beside the Speech Studio entry page. A second report, written by the test
with ids, names and URLs holding ``)``, ``_``, ``|`` and ``<tag>``, must render as written too.
Screenshots go to ``test-output/browser/``.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from speechflows.tasks.artifacts import (
    API_LINK_TEXT,
    SPEECH_STUDIO_CUSTOM_SPEECH,
    artifact_key,
    render_report,
)
from speechflows.tasks.outcomes import ResourceOutcome
from tests.browser.test_prefect_ui import OUTPUT, page  # noqa: F401  (the browser fixture)
from tests.fixtures.prefect_stack import DeployStack
from tests.samples import speech_params

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A link destination as the report writes it: [text](<url>)
_DESTINATION = re.compile(r"\]\(<([^>]+)>\)")


def _hrefs(tab: Any, text: str) -> list[str]:
    links = tab.get_by_role("link", name=text, exact=True)
    return sorted(links.nth(i).get_attribute("href") for i in range(links.count()))


def _open_artifact(tab: Any, stack: DeployStack, artifact_id: str, shot: str) -> None:
    from playwright.sync_api import expect

    tab.goto(f"{stack.server.url}/v2/artifacts/artifact/{artifact_id}", wait_until="networkidle")
    expect(tab.get_by_role("link", name=API_LINK_TEXT).first).to_be_visible()
    tab.screenshot(path=str(OUTPUT / shot), full_page=True)


def test_custom_speech_report_links_render_as_written(
    deploy_stack: DeployStack,
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    api = deploy_stack.api
    slug = uuid.uuid4().hex[:6]
    params = speech_params(tmp_path, f"ui links {slug}", f"ui-{slug}", count=3, model=False)
    deployment = api.deployment("custom-speech-onboarding/custom-speech")
    response = api.create_run(deployment["id"], {"params": params.model_dump(mode="json")})
    assert response.status_code == 201, response.text
    run = api.wait_for_run(response.json()["id"], timeout=240)
    assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])

    artifacts = {a["key"]: a for a in api.artifacts(run["id"])}
    report = artifacts[artifact_key("report", artifact_key(params.project_name))]
    written = sorted(_DESTINATION.findall(report["data"]))
    api_urls = sorted(u for u in written if u != SPEECH_STUDIO_CUSTOM_SPEECH)
    # project + two datasets, each with its REST link; the Studio entry page once
    assert len(api_urls) == 3 and all("/speechtotext/" in u for u in api_urls), report["data"]
    assert written.count(SPEECH_STUDIO_CUSTOM_SPEECH) == 1
    # Link artifacts (Prefect stores them as markdown "[text](url)"), with their descriptions
    links = [a for key, a in artifacts.items() if key.endswith("-link")]
    linked = [re.fullmatch(r"\[(.*)\]\((.*)\)", a["data"]) for a in links]
    assert all(m is not None for m in linked), [a["data"] for a in links]
    # one per resource (project, each dataset by its name): no dataset's link overwrites another's
    assert {m.group(2) for m in linked if m} == set(api_urls) and len(links) == 3
    assert all("Speech resource key" in (a["description"] or "") for a in links)

    try:
        _open_artifact(page, deploy_stack, report["id"], "4-custom-speech-report.png")
        assert _hrefs(page, API_LINK_TEXT) == api_urls
        assert _hrefs(page, "Speech Studio: Custom speech") == [SPEECH_STUDIO_CUSTOM_SPEECH]
        for dataset in params.datasets:  # names and ids to look for in Studio, as written
            assert page.get_by_text(dataset.name, exact=False).count() > 0
        for artifact, match in zip(links, linked, strict=True):
            assert match is not None
            page.goto(
                f"{deploy_stack.server.url}/v2/artifacts/artifact/{artifact['id']}",
                wait_until="networkidle",
            )
            shown = page.get_by_role("link", name=API_LINK_TEXT, exact=False)
            expect(shown.first).to_be_visible()
            assert [shown.nth(i).get_attribute("href") for i in range(shown.count())] == [
                match.group(2)
            ]
    except BaseException:
        page.screenshot(path=str(OUTPUT / "failure.png"), full_page=True)
        raise


def test_odd_ids_names_and_urls_render_as_written(
    deploy_stack: DeployStack,
    page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base = "http://127.0.0.1:9/speechtotext/datasets"
    resources = [
        ResourceOutcome(
            kind="dataset",
            id="a_b)c",
            url=f"{base}/a_b)c?api-version=2025-10-15",
            display_name="phrases_v2 (new)",
        ),
        ResourceOutcome(
            kind="dataset",
            id="p|q",
            url=f"{base}/p|q?api-version=2025-10-15",
            display_name="name <project_id> | x",
        ),
    ]
    text = render_report("Custom speech onboarding: odd_names", resources=resources)
    response = deploy_stack.api.http.post(
        "/artifacts/",
        json={
            "key": f"report-odd-{uuid.uuid4().hex[:6]}",
            "type": "markdown",
            "data": text,
            "description": "odd ids",
        },
    )
    assert response.status_code == 201, response.text
    try:
        _open_artifact(page, deploy_stack, response.json()["id"], "5-odd-report.png")
        hrefs = _hrefs(page, API_LINK_TEXT)
        # The UI keeps ')' and '_' as written; '|' is not allowed raw in a URL: the report
        # writes it percent-encoded, so the href is exactly what the markdown holds.
        assert hrefs == sorted(_DESTINATION.findall(text)[:2])
        assert sorted(unquote(h) for h in hrefs) == sorted(str(r.url) for r in resources)
        assert f"{base}/a_b)c?api-version=2025-10-15" in hrefs
        for r in resources:
            expect(page.get_by_text(r.id, exact=True).first).to_be_visible()
            expect(page.get_by_text(str(r.display_name), exact=True).first).to_be_visible()
    except BaseException:
        page.screenshot(path=str(OUTPUT / "failure.png"), full_page=True)
        raise
