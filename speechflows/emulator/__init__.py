"""A local Azure AI Speech service (Custom Voice and Speech to text), faithful to the specs.

>>> from speechflows.emulator import create_app, EmulatorConfig   # doctest: +SKIP
>>> app = create_app(EmulatorConfig(data_dir=Path(".speechflows/emulator"), key="k" * 32))

Serve it with ``speechflows emulator --port P --data-dir D [--key K]`` (uvicorn on 127.0.0.1) or
in-process through ``httpx.ASGITransport(app=app)``. See :mod:`speechflows.emulator.app` for the
request gate, :mod:`~speechflows.emulator.custom_voice` and
:mod:`~speechflows.emulator.speech_to_text` for the APIs and the choices the specs leave open,
:mod:`~speechflows.emulator.cv_jobs` and :mod:`~speechflows.emulator.stt_jobs` for what is real
and what is simulated, and :mod:`~speechflows.emulator.admin` for ``/_emulator/``.
"""

from __future__ import annotations

from speechflows.emulator.app import create_app, stop_app
from speechflows.emulator.config import EmulatorConfig, FaultConfig, RateLimit

__all__ = ["EmulatorConfig", "FaultConfig", "RateLimit", "create_app", "stop_app"]
