#!/bin/sh
# Runs a fault-suite binary in a network namespace of its own, with only a
# loopback interface: there it may refuse connections with nftables without
# touching the machine's own network. Needs root (CI runs as root) and the
# packages util-linux (unshare), iproute2 (ip) and nftables (nft).
exec unshare --net sh -c 'ip link set lo up && exec "$0" "$@"' "$@"
