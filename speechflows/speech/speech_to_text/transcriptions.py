"""Batch transcription (``client.transcriptions``): ``Transcriptions_*`` operations and results.

A transcription takes audio by ``contentUrls`` (SAS URLs of blobs, up to 1,000) or
``contentContainerUrl`` (a container SAS with read + list) and an optional ``model`` (a custom
model's or a base model's ``self``); its result files (kind ``Transcription``, one per audio file)
hold per-phrase text, offsets and durations (:class:`FileTranscript`).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any

from speechflows.redaction import redact_url
from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import DatasetFile, Transcription
from speechflows.speech.speech_to_text.core import GetOrCreateGroup, Ref

TICKS_PER_SECOND = 10_000_000
MAX_CONTENT_URLS = 1000
"""``contentUrls``: "Up to 1000 urls are allowed" (spec ``Transcription.contentUrls``)."""


@dataclass(frozen=True)
class Phrase:
    """One recognised phrase: where it is in the audio and what was heard."""

    offset_seconds: float
    duration_seconds: float
    display: str
    lexical: str
    confidence: float | None = None


@dataclass(frozen=True)
class FileTranscript:
    """One audio file's result (``<audio name>.json``)."""

    source: str
    duration_seconds: float
    phrases: list[Phrase] = field(default_factory=list)

    @property
    def display(self) -> str:
        return " ".join(p.display for p in self.phrases if p.display)

    @property
    def lexical(self) -> str:
        return " ".join(p.lexical for p in self.phrases if p.lexical)

    @classmethod
    def from_result(cls, body: dict[str, Any], name: str) -> FileTranscript:
        """Read a result file (``source``, ``durationInTicks``, ``recognizedPhrases``)."""
        phrases = []
        for p in body.get("recognizedPhrases") or []:
            best = (p.get("nBest") or [{}])[0]
            phrases.append(
                Phrase(
                    offset_seconds=int(p.get("offsetInTicks") or 0) / TICKS_PER_SECOND,
                    duration_seconds=int(p.get("durationInTicks") or 0) / TICKS_PER_SECOND,
                    display=str(best.get("display") or ""),
                    lexical=str(best.get("lexical") or ""),
                    confidence=best.get("confidence"),
                )
            )
        source = str(body.get("source") or name.removesuffix(".json"))
        source = redact_url(source).split("?", 1)[0].rsplit("/", 1)[-1]
        return cls(source, int(body.get("durationInTicks") or 0) / TICKS_PER_SECOND, phrases)


class Transcriptions(GetOrCreateGroup[Transcription]):
    """Batch transcriptions with a base or a custom model."""

    entity = Transcription
    collection = "transcriptions"

    def create(
        self,
        *,
        display_name: str,
        locale: str,
        content_urls: builtins.list[str] | None = None,
        content_container_url: str | None = None,
        model_url: Ref | None = None,
        project_url: Ref | None = None,
        word_level_timestamps: bool = False,
        time_to_live_hours: int = 48,
        custom_properties: dict[str, str] | None = None,
    ) -> Transcription:
        """Submit a batch transcription of ``content_urls`` or a container."""
        if (content_urls is None) == (content_container_url is None):
            raise ValueError("give exactly one of content_urls and content_container_url")
        if content_urls is not None and not 0 < len(content_urls) <= MAX_CONTENT_URLS:
            raise ValueError(f"content_urls holds {len(content_urls)} URLs; 1 to 1000 allowed")
        props: dict[str, Any] = {"wordLevelTimestampsEnabled": word_level_timestamps}
        if not self.core.legacy:
            props["timeToLiveHours"] = time_to_live_hours
        body = without_none(
            {
                "displayName": display_name,
                "locale": locale,
                "contentUrls": content_urls,
                "contentContainerUrl": content_container_url,
                "model": self.core.model_ref(model_url) if model_url else None,
                "project": self.core.self_ref("projects", project_url) if project_url else None,
                "properties": props,
                "customProperties": custom_properties,
            }
        )
        # operationId: Transcriptions_Submit (2025-10-15)
        # operationId: Transcriptions_Create (v3.2)
        path = "transcriptions" if self.core.legacy else "transcriptions:submit"
        response = self.core.http.request(
            "POST", self.core.url(path), params=self.core.query, json=body
        )
        return Transcription.model_validate(response.json())

    def list_files(self, transcription: Ref) -> builtins.list[DatasetFile]:
        """Result files (kind ``Transcription``) and the ``TranscriptionReport``."""
        # operationId: Transcriptions_ListFiles
        return self.core.list_files("transcriptions", transcription, self.core.query)

    def get_file(self, transcription: Ref, file_id: str) -> DatasetFile:
        # operationId: Transcriptions_GetFile
        return self.core.get_file("transcriptions", transcription, file_id)

    def results(self, transcription: Ref) -> builtins.list[FileTranscript]:
        """Every audio file's result, read through the files' ``contentUrl``."""
        out = []
        for f in self.list_files(transcription):
            if (f.kind or "").lower() != "transcription" or not f.links or not f.links.content_url:
                continue
            body = self.core.read_json(f.links.content_url, "the result")
            out.append(FileTranscript.from_result(body, f.name or ""))
        return sorted(out, key=lambda t: t.source)
