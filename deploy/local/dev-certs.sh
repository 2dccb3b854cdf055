#!/usr/bin/env bash
# Creates certificates for TLS on a development machine: a local CA, a server
# certificate for localhost / 127.0.0.1 that every service may use, and a
# client certificate for the services and tools that call them (mutual TLS).
# Nothing here is for production: there the district's PKI issues them.
#   deploy/local/dev-certs.sh [DIR]   (default var/certs)
# Then start the services with
#   ANKOMMEN_TLS_CERT_FILE=DIR/server.crt ANKOMMEN_TLS_KEY_FILE=DIR/server.key ANKOMMEN_TLS_CLIENT_CA_FILE=DIR/ca.crt
# and call them with
#   ANKOMMEN_TLS_CA_FILE=DIR/ca.crt ANKOMMEN_TLS_CLIENT_CERT_FILE=DIR/client.crt ANKOMMEN_TLS_CLIENT_KEY_FILE=DIR/client.key
set -euo pipefail
dir=${1:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/var/certs"}
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ankommen development CA" \
  -keyout ca.key -out ca.crt
for who in server client; do
  quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=ankommen-$who" -keyout "$who.key" -out "$who.csr"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=%s\n' \
    "$([[ $who == server ]] && echo serverAuth || echo clientAuth)" > "$who.ext"
  quiet openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
    -extfile "$who.ext" -out "$who.crt"
  rm -f "$who.csr" "$who.ext"
done
chmod 600 ./*.key
echo "certificates in $dir: ca.crt, server.crt/key, client.crt/key (30 days)"
