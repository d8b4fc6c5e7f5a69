#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium (browser test of the Prefect UI) and
# PostgreSQL (multi-worker tests), sox (tests/cli run the validator's sox fix commands). Installed only when missing; needs root (CI and dev boxes are).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v sox >/dev/null 2>&1 || missing+=(sox)
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
