"""Secrets never leak: every onboarding flow, succeeding and failing, audited end to end.

The flows run against the session emulator, Azurite and Prefect test server with a distinctive
Speech key, Azurite's account key, and (in the failing runs) a wrong Speech key and a wrong storage
key. Every SAS the code mints is recorded on its way out (a spy on the real signer), and every
signature that reached Azurite is read from Azurite's access log. Then everything persisted or
emitted is searched for all of them, and for any ``sig=`` that is not ``REDACTED``.
"""

from __future__ import annotations

import io
import logging
import pickle
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from speechflows.dev.azurite import ACCOUNT_KEY
from tests.security import onboarding_runs as runs
from tests.security.leaks import SIG_RE, Leak, Secrets, decode_result_file, files_under
from tests.security.prefect_records import read_records, wait_for_events
from tests.security.repo_scan import scan_repository, scan_text

EXPECTED_EVENTS = {
    "speechflows.consent.succeeded",
    "speechflows.training-set.succeeded",
    "speechflows.training-set.failed",
    "speechflows.personal-voice.ready",
    "speechflows.dataset.succeeded",
    "speechflows.evaluation.succeeded",
    "prefect.flow-run.Failed",
}


def _spy_on_sas(monkeypatch: pytest.MonkeyPatch, secrets: Secrets) -> list[str]:
    """Record the signature of every SAS token the code mints (the real signer still signs)."""
    from speechflows.storage.account import Account

    real = Account.sas_token_for
    minted: list[str] = []

    def spy(self: Account, *args: Any, **kwargs: Any) -> str:
        token = real(self, *args, **kwargs)
        for sig in parse_qs(token).get("sig", []):
            minted.append(sig)
            secrets.add_signature(sig)
        return token

    monkeypatch.setattr(Account, "sas_token_for", spy)
    return minted


def _tee_prefect_console(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Also collect what Prefect's console handlers print (they hold the stream they were born with,
    so capfd alone misses them)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    buffer = io.StringIO()
    loggers = [
        logging.getLogger(),
        *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    for handler in {
        h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)
    }:
        monkeypatch.setattr(handler.console, "file", buffer)
    return buffer


def _exception_texts(name: str, exc: BaseException) -> list[tuple[str, str | bytes]]:
    """str, repr, attributes, traceback and pickle of an exception and everything it chains."""
    out: list[tuple[str, str | bytes]] = [
        (f"traceback of {name}", "".join(traceback.format_exception(exc)))
    ]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        where = f"exception {type(current).__name__} of {name}"
        out += [
            (f"{where} str", str(current)),
            (f"{where} repr", repr(current)),
            (f"{where} attributes", repr(vars(current))),
        ]
        try:
            out.append((f"{where} pickle", pickle.dumps(current)))
        except Exception as error:  # what Prefect cannot pickle it does not persist either
            out.append((f"{where} (unpicklable: {type(error).__name__})", ""))
        current = current.__cause__ or current.__context__
    return out


def _files(root: Path, channel: str, *, pickles: bool = False) -> list[tuple[str, str | bytes]]:
    """Every file under ``root`` with its decoded layers; ``pickles``: each must decode to one."""
    out: list[tuple[str, str | bytes]] = []
    for path in files_under(root):
        layers = decode_result_file(path.read_bytes())
        if pickles:
            assert layers[-1][1][:1] == b"\x80", (
                f"{path}: not decoded down to a pickle: {layers[-1][0]}"
            )
        out += [(f"{channel} {path.relative_to(root)} [{layer}]", data) for layer, data in layers]
    return out


def _database_files() -> list[Path]:
    """The Prefect test server's SQLite database and its journal files."""
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    url = str(PREFECT_SERVER_DATABASE_CONNECTION_URL.value() or "")
    if not url.startswith("sqlite"):
        return []
    db = Path(url.split(":///", 1)[1])
    return sorted(db.parent.glob(db.name + "*"))


