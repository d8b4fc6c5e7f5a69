"""What both Speech clients share: one :class:`SpeechHTTP` connection, closing it, and the repr."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import httpx

from speechflows.settings import SpeechSettings
from speechflows.speech.http import RetryPolicy, SpeechHTTP, TokenCredential


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the keys whose value is ``None`` (fields left out of a request body)."""
    return {k: v for k, v in values.items() if v is not None}


class SpeechClientBase:
    """Connection of a Speech API client; a context manager that closes its connection pool.

    Subclasses name the API version they use with :meth:`_api_version_of`.
    """

    def __init__(
        self,
        settings: SpeechSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        credential: TokenCredential | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.api_version = self._api_version_of(settings)
        self.http = SpeechHTTP(
            settings,
            transport=transport,
            credential=credential,
            retry=retry,
            sleep=sleep,
            clock=clock,
        )

    @staticmethod
    def _api_version_of(settings: SpeechSettings) -> str:
        raise NotImplementedError  # pragma: no cover - every client overrides it

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.http.base_url!r}, api_version={self.api_version!r})"
