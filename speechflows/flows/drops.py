"""Drop locations: folders of datasets, each with a small descriptor, waiting to be onboarded.

A drop location is a local folder or a Blob prefix (``blob://<container>/<prefix>``). Every dataset
folder in it holds a descriptor file, ``speechflows.json``, that says which onboarding to run and
with which parameters (the flow's parameter model; relative paths are relative to the folder)::

    {
      "onboarding": "professional-voice",
      "params": {"project_id": "jessica", "data_dir": ".", "consent": {...}}
    }

The folder's content hash (paths, sizes, content hashes of every file, descriptor included) says
whether it is new or changed. No Prefect in here: :mod:`speechflows.flows.sync` does the runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from speechflows.datasets.errors import StagingError
from speechflows.flows.params import (
    ConsentParams,
    CustomSpeechParams,
    PersonalVoiceParams,
    ProfessionalVoiceParams,
)
from speechflows.location import DataLocation, is_remote

DESCRIPTOR = "speechflows.json"
BLOB_SCHEME = "blob://"

OnboardingName = Literal["professional-voice", "personal-voice", "custom-speech"]

# Onboarding kind → (deployment name in prefect.yaml, parameter model).
TARGETS: dict[str, tuple[str, type[BaseModel]]] = {
    "professional-voice": ("professional-voice", ProfessionalVoiceParams),
    "personal-voice": ("personal-voice", PersonalVoiceParams),
    "custom-speech": ("custom-speech", CustomSpeechParams),
}


class DropError(ValueError):
    """A descriptor or drop location is invalid; the message names the file, the rule and the fix."""


class Descriptor(BaseModel):
    """The ``speechflows.json`` of one dataset folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    onboarding: OnboardingName = Field(..., description="Which onboarding to run")
    params: dict[str, Any] = Field(..., description="The onboarding's parameters")
    deployment: str | None = Field(
        None, description="Deployment name to run instead of the onboarding's default one"
    )


@dataclass(frozen=True)
class DroppedDataset:
    """One dataset folder found in a drop location, ready to be launched."""

    name: str  # posix path of the folder relative to the drop location ("." for the root)
    location: str  # local folder path, or the blob:// prefix
    onboarding: str
    deployment: str
    parameters: dict[str, Any]  # the flow run's parameters: {"params": {...}}
    content_hash: str

    @classmethod
    def of(
        cls,
        descriptor: Descriptor,
        parameters: dict[str, Any],
        *,
        name: str,
        location: str,
        content_hash: str,
    ) -> DroppedDataset:
        """The dataset a folder's descriptor describes (its deployment, else the onboarding's)."""
        default_deployment, _ = TARGETS[descriptor.onboarding]
        return cls(
            name=name,
            location=location,
            onboarding=descriptor.onboarding,
            deployment=descriptor.deployment or default_deployment,
            parameters=parameters,
            content_hash=content_hash,
        )

    @property
    def identity(self) -> str:
        """Stable id of (where, what): a changed folder gets a new identity, a moved one too."""
        return hashlib.sha256(f"{self.location}\0{self.content_hash}".encode()).hexdigest()[:24]


def _anchor_paths(value: Any, base: Path | DataLocation, configured: str | None = None) -> Any:
    """Make every relative :class:`Path` inside a parameter model absolute against ``base``.

    ``base`` may be a Blob folder (a :class:`DataLocation` in Blob Storage): the data is then
    read in place, so a relative path becomes the ``blob://`` URL of that file or prefix, and a
    relative consent recording becomes ``consent.audio_blob`` (a blob of the configured container
    ``configured``; the flows take no other).
    """
    if (
        isinstance(value, ConsentParams)
        and isinstance(base, DataLocation)
        and value.audio_file is not None
    ):
        if value.audio_file.is_absolute():
            return value
        container, folder = base.container, base.prefix
        if container != configured:
            raise DropError(
                f"{base.display}/{DESCRIPTOR}: consent.audio_file {str(value.audio_file)!r} is in container "
                f"{container!r}, but a consent recording in Blob must be in the configured "
                f"container {configured!r}; drop into the configured container, or give "
                "consent.audio_blob"
            )
        name = _join(folder, value.audio_file)
        return value.model_copy(update={"audio_file": None, "audio_blob": name})
    if isinstance(value, BaseModel):
        updates = {
            k: _anchor_paths(getattr(value, k), base, configured) for k in type(value).model_fields
        }
        return value.model_copy(update=updates)
    if isinstance(value, Path):
        if value.is_absolute():
            return value
        if isinstance(base, DataLocation):
            return f"{base.display}/{_join('', value)}".rstrip("/")
        return (base / value).resolve()
    if isinstance(value, list):
        return [_anchor_paths(v, base, configured) for v in value]
    return value


def _join(folder: str, rel: Path) -> str:
    """``folder`` + a relative posix path, with ``.`` segments dropped (``..`` refused)."""
    parts = [p for p in rel.as_posix().split("/") if p not in ("", ".")]
    if ".." in parts:
        raise DropError(
            f"path {rel.as_posix()!r} leaves its dataset folder ('..'); give a path inside "
            "the dataset folder"
        )
    return "/".join([*([folder.strip("/")] if folder.strip("/") else []), *parts])


