"""Two SDK clients of one account live side by side: closing one never breaks the other.

Found by two onboardings at once (tests/flows/test_flow_concurrent_creates.py): the storage
check of one failed with "HTTP transport has already been closed" because both clients shared
one retry policy object, and azure-core links a policy to the next one of its own pipeline.
"""

from __future__ import annotations

from speechflows.settings import StorageSettings
from speechflows.storage.account import Account


def test_a_client_keeps_working_after_another_client_is_closed(
    storage_settings: StorageSettings,
) -> None:
    account = Account.from_settings(storage_settings)
    account.ensure_container(storage_settings.container)
    with account.service_client() as first:
        blob = first.get_blob_client(storage_settings.container, "probe.txt")
        blob.upload_blob(b"one", overwrite=True)
        with account.service_client() as second:  # built after: last to link shared policies
            second.get_container_client(storage_settings.container).get_container_properties()
        # `second` is closed now; `first` must still reach the service through its own pipeline
        blob.upload_blob(b"two", overwrite=True)
        assert blob.download_blob().readall() == b"two"
