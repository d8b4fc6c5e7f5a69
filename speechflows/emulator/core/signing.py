"""Signed file URLs (``/_emulator/files/{id}?se&sig``), SAS-like as Azure's ``contentUrl``."""

from __future__ import annotations

import hashlib
import hmac


def file_signature(key: str, file_id: str, expiry: int) -> str:
    """The ``sig`` of a file content URL (HMAC of the id and expiry with the resource key)."""
    return hmac.new(key.encode(), f"{file_id}:{expiry}".encode(), hashlib.sha256).hexdigest()
