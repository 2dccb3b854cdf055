#!/usr/bin/env bash
# Sets up and runs every test: installs what is missing, builds from scratch
# (or incrementally), and runs ctest. Integration and e2e tests start their own
# nats-server and redis-server on free loopback ports.
#
#   deploy/local/test.sh [-L unit|integration|e2e] [other ctest arguments]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "Installing Debian packages (if missing)"
"$ROOT/deploy/local/install-deps.sh"
say "Building"
configure_and_build
say "Testing"
cd "$BUILD_DIR"
ctest --output-on-failure --parallel "$(nproc)" --timeout 300 "$@"
