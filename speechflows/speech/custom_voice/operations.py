"""Custom Voice operations (``client.operations``): ``Operations_Get``.

Waiting for an operation to finish is :func:`speechflows.speech.polling.wait_for_operation`.
"""

from __future__ import annotations

from speechflows.speech.connection import OperationGroup
from speechflows.speech.custom_voice.core import VoiceCore, check_resource_id
from speechflows.speech.schemas.custom_voice import Operation, OperationRef


class Operations(OperationGroup[VoiceCore]):
    """The long-running operations that consents, uploads, models and endpoints start."""

    def get(self, operation: OperationRef | str) -> Operation:
        """Get an operation by id, ``Operation-Location`` URL or :class:`OperationRef`."""
        if isinstance(operation, OperationRef):
            target = operation.location or operation.id
        else:
            target = operation
        query = self.core.query
        if target.startswith(("http://", "https://")):
            url = self.core.http.rebase(target)
            params = None if "api-version=" in url else query
        else:
            url, params = (
                self.core.url("operations", check_resource_id(target, "operation id")),
                query,
            )
        # operationId: Operations_Get
        return Operation.model_validate(self.core.http.get_json(url, params))
