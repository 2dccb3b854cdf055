#!/usr/bin/env bash
# Installs the Debian 12 packages ankommen needs to build, test and run, if
# they are missing. Safe to run again; does nothing when all are there.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates tzdata
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev grpc-proto
  libnats-dev nats-server libhiredis-dev redis-server redis-tools
  prometheus-cpp-dev libabsl-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liblemon-dev coinor-libcbc-dev
  libkainjow-mustache-dev libicu-dev libcurl4-openssl-dev libjwt-dev
  prometheus
  clang libclang-rt-14-dev
  util-linux iproute2 nftables stunnel4
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js for the offline checks of protos, Kubernetes objects and dashboards
# (tools/validate); the image's own node is used when there is one.
command -v npm >/dev/null || missing+=(nodejs npm)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi

# The npm packages of tools/validate, as package-lock.json pins them. (Not
# `npm ci`: npm 11 refuses buf's lock entries for other platforms' binaries.)
validate="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/validate" && pwd)"
if [[ ! -x $validate/node_modules/.bin/buf || $validate/package-lock.json -nt $validate/node_modules/.package-lock.json ]]; then
  echo "install-deps: npm packages for tools/validate"
  npm install --prefix "$validate" --no-save --no-audit --no-fund --loglevel=error
fi
