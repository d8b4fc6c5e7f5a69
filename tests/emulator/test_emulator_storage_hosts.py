"""Which customer storage the emulator reads: loopback, plus the hosts an operator names.

Azure reads any storage its SAS reaches; the emulator reads loopback only (Azurite), plus the
hosts in ``SPEECHFLOWS_EMULATOR_STORAGE_HOSTS`` (Azurite on another test host's address in the
multi-host rehearsal). The check runs before any request, so nothing here leaves the machine.
"""

from __future__ import annotations

import pytest

from speechflows.emulator.core.blob import STORAGE_HOSTS_ENV, InaccessibleStorage, _check

REMOTE = "https://contoso.blob.core.windows.net/data?sp=rl&sig=abc"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:10000/devstoreaccount1/data?sig=abc",
        "http://localhost:10000/devstoreaccount1/data",
        "http://[::1]:10000/devstoreaccount1/data",
    ],
)
def test_loopback_storage_is_read(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORAGE_HOSTS_ENV, raising=False)
    _check(url)


def test_other_storage_is_inaccessible_and_the_message_keeps_the_sas_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(STORAGE_HOSTS_ENV, raising=False)
    with pytest.raises(InaccessibleStorage) as err:
        _check(REMOTE)
    assert STORAGE_HOSTS_ENV in str(err.value) and "sig=" not in str(err.value)


def test_a_named_storage_host_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STORAGE_HOSTS_ENV, " other.example , contoso.blob.core.windows.net")
    _check(REMOTE)
    with pytest.raises(InaccessibleStorage):
        _check("https://fabrikam.blob.core.windows.net/data?sig=abc")
