"""A small REST helper over a Prefect server (what the UI and other clients do).

Used by the deployment tests (``tests/fixtures/prefect_stack.py``) and by ``benchmarks/scale.py``,
which must not import from the tests. Plain httpx against ``PREFECT_API_URL``-style URLs.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def wait_until(what: str, check: Any, timeout: float = 120.0) -> Any:
    """Poll ``check()`` every half second until it returns something truthy (that value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def auth_headers(auth_string: str | None) -> dict[str, str]:
    """What a Prefect client sends for ``PREFECT_API_AUTH_STRING`` (HTTP Basic of the string)."""
    if not auth_string:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(auth_string.encode()).decode()}


class _RetryOn503(httpx.HTTPTransport):
    """Prefect answers 503 + Retry-After while SQLite is locked by a burst of writes: retry."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(10):
            response = super().handle_request(request)
            if response.status_code != 503:
                return response
            response.read()
            response.close()
            time.sleep(min(float(response.headers.get("Retry-After") or 1), 2.0))
        return super().handle_request(request)


class PrefectAPI:
    """Small REST helper over a Prefect server: what the UI and other clients do."""

    def __init__(self, api_url: str, auth_string: str | None = None) -> None:
        self.api_url = api_url
        self.http = httpx.Client(
            base_url=api_url,
            timeout=30.0,
            transport=_RetryOn503(),
            headers=auth_headers(auth_string),
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PrefectAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def deployment(self, full_name: str) -> dict[str, Any]:
        response = self.http.get(f"/deployments/name/{full_name}")
        response.raise_for_status()
        return dict(response.json())

    def create_run(
        self, deployment_id: str, parameters: dict[str, Any], **extra: Any
    ) -> httpx.Response:
        return self.http.post(
            f"/deployments/{deployment_id}/create_flow_run",
            json={"parameters": parameters, **extra},
        )

    def run(self, run_id: str) -> dict[str, Any]:
        response = self.http.get(f"/flow_runs/{run_id}")
        response.raise_for_status()
        return dict(response.json())

    def runs(self, deployment_id: str) -> list[dict[str, Any]]:
        response = self.http.post(
            "/flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [deployment_id]}},
                "sort": "EXPECTED_START_TIME_ASC",
            },
        )
        response.raise_for_status()
        return list(response.json())

    def wait_for_run(self, run_id: str, timeout: float = 180.0) -> dict[str, Any]:
        """Poll a flow run until it is in a terminal state; fail with its last state otherwise."""
        deadline = time.monotonic() + timeout
        run = self.run(run_id)
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["state_type"] in TERMINAL:
                return run
            time.sleep(0.5)
        raise TimeoutError(
            f"flow run {run['name']} still {run['state_type']} after {timeout:.0f} s"
        )

    def wait_until(self, what: str, check: Any, timeout: float = 120.0) -> Any:
        """Poll ``check()`` until it returns something truthy."""
        return wait_until(what, check, timeout)

    def artifacts(self, run_id: str) -> list[dict[str, Any]]:
        response = self.http.post(
            "/artifacts/filter", json={"flow_runs": {"id": {"any_": [run_id]}}}
        )
        response.raise_for_status()
        return list(response.json())

    def failure_logs(self, run_id: str) -> str:
        response = self.http.post(
            "/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}}
        )
        return "\n".join(line["message"] for line in response.json()[-30:])


__all__ = ["TERMINAL", "PrefectAPI", "wait_until"]
