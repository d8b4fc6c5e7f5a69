"""Run a command with its output redacted into a log file: ``python -m speechflows.dev.logpipe LOG -- CMD...``.

Azurite's access log prints every request line with its full query, SAS signature included. When
a developer asks for that log (``SPEECHFLOWS_AZURITE_LOG``), the server's output goes through this
pipe: every ``sig=`` value and every other credential :func:`speechflows.redaction.redact_text`
knows is replaced by ``REDACTED`` before a byte reaches the disk. The pipe and the command share a
process group, so stopping the group stops both.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from speechflows.redaction import REDACTED, redact_text

# A credential query parameter anywhere in a line: request lines carry a path, not a full URL,
# so redact_text's URL pass does not see them. Matches raw and %-encoded separators.
_QUERY_SECRET_RE = re.compile(
    r"(?i)((?:^|[?&;\s\"'])(?:sig|skoid|sktid|sks|skv|saoid|suoid|scid|code|key|token)=)"
    r"[^&\s\"';]+"
)


def redact_line(line: str) -> str:
    """``line`` with SAS signatures, keys and credential URLs replaced by ``REDACTED``."""
    return _QUERY_SECRET_RE.sub(lambda m: m.group(1) + REDACTED, redact_text(line))


def pipe(log_path: Path, argv: list[str]) -> int:
    """Run ``argv``; write its redacted output (stdout and stderr) to ``log_path``; return its code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        ) as proc,
        open(log_path, "a", encoding="utf-8") as log,
    ):
        assert proc.stdout is not None
        for raw in proc.stdout:
            log.write(redact_line(raw.decode("utf-8", errors="replace")))
            log.flush()
        return proc.wait()


def main(args: list[str]) -> int:
    if len(args) < 3 or args[1] != "--":
        print("usage: python -m speechflows.dev.logpipe LOG -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return pipe(Path(args[0]), args[2:])


if __name__ == "__main__":  # pragma: no cover - the child process entry point
    sys.exit(main(sys.argv[1:]))