def parse_descriptor(
    text: str, *, source: str, folder: Path | DataLocation, configured_container: str | None = None
) -> tuple[Descriptor, dict[str, Any]]:
    """Parse a descriptor; return it and the flow run parameters with paths anchored at ``folder``.

    ``folder``: a local folder, or a Blob folder (read in place).

    Raises:
        DropError: Bad JSON, an unknown onboarding, or parameters the flow would refuse.
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DropError(
            f"{source}, line {exc.lineno}: not valid JSON ({exc.msg}); fix the syntax "
            f'(example: {{"onboarding": "professional-voice", "params": {{...}}}})'
        ) from None
    try:
        descriptor = Descriptor.model_validate(raw)
    except ValidationError as exc:
        raise DropError(f"{source}: {_describe(exc)}") from None
    _, model = TARGETS[descriptor.onboarding]
    try:
        params = model.model_validate(descriptor.params)
    except ValidationError as exc:
        raise DropError(
            f"{source}: params are not valid for the {descriptor.onboarding} onboarding: "
            f"{_describe(exc, prefix='params')}"
        ) from None
    anchored = _anchor_paths(params, folder, configured_container)
    return descriptor, {"params": anchored.model_dump(mode="json")}


def _describe(exc: ValidationError, prefix: str = "") -> str:
    parts = []
    for error in exc.errors()[:5]:
        loc = ".".join(str(p) for p in (prefix, *error["loc"]) if p != "")
        parts.append(f"{loc or 'descriptor'}: {error['msg']}")
    more = f" (+{exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return "; ".join(parts) + more + "; fix the field(s) named (see speechflows/flows/params.py)"


def folder_hash(folder: Path) -> str:
    """Content hash of a local folder: sha256 over sorted (relative path, size, md5) of its files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        md5 = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                md5.update(chunk)
        digest.update(f"{rel}\0{path.stat().st_size}\0{md5.hexdigest()}\n".encode())
    return digest.hexdigest()


def find_local(drop: Path) -> list[Path]:
    """Dataset folders under ``drop``: ``drop`` itself when it holds a descriptor, else every
    folder below it that does (a dataset folder's own subfolders are data, not datasets)."""
    if not drop.is_dir():
        raise DropError(
            f"drop location {drop} is not a folder; give a local folder or "
            f"{BLOB_SCHEME}<container>/<prefix>"
        )
    if (drop / DESCRIPTOR).is_file():
        return [drop]
    found: list[Path] = []
    # Shallowest first, so a dataset folder is found before anything nested in it.
    for descriptor in sorted(drop.rglob(DESCRIPTOR), key=lambda p: (len(p.parts), p)):
        folder = descriptor.parent
        if not any(folder.is_relative_to(f) for f in found):
            found.append(folder)
    return sorted(found)


def read_descriptor(
    data: bytes,
    errors: list[str],
    *,
    source: str,
    folder: Path | DataLocation,
    configured_container: str | None = None,
) -> tuple[Descriptor, dict[str, Any]] | None:
    """The descriptor in ``data`` (UTF-8) and its parameters; None, with the reason added to
    ``errors``, when it is not UTF-8 or invalid (the scan goes on with the other folders)."""
    try:
        return parse_descriptor(
            data.decode("utf-8"),
            source=source,
            folder=folder,
            configured_container=configured_container,
        )
    except (DropError, UnicodeDecodeError) as exc:
        errors.append(str(exc))
        return None


def scan_local(drop: Path) -> tuple[list[DroppedDataset], list[str]]:
    """Every dataset folder under ``drop`` with its parameters and content hash.

    Returns:
        The datasets, and one error message per folder whose descriptor is invalid.
    """
    drop = drop.expanduser().resolve()
    datasets: list[DroppedDataset] = []
    errors: list[str] = []
    for folder in find_local(drop):
        found = read_descriptor(
            (folder / DESCRIPTOR).read_bytes(),
            errors,
            source=str(folder / DESCRIPTOR),
            folder=folder,
        )
        if found is None:
            continue
        datasets.append(
            DroppedDataset.of(
                *found,
                name=folder.relative_to(drop).as_posix(),
                location=str(folder),
                content_hash=folder_hash(folder),
            )
        )
    return datasets, errors


def parse_drop(drop: str | Path) -> DataLocation:
    """The drop location ``drop`` names, parsed once (the sync's steps receive it): a local folder
    (made absolute), or ``blob://<container>/<prefix>`` in the configured storage account.

    >>> parse_drop("blob://drops/incoming/").prefix_dir
    'incoming/'

    Raises:
        DropError: a URL that is not ``blob://``, one with a SAS, or names Azure would refuse.
    """
    text = str(drop)
    if not is_remote(text):
        return DataLocation(path=Path(text).expanduser().resolve())
    refusal = (
        f"blob drop location {text!r} must look like {BLOB_SCHEME}<container>/<prefix> "
        "(no SAS: credentials come from SPEECHFLOWS_STORAGE_* settings)"
    )
    if not text.startswith(BLOB_SCHEME) or "?" in text:
        raise DropError(refusal)
    try:
        location = DataLocation.parse(text)
    except StagingError as exc:
        raise DropError(f"{refusal}: {exc}") from None
    # a drop location is a folder, even one whose name ends like a file (``.../v1.zip``)
    return DataLocation.staged(location.container, location.blob or location.prefix)


__all__ = [
    "BLOB_SCHEME",
    "DESCRIPTOR",
    "TARGETS",
    "Descriptor",
    "DropError",
    "DroppedDataset",
    "find_local",
    "folder_hash",
    "parse_descriptor",
    "parse_drop",
    "scan_local",
]
