"""Speech to text supported locales (``client.locales``): ``*_ListSupportedLocales`` operations."""

from __future__ import annotations

from speechflows.speech.connection import OperationGroup
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.speech_to_text.core import SpeechToTextCore

COLLECTIONS = ("datasets", "models", "evaluations", "endpoints", "projects")


class Locales(OperationGroup[SpeechToTextCore]):
    """The locales each collection supports."""

    def list(self, collection: str = "datasets") -> dict[str, list[str]] | list[str]:
        """Supported locales: per dataset kind for ``datasets``, a list for the other collections."""
        if collection not in COLLECTIONS:
            raise SpeechUsageError(f"no supported-locales list for {collection!r}")
        # operationId: Datasets_ListSupportedLocales (or Models_/Evaluations_/Endpoints_/Projects_)
        body = self.core.http.get_json(self.core.url(f"{collection}/locales"), self.core.query)
        if isinstance(body, dict):
            return {str(k): [str(x) for x in v] for k, v in body.items() if isinstance(v, list)}
        return [str(x) for x in body]
