#!/usr/bin/env bash
# Stops what deploy/local/run.sh --keep-running left running (by PID).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stop_all
echo "stopped"
