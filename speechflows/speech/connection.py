"""What both Speech clients share: one :class:`SpeechHTTP` connection, its lifecycle, and groups.

A client (:class:`~speechflows.speech.custom_voice.client.CustomVoiceClient`,
:class:`~speechflows.speech.speech_to_text.client.CustomSpeechClient`) is a :class:`SpeechClient`
holding one :class:`OperationGroup` per resource (``client.projects``, ``client.datasets``...);
every group of a client shares the client's core (URLs and generic requests of its API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Self, TypedDict, TypeVar, Unpack

import httpx

from speechflows.settings import SpeechSettings
from speechflows.speech.http import RequestHook, RetryPolicy, SpeechHTTP, TokenCredential

CoreT = TypeVar("CoreT")


class ConnectionOptions(TypedDict, total=False):
    """A client constructor's keyword arguments besides the settings (see :class:`SpeechHTTP`)."""

    transport: httpx.BaseTransport | None
    credential: TokenCredential | None
    retry: RetryPolicy | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    before_request: RequestHook | None


class OperationGroup(Generic[CoreT]):
    """The operations of one resource (e.g. ``client.training_sets``), on the client's core."""

    def __init__(self, core: CoreT) -> None:
        self.core = core


class SpeechClient:
    """Connection of a Speech API client; a context manager that closes its connection pool."""

    def __init__(
        self,
        settings: SpeechSettings,
        api_version: str,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        self.settings = settings
        self.api_version = api_version
        self.http = SpeechHTTP(settings, **options)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.http.base_url!r}, api_version={self.api_version!r})"
