"""``python -m speechflows.emulator``: see :func:`speechflows.emulator.server.main`."""

from __future__ import annotations

from speechflows.emulator.server import main

if __name__ == "__main__":
    main()
