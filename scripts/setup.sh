#!/usr/bin/env bash
# One-time host set-up for a clawhive node, idempotent (the README's run and test commands call
# it): the Debian packages tenant isolation needs (bubblewrap, iptables, iproute2 for the
# per-instance network namespaces, e2fsprogs for the per-instance disk images; only as root, only
# when missing) and the pinned gateway runtime (Node 24 + openclaw + clawhub from npm).
#
# Usage: scripts/setup.sh [RUNTIME_DIR]   (default $CLAWHIVE_RUNTIME_DIR, else ./runtime)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v bwrap >/dev/null 2>&1 || ! command -v iptables >/dev/null 2>&1 \
    || ! command -v ip6tables >/dev/null 2>&1 || ! PATH="$PATH:/usr/sbin:/sbin" command -v ip >/dev/null 2>&1 \
    || ! PATH="$PATH:/usr/sbin:/sbin" command -v mkfs.ext4 >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages bubblewrap iptables iproute2 e2fsprogs (tenant sandbox,"
    echo "       network namespaces, egress policy and per-instance disk images)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap iptables iproute2 e2fsprogs >/dev/null
  elif [ "$(id -u)" = "0" ]; then
    echo "setup: bubblewrap/iptables/iproute2/e2fsprogs missing and no apt-get: install them, or set CLAWHIVE_ISOLATION" >&2
  else
    echo "setup: not root: workers run in isolation mode none (one tenant per host unless allowed)"
  fi
fi

scripts/install-runtime.sh "$@"
