"""A user's SAS URL never becomes a flow-run parameter: it waits in a Prefect Secret block.

Prefect stores a flow run's parameters as they are given and shows them in the UI, so a data
source ``https://…?<SAS>`` passed as a parameter would keep its signature in the server's
database. Two ways round it:

* ``secret://<block-name>``: the data source is the value of a Prefect Secret block (the SAS
  URL), read when the run starts (:func:`secret_url`). Create one in the UI (Blocks →
  Secret) or with ``Secret(value=url).save("my-data-sas")``; the form then holds only the name.
* ``speechflows onboard`` does it for the user: a SAS URL given on the command line is put in a
  Secret block named after the URL without its query (:func:`stash_sas_params`), the run gets
  ``secret://<name>``, and the block is deleted when the run ends (:func:`drop_stashed`).

A SAS URL typed straight into a form still works (the run reads it), with a warning in the log
that the run's parameters now hold it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, TypeVar, cast

from prefect.blocks.system import Secret
from pydantic import BaseModel

from speechflows.location import SECRET_SCHEME, DataLocation, has_sas, register_sas
from speechflows.redaction import strip_query

_STASH_PREFIX = "speechflows-sas-"
_log = logging.getLogger(__name__)

P = TypeVar("P", bound=BaseModel)


class SecretSourceError(ValueError):
    """A ``secret://`` data source whose block is missing or holds no Blob SAS URL."""


def secret_url(source: str) -> str:
    """The Blob SAS URL the Secret block of ``secret://<block>`` holds (read when a run starts).

    Raises:
        SecretSourceError: the block does not exist or does not hold a SAS URL.
    """
    name = source[len(SECRET_SCHEME) :].strip("/")
    try:
        value = cast(Secret[str], Secret.load(name)).get()
    except ValueError as exc:
        raise SecretSourceError(
            f"{source}: no Secret block named {name!r} ({exc}); create it in the Prefect UI "
            f"(Blocks → Secret) with the Blob URL and its SAS as the value"
        ) from None
    url = str(value).strip()
    if not has_sas(url):
        raise SecretSourceError(
            f"{source}: the Secret block {name!r} does not hold a Blob URL with a SAS; its value "
            "should be https://<account>.blob.core.windows.net/<container>/<prefix>?<SAS>"
        )
    register_sas(url)
    return url


def warn_sas_parameter(location: DataLocation) -> None:
    """Warn that a SAS URL typed into a run's form stays in the run's parameters."""
    if location.sas is not None and not location.secret:
        _log.warning(
            "the data source %s was given with its SAS as a parameter, so the flow run's "
            "parameters keep it; give secret://<block> (a Prefect Secret block holding the "
            "URL) or blob://<container>/<prefix> instead",
            location.display,
        )


def _stash(url: str) -> str:
    name = _STASH_PREFIX + hashlib.sha256(strip_query(url).encode()).hexdigest()[:16]
    register_sas(url)
    Secret(value=url).save(name, overwrite=True)
    return SECRET_SCHEME + name


def _walk(value: Any, stashed: list[str]) -> Any:
    if isinstance(value, str) and has_sas(value):
        ref = _stash(value)
        stashed.append(ref)
        return ref
    if isinstance(value, dict):
        return {k: _walk(v, stashed) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, stashed) for v in value]
    return value


def stash_sas_params(params: P) -> tuple[P, list[str]]:
    """``params`` with every SAS URL replaced by a ``secret://`` reference; the references."""
    stashed: list[str] = []
    data = _walk(params.model_dump(mode="python"), stashed)
    if not stashed:
        return params, []
    return type(params).model_validate(data), stashed


def drop_stashed(refs: list[str]) -> None:
    """Delete the Secret blocks :func:`stash_sas_params` made (the run is over)."""
    for ref in refs:
        name = ref[len(SECRET_SCHEME) :]
        try:
            Secret.delete(name)
        except Exception as exc:  # already gone, or the server is going down: say so, go on
            _log.warning("could not delete the Secret block %s: %s", name, type(exc).__name__)


__all__ = [
    "SecretSourceError",
    "drop_stashed",
    "secret_url",
    "stash_sas_params",
    "warn_sas_parameter",
]
