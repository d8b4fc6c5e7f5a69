"""Every request to the service, polls, list pages, lookups and retries included, calls the hook.

The hook is how the tasks layer puts every call under the shared Speech API rate limit; the
transport here counts what really went out, independently of the client.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from speechflows.speech import CustomSpeechClient, polling
from tests.speech.spec_support import ENDPOINT, FakeTime, settings

DS = f"{ENDPOINT}/speechtotext/datasets/d1?api-version=2025-10-15"


class Counting:
    """Counts hook calls and the requests the transport received, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def hook(self) -> None:
        self.events.append("slot")

    def client(
        self, handler: Callable[[httpx.Request], httpx.Response], time: FakeTime
    ) -> CustomSpeechClient:
        """A client over ``handler`` on ``time``'s clock that calls :meth:`hook` first."""
        return CustomSpeechClient(
            settings(),
            transport=httpx.MockTransport(handler),
            sleep=time.sleep,
            clock=time.clock,
            before_request=self.hook,
        )


def body(status: str) -> dict[str, object]:
    return {"self": DS, "displayName": "d", "locale": "en-US", "kind": "Acoustic", "status": status}


def test_every_poll_takes_a_slot_before_it_goes_out() -> None:
    count = Counting()
    statuses = ["NotStarted", "Running", "Running", "Succeeded"]

    def handler(request: httpx.Request) -> httpx.Response:
        count.events.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json=body(statuses.pop(0)))

    time = FakeTime()
    with count.client(handler, time) as client:
        polling.wait_for_dataset(client, "d1", sleep=time.sleep, clock=time.clock)
    get = "GET /speechtotext/datasets/d1"
    assert count.events == ["slot", get] * 4


def test_list_pages_lookups_and_throttled_retries_each_take_a_slot() -> None:
    count = Counting()
    throttled = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        count.events.append(f"{request.method} {request.url.path}")
        if throttled and throttled.pop():
            return httpx.Response(
                429,
                json={"code": "TooManyRequests", "message": "slow"},
                headers={"Retry-After": "1"},
            )
        if request.url.params.get("skip") == "1":
            return httpx.Response(200, json={"values": [body("Succeeded")]})
        nxt = f"{ENDPOINT}/speechtotext/datasets?api-version=2025-10-15&skip=1"
        return httpx.Response(200, json={"values": [body("Succeeded")], "@nextLink": nxt})

    time = FakeTime()
    with count.client(handler, time) as client:
        items = list(client.datasets.list())
    assert len(items) == 2
    sent = [e for e in count.events if e != "slot"]
    # the 429, its retry, then the second page: three requests, three slots, each slot first
    assert len(sent) == 3 and time.sleeps == [1.0]
    assert count.events == ["slot", sent[0], "slot", sent[1], "slot", sent[2]]
