"""Speech to text datasets (``client.datasets``): ``Datasets_*`` operations, blocks, files, report.

A dataset is created from a content URL (a SAS URL), by block upload (create without a content URL,
then :meth:`Datasets.upload_content`), or, with v3.2 only, by a multipart :meth:`Datasets.upload`.
"""

from __future__ import annotations

import base64
import builtins
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import FileSpec, decode_json, without_none
from speechflows.speech.schemas.speech_to_text import Dataset, DatasetFile, UploadedBlocks
from speechflows.speech.speech_to_text.core import (
    MAX_BLOCK_BYTES,
    Ref,
    UpdatableGroup,
)


class Datasets(UpdatableGroup[Dataset]):
    """Datasets: create, look up, block upload, files and the validation report; ``get`` shows
    the accepted and rejected counts and any error (``properties``)."""

    entity = Dataset
    collection = "datasets"

    def create(
        self,
        *,
        kind: str,
        locale: str,
        display_name: str,
        content_url: str | None,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        text_normalization_kind: str | None = None,
    ) -> Dataset:
        """Create a dataset from ``content_url`` (a SAS URL), or, with ``None``, for block upload."""
        body = without_none(
            {
                "kind": str(kind),
                "locale": locale,
                "displayName": display_name,
                "description": description,
                "contentUrl": content_url,
                "customProperties": custom_properties,
                "project": self.core.self_ref("projects", project_url) if project_url else None,
                "properties": {"textNormalizationKind": str(text_normalization_kind)}
                if text_normalization_kind
                else None,
            }
        )
        # operationId: Datasets_Create
        return self.core.create(Dataset, "datasets", body)

    def get_or_create(
        self,
        *,
        kind: str,
        locale: str,
        display_name: str,
        content_url: str | None,
        content_hash: str,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        text_normalization_kind: str | None = None,
    ) -> tuple[Dataset, bool]:
        """The dataset with this displayName and content hash (not Failed), else a new one.

        Returns:
            ``(dataset, created)``.
        """
        return self.core.get_or_create(
            Dataset,
            "datasets",
            self.create,
            display_name,
            content_hash,
            {
                "kind": kind,
                "locale": locale,
                "content_url": content_url,
                "description": description,
                "project_url": project_url,
                "custom_properties": custom_properties,
                "text_normalization_kind": text_normalization_kind,
            },
            kind=str(kind),
            locale=locale,
        )

    def upload(
        self,
        *,
        kind: str,
        locale: str,
        display_name: str,
        file: Path,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
    ) -> Dataset:
        """v3.2 only: create a dataset by uploading ``file`` (multipart ``/datasets/upload``)."""
        if not self.core.legacy:
            raise SpeechUsageError(
                f"/datasets/upload was removed after v3.2 (api-version {self.core.api_version}); use "
                "datasets.create with a content_url, or block upload (datasets.upload_content)"
            )
        fields = without_none(
            {
                "kind": str(kind),
                "locale": locale,
                "displayName": display_name,
                "description": description,
                "project": self.core.self_ref("projects", project_url)["self"]
                if project_url
                else None,
                "customProperties": json.dumps(custom_properties) if custom_properties else None,
            }
        )
        with open(file, "rb") as handle:
            files: list[FileSpec] = [("data", (file.name, handle, "application/octet-stream"))]
            # operationId: Datasets_Upload
            response = self.core.http.request(
                "POST",
                self.core.url("datasets/upload"),
                params=self.core.query,
                data=fields,
                files=files,
            )
        return Dataset.model_validate(decode_json(response))

    def upload_block(self, dataset: Ref, block_id: str, data: bytes) -> None:
        """Upload one block (at most 8 MiB) of a dataset created without ``content_url``."""
        if len(data) > MAX_BLOCK_BYTES:
            raise SpeechUsageError(
                f"a block holds at most {MAX_BLOCK_BYTES} bytes, got {len(data)}"
            )
        # operationId: Datasets_UploadBlock
        self.core.http.request(
            "PUT",
            self.core.entity_url("datasets", dataset) + "/blocks",
            params={**self.core.query, "blockid": block_id},
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def get_blocks(self, dataset: Ref) -> UploadedBlocks:
        """The committed and uncommitted blocks of a dataset."""
        # operationId: Datasets_GetBlocks
        body = self.core.http.get_json(
            self.core.entity_url("datasets", dataset) + "/blocks", self.core.query
        )
        return UploadedBlocks.model_validate(body)

    def commit_blocks(
        self, dataset: Ref, block_ids: Sequence[str], *, kind: str = "Uncommitted"
    ) -> None:
        """Commit the blocks in order; the import starts."""
        body = [{"kind": kind, "id": block_id} for block_id in block_ids]
        # operationId: Datasets_CommitBlocks
        self.core.http.request(
            "POST",
            self.core.entity_url("datasets", dataset) + "/blocks:commit",
            params=self.core.query,
            json=body,
        )

    def upload_content(
        self, dataset: Ref, path: Path, *, block_size: int = 4 * 1024 * 1024
    ) -> builtins.list[str]:
        """Upload ``path`` in blocks and commit them; blocks already uploaded are skipped.

        Returns:
            The committed block ids.
        """
        if not 0 < block_size <= MAX_BLOCK_BYTES:
            raise SpeechUsageError(f"block_size must be between 1 and {MAX_BLOCK_BYTES}")
        present = {(b.name, b.size) for b in self.get_blocks(dataset).uncommitted_blocks}
        ids: list[str] = []
        with open(path, "rb") as handle:
            index = 0
            while chunk := handle.read(block_size):
                # Equal-length ids, as the service requires.
                block_id = base64.b64encode(f"{index:08d}".encode()).decode()
                if (block_id, len(chunk)) not in present:
                    self.upload_block(dataset, block_id, chunk)
                ids.append(block_id)
                index += 1
        self.commit_blocks(dataset, ids)
        return ids

    def list_files(
        self, dataset: Ref, *, filter: str | None = None, sas_lifetime_minutes: int | None = None
    ) -> builtins.list[DatasetFile]:
        """Files of a dataset (``kind`` DatasetReport, LanguageData, AcousticDataArchive, ...)."""
        params: dict[str, str | int | bool] = {
            **self.core.query,
            **({"filter": filter} if filter else {}),
        }
        if sas_lifetime_minutes is not None:
            if self.core.legacy:
                params["sasValidityInSeconds"] = sas_lifetime_minutes * 60
            else:
                params["sasLifetimeMinutes"] = sas_lifetime_minutes
        # operationId: Datasets_ListFiles
        return self.core.list_files("datasets", dataset, params)

    def get_file(self, dataset: Ref, file_id: str) -> DatasetFile:
        """One file of a dataset."""
        # operationId: Datasets_GetFile
        return self.core.get_file("datasets", dataset, file_id)

    def get_report(self, dataset: Ref) -> dict[str, Any] | None:
        """The dataset's validation report (``report.json``, undocumented schema), if any."""
        files = [
            f
            for f in self.list_files(dataset, filter="kind eq 'DatasetReport'")
            if (f.kind or "").lower() == "datasetreport"
        ]
        if not files or not files[0].links or not files[0].links.content_url:
            return None
        body = self.core.read_json(files[0].links.content_url, "the dataset report")
        return body if isinstance(body, dict) else {"items": body}