@pytest.mark.e2e
def test_onboarding_flows_leak_no_secret_anywhere(
    emulator: Any,
    azurite: Any,
    audit_results_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from prefect.settings import PREFECT_API_URL

    from speechflows.settings import load_storage_settings
    from speechflows.speech.errors import AuthenticationError, ResourceFailedError
    from speechflows.storage import CredentialRefusedError, StagingError, container_sas_url

    since = datetime.now(UTC) - timedelta(seconds=1)
    wrong_speech_key = runs.wrong_key("audit-wrong-speech-key-")
    bad_storage_key = runs.wrong_storage_key()
    bad_connection = azurite.connection_string.replace(ACCOUNT_KEY, bad_storage_key)
    secrets = Secrets()
    secrets.add("Speech key", emulator.key)
    secrets.add("wrong Speech key", wrong_speech_key)
    secrets.add("storage account key", ACCOUNT_KEY)
    secrets.add("wrong storage account key", bad_storage_key)
    secrets.add("storage connection string", azurite.connection_string)
    secrets.add("storage connection string (wrong key)", bad_connection)
    for name, value in {
        "SPEECHFLOWS_SPEECH_ENDPOINT": emulator.base_url,
        "SPEECHFLOWS_SPEECH_KEY": emulator.key,
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "SPEECHFLOWS_STORAGE_CONTAINER": "security-audit",
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(audit_results_dir),
    }.items():
        monkeypatch.setenv(name, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the hash cache and packaged zips land here
    minted = _spy_on_sas(monkeypatch, secrets)
    console = _tee_prefect_console(monkeypatch)
    caplog.set_level(logging.DEBUG)
    prefect_logger = logging.getLogger("prefect")
    prefect_logger.addHandler(caplog.handler)  # Prefect's loggers may not propagate to root
    assert azurite.access_log is not None, "the session Azurite writes a (redacted) access log"
    azurite_log = Path(azurite.access_log)
    azurite_offset = azurite_log.stat().st_size

    read_only_sas = container_sas_url(
        load_storage_settings(connection_string=azurite.connection_string),
        "security-audit",
        permissions="rl",
    )
    read_only_connection = f"BlobEndpoint={azurite.blob_endpoint};SharedAccessSignature={read_only_sas.split('?', 1)[1]}"
    secrets.add("read-only SAS connection string", read_only_connection)
    try:
        data = tmp_path / "data"
        done = (
            runs.professional_voice_runs(data, emulator.base_url)
            + runs.personal_voice_runs(
                data, monkeypatch, wrong_speech_key, azurite.connection_string, "security-audit"
            )
            + runs.custom_speech_runs(data, monkeypatch, bad_connection, read_only_connection)
        )
    finally:
        prefect_logger.removeHandler(caplog.handler)

    # The runs ended as designed, so the failure paths really were taken.
    assert [(r.name, r.completed) for r in done] == [
        ("professional voice", True),
        ("professional voice, upload fails", False),
        ("personal voice", True),
        ("personal voice, wrong Speech key", False),
        ("custom speech", True),
        ("custom speech, wrong storage key", False),
        ("custom speech, read-only SAS", False),
    ], [(r.name, repr(r.error)) for r in done]
    errors = {r.name: r.error for r in done if r.error is not None}
    assert isinstance(errors["professional voice, upload fails"], ResourceFailedError)
    assert isinstance(errors["personal voice, wrong Speech key"], AuthenticationError)
    assert isinstance(errors["custom speech, wrong storage key"], CredentialRefusedError)
    assert isinstance(errors["custom speech, read-only SAS"], StagingError)
    # A read-only SAS is caught by the storage check, before anything is created on the service.
    assert "not writable" in str(errors["custom speech, read-only SAS"])

    # Raw signatures: every SAS our code mints goes through the spy. Azurite's access log shows
    # the requests on the wire with every signature redacted (a log on disk holds none).
    with azurite_log.open("rb") as f:
        f.seek(azurite_offset)
        wire = f.read().decode("utf-8", "replace")
    assert len(set(minted)) >= 3, "staging, container and blob SAS should all have been minted"
    assert "GET /devstoreaccount1/security-audit/consents/sam-roe" in wire  # consent read via SAS
    assert "sig=REDACTED" in wire
    assert [s for s in SIG_RE.findall(wire) if s != "REDACTED"] == []
    assert not any(sig in wire for sig in minted)

    api_url = str(PREFECT_API_URL.value())
    events = wait_for_events(
        api_url,
        since,
        lambda: datetime.now(UTC) + timedelta(seconds=5),
        lambda evs: {e["event"] for e in evs} >= EXPECTED_EVENTS,
    )
    records = read_records([r.flow_run_id for r in done])
    captured = capfd.readouterr()

    seen: list[tuple[str, str | bytes]] = list(records.items)
    seen += [(f"event {e['event']} {e['id']}", repr(e)) for e in events]
    seen += _files(audit_results_dir, "result file", pickles=True)
    seen += _files(work / ".speechflows", "local state")
    for run in done:
        if run.error is not None:
            seen += _exception_texts(run.name, run.error)
    seen += [
        ("captured stdout", captured.out),
        ("captured stderr", captured.err),
        ("Prefect console", console.getvalue()),
    ]
    seen += [
        (f"log record {r.name}:{r.lineno}", f"{r.getMessage()} {r.exc_text or ''}")
        for r in caplog.records
    ]
    seen += [("emulator log", (Path(emulator.data_dir) / "emulator.log").read_bytes())]

    # Every channel was really read (an empty channel would pass for the wrong reason).
    for channel in ("flow run", "flow run state", "task run", "task run state", "log", "artifact"):
        assert records.counts.get(channel, 0) > 0, f"nothing read from channel {channel!r}"
    assert {"markdown", "table", "progress"} <= records.artifact_types
    assert any(key.endswith("-link") for key in records.artifact_keys)  # link artifacts
    assert {e["event"] for e in events} >= EXPECTED_EVENTS, sorted({e["event"] for e in events})
    assert sum(where.startswith("result file") for where, _ in seen) > 10
    assert (work / ".speechflows" / "hash-cache.json").is_file()
    assert caplog.records and "Finished in state Failed" in console.getvalue()

    leaks: list[Leak] = [leak for where, data in seen for leak in secrets.scan(where, data)]
    # The server's database, raw: whatever any table (or a freed page) keeps. It is shared with
    # the session's other tests, so only this audit's values count, not secret-shaped ones.
    database = _database_files()
    assert database, "the Prefect test server's SQLite file was not found"
    assert any(b"sec-pv-failing" in path.read_bytes() for path in database)  # readable as text
    leaks += [
        leak
        for path in database
        for leak in secrets.scan(f"Prefect database {path.name}", path.read_bytes(), shapes=False)
    ]
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(sorted({str(x) for x in leaks}))


def test_detector_finds_secrets_in_every_spelling() -> None:
    import base64
    import json
    import secrets as random
    from urllib.parse import quote

    key = "k3y" + random.token_hex(16)
    sig = base64.b64encode(random.token_bytes(32)).decode()
    audit = Secrets()
    audit.add("Speech key", key)
    audit.add_signature(quote(sig, safe=""))
    for text in (
        f"x {key} y",
        quote(key, safe=""),
        json.dumps({"k": key}),
        f"GET /c?sv=1&sig={quote(sig, safe='/')} 200",
        pickle.dumps({"s": sig}),
    ):
        assert audit.scan("t", text), text
    assert not audit.scan("t", "https://a/c?sv=1&sp=rl&sig=REDACTED and AccountKey=REDACTED")
    assert [x.what for x in audit.scan("t", "u?sig=" + "Ab12%2F" * 4)] == ["unredacted sig="]
    assert key not in str(audit.scan("t", f"... {key} ...")[0])


def test_detector_reads_inside_persisted_results() -> None:
    import secrets as random

    from prefect._internal.result_records import ResultRecord, ResultRecordMetadata
    from prefect.serializers import CompressedSerializer, PickleSerializer

    key = "k3y" + random.token_hex(16)
    audit = Secrets()
    audit.add("Speech key", key)
    bare_exception = PickleSerializer().dumps(ValueError(f"key {key}"))  # a failed state's file
    for serializer in (PickleSerializer(), CompressedSerializer(serializer=PickleSerializer())):
        raw = ResultRecord(
            metadata=ResultRecordMetadata(serializer=serializer), result={"v": key}
        ).serialize()
        layers = decode_result_file(raw)
        assert not audit.scan("file", layers[0][1])  # base64 hides it from a plain search
        assert any(audit.scan(where, data) for where, data in layers[1:]), [w for w, _ in layers]
    for raw in (
        bare_exception,
        ResultRecord(
            metadata=ResultRecordMetadata(
                serializer=CompressedSerializer(serializer=PickleSerializer())
            ),
            result=key,
        ).serialize(),
    ):
        layers = decode_result_file(raw)
        assert layers[-1][1][:1] == b"\x80" and audit.scan("pickle", layers[-1][1])


def test_committed_files_hold_no_secret() -> None:
    scanned, findings = scan_repository()
    assert scanned > 50
    assert not findings, "secret-shaped values committed:\n" + "\n".join(map(str, findings))


def test_repository_rules_flag_real_shapes_only() -> None:
    import base64
    import secrets as random
    from urllib.parse import quote

    real_sig = quote(base64.b64encode(random.token_bytes(32)).decode(), safe="")
    real_key = base64.b64encode(random.token_bytes(64)).decode()
    flagged = {
        "SAS signature": f'url = "https://a.blob.core.windows.net/c?sp=rl&sig={real_sig}"',
        "storage account key": f"AccountKey={real_key};",
        "Speech key (32 hex)": f'SPEECH_KEY = "{random.token_hex(16)}"',
        "private key": "-----BEGIN " + "PRIVATE KEY-----",
    }
    for rule, line in flagged.items():
        assert [f.rule for f in scan_text("x.py", line)] == [rule], line
    for line in (
        "sas = 'https://a/c?sv=2026&sig=SECRETSIG%3D'",
        f"AccountKey={ACCOUNT_KEY};",
        'KEY = "0123456789abcdef0123456789abcdef"',
        f'"integrity": "sha512-{real_key}"',
    ):
        assert scan_text("x.py", line) == [], line


def test_local_secret_stores_are_never_committed() -> None:
    import subprocess

    from tests.security.repo_scan import REPO

    # Where keys and results live on a developer's machine: .env, PREFECT_HOME in the checkout
    # (database, results), the dev stack's env file and emulator key, the hash cache.
    stores = [
        ".env",
        ".prefect/prefect.db",
        ".prefect/storage/result",
        ".speechflows/dev/env",
        ".speechflows/dev/emulator.key",
        ".speechflows/hash-cache.json",
    ]
    for path in stores:
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO)
        assert ignored.returncode == 0, f"{path} is not git-ignored: add it to .gitignore"
    tracked = subprocess.run(
        ["git", "ls-files", "--", ".env", ".prefect", ".speechflows"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked == "", f"local secret stores are tracked: {tracked}"
