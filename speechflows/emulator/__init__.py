"""A local Azure AI Speech service (Custom Voice and Speech to text), faithful to the specs.

>>> from speechflows.emulator import create_app, EmulatorConfig   # doctest: +SKIP
>>> app = create_app(EmulatorConfig(data_dir=Path(".speechflows/emulator"), key="k" * 32))

Serve it with ``speechflows emulator --port P --data-dir D [--key K]`` or
``python -m speechflows.emulator`` (:mod:`~speechflows.emulator.server`, uvicorn on 127.0.0.1),
or in-process through :class:`~speechflows.emulator.inprocess.InProcessTransport`.

Layout (dependencies point one way: ``app`` → the API packages and ``admin`` → ``core``):

* :mod:`~speechflows.emulator.app`: :func:`create_app`, composing everything below;
  :mod:`~speechflows.emulator.gate`: the request gate (auth, faults, api-version);
* :mod:`~speechflows.emulator.custom_voice` and :mod:`~speechflows.emulator.speech_to_text`: one
  package per API (routes, resources, jobs; the choices the specs leave open, what is real and
  what is simulated). A new route or operation goes in its API's package;
* :mod:`~speechflows.emulator.admin`: the emulator's own ``/_emulator/`` API;
* :mod:`~speechflows.emulator.core`: what both APIs share (config, state, worker, faults, wire).
"""

from __future__ import annotations

from speechflows.emulator.app import create_app, stop_app
from speechflows.emulator.core.config import EmulatorConfig, FaultConfig, RateLimit

__all__ = ["EmulatorConfig", "FaultConfig", "RateLimit", "create_app", "stop_app"]
