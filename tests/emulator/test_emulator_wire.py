"""Requests as clients in other languages write them (ledger § Reading requests): a .NET client
with default serializer settings (PascalCase), multipart bodies as .NET ``MultipartFormDataContent``,
Java (OkHttp) and JavaScript (``FormData``) build them, query names in any case.

Multipart bodies are written byte by byte here, as each client library puts them on the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from speechflows.emulator import EmulatorConfig, create_app, stop_app
from speechflows.emulator.inprocess import InProcessTransport
from tests.emulator.conftest import KEY, voice_project

V = "?api-version=2026-01-01"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
SAS = "https://contoso.blob.core.windows.net/voice?sv=2023-11-03&sp=rl&sig=abc"


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[tuple[FastAPI, httpx.Client]]:
    """An emulator whose operations never advance, so uploads stay where they were saved."""
    app = create_app(EmulatorConfig(data_dir=tmp_path / "emu", key=KEY, step_seconds=3600))
    try:
        with httpx.Client(
            transport=InProcessTransport(app),
            base_url="http://emulator.test",
            headers={"Ocp-Apim-Subscription-Key": KEY},
        ) as client:
            yield app, client
    finally:
        stop_app(app)


def _projects(client: httpx.Client) -> None:
    for pid, kind in (("Pro", "ProfessionalVoice"), ("Per", "PersonalVoice")):
        voice_project(client, pid, kind)


def test_dotnet_pascal_case_bodies_are_read_like_camel_case(client: httpx.Client) -> None:
    """What Microsoft's C# custom voice sample sends (issue 25): PascalCase property names."""
    r = client.put(
        f"/customvoice/projects/Jessica{V}",
        json={"Kind": "ProfessionalVoice", "Description": "C# sample", "Locale": "en-US"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "ProfessionalVoice" and r.json()["description"] == "C# sample"
    r = client.put(
        f"/customvoice/trainingsets/Set1{V}",
        json={"ProjectId": "Jessica", "Locale": "en-US", "VoiceKind": "Female"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/customvoice/trainingsets/Set1:upload{V}",
        json={
            "Kind": "AudioAndScript",
            "Audios": {"ContainerUrl": SAS, "Prefix": "a/", "Extensions": [".wav"]},
            "Scripts": {"ContainerUrl": SAS, "Prefix": "a/", "Extensions": [".txt"]},
        },
    )
    assert r.status_code == 202, r.text
    r = client.put(
        f"/customvoice/consents/Consent1{V}",
        json={
            "ProjectId": "Jessica",
            "VoiceTalentName": "Jessica",
            "CompanyName": "Contoso",
            "Locale": "en-US",
            "AudioUrl": "https://contoso.blob.core.windows.net/c/a.wav?sig=x",
        },
    )
    assert r.status_code == 201, r.text
    r = client.put(
        f"/customvoice/models/Model1{V}",
        json={
            "ProjectId": "Jessica",
            "ConsentId": "Consent1",
            "TrainingSetId": "Set1",
            "VoiceName": "JessicaNeural",
            "Recipe": {"Kind": "Default"},
            "Properties": None,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["recipe"]["kind"] == "Default"
    # Enum values as an enum converter reads them (case-insensitive), echoed canonical.
    r = client.put(f"/customvoice/projects/Lower{V}", json={"kind": "personalvoice"})
    assert r.status_code == 201 and r.json()["kind"] == "PersonalVoice"
    # Unknown properties are ignored; a value the enum does not define is still a 400.
    r = client.put(f"/customvoice/projects/Extra{V}", json={"kind": "PersonalVoice", "x": 1})
    assert r.status_code == 201 and "x" not in r.json()
    assert client.put(f"/customvoice/projects/Bad1{V}", json={"kind": "Robot"}).status_code == 400


def test_query_parameter_names_are_read_ignoring_case(client: httpx.Client) -> None:
    _projects(client)
    r = client.get("/customvoice/projects?Api-Version=2026-01-01&MaxPageSize=1&Skip=1")
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()["value"]] == ["Per"]


def _multipart(
    boundary: str,
    parts: list[tuple[list[str], bytes]],
    preamble: bytes = b"",
    epilogue: bytes = b"",
) -> bytes:
    """A multipart body; ``preamble``/``epilogue``: text before the first and after the last
    boundary, which RFC 2046 tells readers to ignore."""
    out = preamble
    for headers, body in parts:
        out += f"--{boundary}\r\n".encode() + "".join(f"{h}\r\n" for h in headers).encode()
        out += b"\r\n" + body + b"\r\n"
    return out + f"--{boundary}--\r\n".encode() + epilogue


def _consent_fields(style: str) -> list[tuple[list[str], bytes]]:
    values = {
        "projectId": b"Pro",
        "voiceTalentName": b"Jessica",
        "companyName": b"Contoso",
        "locale": b"en-US",
    }
    parts = []
    for name, value in values.items():
        if style == "dotnet":  # StringContent: bare name, text/plain with a charset
            headers = [
                "Content-Type: text/plain; charset=utf-8",
                f"Content-Disposition: form-data; name={name}",
            ]
        elif style == "java":  # OkHttp: quoted name, a Content-Length per part
            headers = [
                f'Content-Disposition: form-data; name="{name}"',
                f"Content-Length: {len(value)}",
            ]
        elif style == "java-apache":  # HttpClient MultipartEntityBuilder, STRICT mode
            headers = [
                f'Content-Disposition: form-data; name="{name}"',
                "Content-Type: text/plain; charset=UTF-8",
                "Content-Transfer-Encoding: 8bit",
            ]
        elif style == "java-spring":  # Spring FormHttpMessageConverter (RestTemplate, WebClient)
            headers = [
                f'Content-Disposition: form-data; name="{name}"',
                "Content-Type: text/plain;charset=UTF-8",
                f"Content-Length: {len(value)}",
            ]
        else:  # JavaScript FormData (undici, browsers)
            headers = [f'Content-Disposition: form-data; name="{name}"']
        parts.append((headers, value))
    return parts


CLIENTS = {
    # .NET MultipartFormDataContent: quoted boundary, bare part names, filename and filename*.
    "dotnet": (
        'multipart/form-data; boundary="3f1c3b1e-5d0c-4e8a-9b43-0c6b8c5f0a11"',
        "3f1c3b1e-5d0c-4e8a-9b43-0c6b8c5f0a11",
        [
            "Content-Type: audio/wav",
            "Content-Disposition: form-data; name=audiodata; filename=consent.wav; "
            "filename*=utf-8''consent%C3%A9.wav",
        ],
        "consenté.wav",
    ),
    # OkHttp MultipartBody: uuid boundary, quoted names, Content-Length per part.
    "java": (
        "multipart/form-data; boundary=b7d1f0a4-2c3e-4f55-8a6e-1d2c3b4a5f60",
        "b7d1f0a4-2c3e-4f55-8a6e-1d2c3b4a5f60",
        [
            'Content-Disposition: form-data; name="audiodata"; filename="consent.wav"',
            "Content-Type: audio/wav",
            f"Content-Length: {len(WAV)}",
        ],
        "consent.wav",
    ),
    # FormData with a Blob without a type: application/octet-stream, the spec's part name.
    "javascript": (
        "multipart/form-data; boundary=----formdata-undici-041726355215",
        "----formdata-undici-041726355215",
        [
            'Content-Disposition: form-data; name="audioData"; filename="consent.wav"',
            "Content-Type: application/octet-stream",
        ],
        "consent.wav",
    ),
    # Apache HttpClient 4/5 MultipartEntityBuilder: charset after the boundary, a
    # Content-Transfer-Encoding on every part.
    "java-apache": (
        "multipart/form-data; boundary=Kx8Hq1Yf3cZrP0aLm2Ns9TbVwQe4; charset=UTF-8",
        "Kx8Hq1Yf3cZrP0aLm2Ns9TbVwQe4",
        [
            'Content-Disposition: form-data; name="audiodata"; filename="consent.wav"',
            "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: binary",
        ],
        "consent.wav",
    ),
    # Spring: parameters without spaces, charset before the boundary, Content-Length per part.
    "java-spring": (
        "multipart/form-data;charset=UTF-8;boundary=2kTWKbmiNXDBy7LXxNbmePaxhBfAiXKSaFKa",
        "2kTWKbmiNXDBy7LXxNbmePaxhBfAiXKSaFKa",
        [
            'Content-Disposition: form-data; name="audiodata"; filename="consent.wav"',
            "Content-Type: audio/wav",
            f"Content-Length: {len(WAV)}",
        ],
        "consent.wav",
    ),
    # Node's form-data package (axios, got, node-fetch 2): 26 dashes and 24 digits, the type
    # from mime-types ("audio/wave").
    "node-form-data": (
        "multipart/form-data; boundary=--------------------------515890814546601021194782",
        "--------------------------515890814546601021194782",
        [
            'Content-Disposition: form-data; name="audioData"; filename="consent.wav"',
            "Content-Type: audio/wave",
        ],
        "consent.wav",
    ),
    # filename* alone (RFC 6266) is a file to ASP.NET Core; media type in another case.
    "filename-star-only": (
        "Multipart/Form-Data; boundary=xyz",
        "xyz",
        [
            "Content-Disposition: form-data; name=AudioData; filename*=UTF-8''take%201.wav",
            "Content-Type: audio/x-wav",
        ],
        "take 1.wav",
    ),
}


@pytest.mark.parametrize("style", sorted(CLIENTS))
def test_consent_multipart_as_each_client_writes_it(
    slow: tuple[FastAPI, httpx.Client], style: str
) -> None:
    app, client = slow
    _projects(client)
    ctype, boundary, file_headers, saved_as = CLIENTS[style]
    fields = _consent_fields(
        style if style in ("dotnet", "java", "java-apache", "java-spring") else "javascript"
    )
    body = _multipart(boundary, [*fields, (file_headers, WAV)])
    r = client.post(
        f"/customvoice/consents/Con1{V}",
        content=body,
        headers={"Content-Type": ctype, "Operation-Id": f"op-{style}"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["voiceTalentName"] == "Jessica" and r.json()["locale"] == "en-US"
    saved = app.state.context.upload_dir(f"op-{style}")
    assert [p.name for p in saved.iterdir()] == [f"000_{saved_as}"]
    assert (saved / f"000_{saved_as}").read_bytes() == WAV


def test_a_preamble_and_an_epilogue_around_the_parts_are_ignored(
    slow: tuple[FastAPI, httpx.Client],
) -> None:
    """RFC 2046 §5.1.1: text before the first boundary and after the last one is not a part
    (MIME libraries such as Python's ``email`` and JavaMail write "This is a multi-part
    message in MIME format.")."""
    app, client = slow
    _projects(client)
    _, boundary, file_headers, saved_as = CLIENTS["java"]
    body = _multipart(
        boundary,
        [*_consent_fields("java"), (file_headers, WAV)],
        preamble=b"This is a multi-part message in MIME format.\r\n",
        epilogue=b"\r\nThe end.\r\n",
    )
    r = client.post(
        f"/customvoice/consents/ConPre{V}",
        content=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Operation-Id": "op-preamble",
        },
    )
    assert r.status_code == 201, r.text
    saved = app.state.context.upload_dir("op-preamble")
    assert (saved / f"000_{saved_as}").read_bytes() == WAV


def test_personal_voice_multipart_from_dotnet_with_two_prompts(
    slow: tuple[FastAPI, httpx.Client],
) -> None:
    app, client = slow
    _projects(client)
    client.put(
        f"/customvoice/consents/PerCon{V}",
        json={
            "projectId": "Per",
            "voiceTalentName": "J",
            "companyName": "C",
            "locale": "en-US",
            "audioUrl": "https://contoso.blob.core.windows.net/c/a.wav?sig=x",
        },
    )
    parts = [
        (["Content-Disposition: form-data; name=ProjectId"], b"Per"),
        (["Content-Disposition: form-data; name=ConsentId"], b"PerCon"),
    ] + [
        (
            [
                "Content-Type: audio/wav",
                f"Content-Disposition: form-data; name=AudioData; filename=p{i}.wav; "
                f"filename*=utf-8''p{i}.wav",
            ],
            WAV + bytes([i]),
        )
        for i in range(2)
    ]
    r = client.post(
        f"/customvoice/personalvoices/Voice1{V}",
        content=_multipart("b-1", parts),
        headers={"Content-Type": 'multipart/form-data; boundary="b-1"', "Operation-Id": "pv-1"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["consentId"] == "PerCon"
    saved = sorted(p.name for p in app.state.context.upload_dir("pv-1").iterdir())
    assert saved == ["000_p0.wav", "001_p1.wav"]


def test_a_file_part_without_a_filename_is_refused_with_the_fix(client: httpx.Client) -> None:
    """ASP.NET Core binds a part as a file only when it has a filename (Spring's
    ``ByteArrayResource`` without ``getFilename`` sends none): 400 naming the fix."""
    _projects(client)
    fields = _consent_fields("java")
    audio = (['Content-Disposition: form-data; name="audiodata"'], b"RIFF audio")
    r = client.post(
        f"/customvoice/consents/Con2{V}",
        content=_multipart("zz", [*fields, audio]),
        headers={"Content-Type": "multipart/form-data; boundary=zz"},
    )
    assert r.status_code == 400
    assert 'filename="consent.wav"' in r.json()["error"]["message"]


def test_dataset_upload_multipart_v32_with_pascal_field_names(client: httpx.Client) -> None:
    """Datasets_Upload (v3.2): form field names and the kind value in any case."""
    parts = [
        (["Content-Disposition: form-data; name=DisplayName"], b"Upload"),
        (["Content-Disposition: form-data; name=Locale"], b"en-US"),
        (["Content-Disposition: form-data; name=Kind"], b"language"),
        (
            ["Content-Disposition: form-data; name=Data; filename=data.txt"],
            b"hello world\n",
        ),
    ]
    r = client.post(
        "/speechtotext/v3.2/datasets/upload",
        content=_multipart("dd", parts),
        headers={"Content-Type": 'multipart/form-data; boundary="dd"'},
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "Language" and r.json()["displayName"] == "Upload"


def test_json_with_a_utf8_bom_and_nulls(client: httpx.Client) -> None:
    r = client.post(
        "/speechtotext/projects?api-version=2025-10-15",
        content=b'\xef\xbb\xbf{"displayName": "P", "locale": "en-US", "description": null,'
        b' "customProperties": null}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 201, r.text
    assert "description" not in r.json()


def test_media_types_are_read_ignoring_case(client: httpx.Client) -> None:
    r = client.post(
        "/speechtotext/projects?api-version=2025-10-15",
        content=b'{"displayName": "P", "locale": "en-US"}',
        headers={"Content-Type": "Application/JSON; Charset=UTF-8"},
    )
    assert r.status_code == 201, r.text
    r = client.patch(
        r.json()["self"],
        content=b'{"DisplayName": "Q"}',
        headers={"Content-Type": "Application/Merge-Patch+JSON"},
    )
    assert r.status_code == 200 and r.json()["displayName"] == "Q", r.text
