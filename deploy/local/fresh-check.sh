#!/usr/bin/env bash
# Tries the README's two commands as a newcomer would, on a truly fresh
# Debian 12: makes a minimal root with debootstrap (only git and
# ca-certificates added; the host's apt sources, npm settings and trusted
# certificates copied in, so that it reaches exactly the registries the host
# reaches), clones the commit under test into it, runs
#
#   deploy/local/run.sh     then     deploy/local/test.sh
#
# exactly as the README writes them (or the COMMANDs given after `--`, in
# that order, in the same clone), and prints each one's exit status and time. run.sh goes first, so that it is shown to need nothing that only the
# tests install (no Node.js, no npm). Everything runs in a mount and PID
# namespace of its own: when the script ends, every mount and process it made
# is gone with it, and the root is removed (unless --keep); a process that the
# commands left running fails the check.
#
#   deploy/local/fresh-check.sh [--commit REV] [--keep] [--dir DIR] [-- COMMAND...]
#
# Needs root (debootstrap, chroot, mounts) and is installed debootstrap if it
# is missing. Takes about as long as a first build plus the test suite: 45
# minutes here (2 cores).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMIT=HEAD KEEP=0 DIR=""
COMMANDS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --) shift; COMMANDS=("$@"); break ;;
    --commit) COMMIT=$2; shift ;;
    --keep) KEEP=1 ;;
    --dir) DIR=$2; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "fresh-check: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
# Without commands after --, the README's two.
[[ ${#COMMANDS[@]} -gt 0 ]] || COMMANDS=(deploy/local/run.sh deploy/local/test.sh)
COMMIT=$(git -C "$ROOT" rev-parse --verify "$COMMIT^{commit}")
say() { printf '\033[1m==> fresh-check: %s\033[0m\n' "$*"; }

if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

DIR=${DIR:-$(mktemp -d /var/tmp/ankommen-fresh.XXXXXX)}
mkdir -p "$DIR"
FRESH="$DIR/root"
cleanup() {
  # The namespace took its mounts with it; never remove a tree that still has one.
  if findmnt -rn -o TARGET | grep -q "^$FRESH"; then
    echo "fresh-check: something is still mounted under $FRESH; left in place" >&2
  elif ((KEEP == 0)); then
    rm -rf "$DIR"
  else
    echo "fresh-check: the root is kept in $FRESH"
  fi
}
trap cleanup EXIT

# The host's Debian mirror (its first non-security source), for debootstrap.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
  grep -E '^[[:space:]]*(URIs:|deb )' | grep -oE 'https?://[^ ]+' | grep -v security | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

say "a minimal Debian 12 root in $FRESH (debootstrap from $mirror)"
started=$SECONDS
debootstrap --variant=minbase --include=git,ca-certificates bookworm "$FRESH" "$mirror" >"$DIR/debootstrap.log" 2>&1 ||
  { tail -n 20 "$DIR/debootstrap.log" >&2; exit 1; }
echo "debootstrap: $((SECONDS - started)) s"

# What the host reaches the registries with: its apt sources, keys and network
# settings, its extra trusted certificates, its npm configuration.
rm -f "$FRESH/etc/apt/sources.list"  # debootstrap's own: the host's sources replace it
[[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$FRESH/etc/apt/sources.list"
for list in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [[ -f $list ]]; then cp "$list" "$FRESH/etc/apt/sources.list.d/"; fi
done
cp -a /etc/apt/trusted.gpg.d/. "$FRESH/etc/apt/trusted.gpg.d/" 2>/dev/null || true
[[ -d /etc/apt/keyrings ]] && mkdir -p "$FRESH/etc/apt/keyrings" && cp -a /etc/apt/keyrings/. "$FRESH/etc/apt/keyrings/"
[[ -d /etc/apt/auth.conf.d ]] && cp -a /etc/apt/auth.conf.d/. "$FRESH/etc/apt/auth.conf.d/"
for conf in /etc/apt/apt.conf.d/*; do
  if grep -q 'Acquire::' "$conf"; then cp "$conf" "$FRESH/etc/apt/apt.conf.d/"; fi
done
cp -a /usr/local/share/ca-certificates/. "$FRESH/usr/local/share/ca-certificates/" 2>/dev/null || true
for npmrc in /etc/npmrc /usr/etc/npmrc "$HOME/.npmrc"; do
  if [[ -f $npmrc ]]; then
    target="$FRESH${npmrc/#$HOME//root}"
    mkdir -p "$(dirname "$target")"
    cp "$npmrc" "$target"
  fi
done
cp /etc/resolv.conf "$FRESH/etc/resolv.conf"
[[ -f $FRESH/etc/hosts ]] || printf "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" >"$FRESH/etc/hosts"
chroot "$FRESH" update-ca-certificates >/dev/null 2>&1

say "cloning $COMMIT into /root/ankommen"
git clone -q "$ROOT" "$FRESH/root/ankommen"
git -C "$FRESH/root/ankommen" checkout -q "$COMMIT"

# Inside a mount and PID namespace of its own: /proc, /sys, /dev and /run as a
# machine has them; the README's commands with a clean environment (proxy
# settings passed on, as a user's shell would have them).
cat >"$DIR/inside.sh" <<'INSIDE'
set -uo pipefail
fresh=$1
mount -t proc proc "$fresh/proc"
mount -t sysfs sys "$fresh/sys"
mount --rbind /dev "$fresh/dev"
mount -t tmpfs tmpfs "$fresh/run"
mount -t tmpfs tmpfs "$fresh/tmp"
in_root() {
  env -i HOME=/root TERM=dumb LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} ${no_proxy:+no_proxy=$no_proxy} \
    chroot "$fresh" bash -c "cd /root/ankommen && $1"
}
shift
results=() status=0
for command in "$@"; do
  printf '\033[1m==> fresh-check: %s\033[0m\n' "$command"
  started=$SECONDS
  in_root "$command"
  rc=$?
  results+=("$(printf '%-22s exit %d  %dm%02ds' "$command" "$rc" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)))")
  ((rc == 0)) || status=1
  if [[ $command == deploy/local/run.sh ]] && in_root "command -v npm || command -v node" >/dev/null; then
    results+=("deploy/local/run.sh installed Node.js or npm, which only the tests need")
    status=1
  fi
done
# Anything still running in this PID namespace but this script was left behind.
for proc in "$fresh"/proc/[0-9]*; do
  pid=${proc##*/}
  [[ $pid == 1 || $pid == "$$" || $pid == "$BASHPID" ]] && continue
  cmdline=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
  [[ -n $cmdline ]] || continue
  results+=("left running: $cmdline")
  status=1
done
printf '\033[1m==> fresh-check: on a fresh Debian 12\033[0m\n'
printf '  %s\n' "${results[@]}"
exit $status
INSIDE
say "running the README's two commands in it"
unshare --mount --pid --fork --propagation private bash "$DIR/inside.sh" "$FRESH" "${COMMANDS[@]}"
