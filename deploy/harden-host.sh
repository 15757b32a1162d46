#!/usr/bin/env bash
# Host hardening for a clawhive host (Debian 12), idempotent:
#   - default-deny inbound firewall (nftables, table inet clawhive_host): ssh and the HTTPS port
#     of the TLS reverse proxy only; never a gateway port, never 8080/8081;
#   - fail2ban for ssh (nftables bans, journal backend);
#   - unattended security upgrades (no automatic reboot).
# The reverse proxy itself (nginx or Caddy, certificates for your domain) is set up by hand from
# deploy/proxy/: see deploy/README.md.
#
# Usage: deploy/harden-host.sh [--dry-run] [--root DIR] [--ssh-port N] [--https-port N]
#   --dry-run       print what would change, change nothing
#   --root DIR      write the files under DIR instead of /, and run no package installs,
#                   systemctl or nft (for tests: the live firewall is never touched)
#   --ssh-port N    port sshd listens on (default 22)
#   --https-port N  port of the TLS reverse proxy / Telegram webhook (default 443; Telegram
#                   accepts 443, 80, 88 and 8443)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root=""
dry_run=false
ssh_port=22
https_port=443
packages=(nftables fail2ban python3-systemd unattended-upgrades)
changed=0

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=true; shift ;;
    --root) [[ $# -ge 2 ]] || usage; root="$2"; shift 2 ;;
    --ssh-port) [[ $# -ge 2 ]] || usage; ssh_port="$2"; shift 2 ;;
    --https-port) [[ $# -ge 2 ]] || usage; https_port="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "harden-host: unknown argument $1" >&2; usage ;;
  esac
done

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= 65535 )); }
for port in "$ssh_port" "$https_port"; do
  valid_port "$port" || { echo "harden-host: not a port: $port" >&2; exit 2; }
done
for port in 8080 8081; do
  if [[ "$https_port" == "$port" ]]; then
    echo "harden-host: $port is clawhive's own loopback port; put the TLS proxy on 443" >&2
    exit 2
  fi
done
if [[ -n "$root" ]]; then
  [[ -d "$root" ]] || { echo "harden-host: --root $root is not a directory" >&2; exit 2; }
  root="$(cd "$root" && pwd)"
  [[ "$root" != "/" ]] || root=""
fi
if [[ -z "$root" && "$dry_run" == false && "$(id -u)" != "0" ]]; then
  echo "harden-host: run as root (or use --dry-run / --root DIR)" >&2
  exit 1
fi

say() { echo "harden-host: $*"; }

# Runs a host command, or says it would (dry run) or that --root skips it.
host() {
  if [[ -n "$root" ]]; then
    say "skipped with --root: $*"
  elif [[ "$dry_run" == true ]]; then
    say "would run: $*"
  else
    say "running: $*"
    "$@"
  fi
}

# install_content MODE DEST: writes stdin to DEST (under the root) with MODE when it differs;
# sets last_changed. Feed it by redirection, not a pipe (a pipe would run it in a subshell).
last_changed=false
install_content() {
  local mode="$1" dest="$root$2" tmp
  last_changed=false
  tmp="$(mktemp)"
  cat >"$tmp"
  if [[ -f "$dest" ]] && cmp -s "$tmp" "$dest" \
      && [[ "$(stat -c %a "$dest")" == "${mode#0}" ]]; then
    say "unchanged: $2"
    rm -f "$tmp"
    return 0
  fi
  changed=$((changed + 1))
  last_changed=true
  if [[ "$dry_run" == true ]]; then
    say "would write: $2 (mode $mode)"
    rm -f "$tmp"
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$tmp" "$dest"
  rm -f "$tmp"
  say "wrote: $2"
}

# 1. Packages.
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [[ -n "$root" ]]; then
  say "skipped with --root: package check (${packages[*]})"
elif [[ ${#missing[@]} -gt 0 ]]; then
  changed=$((changed + 1))
  host apt-get update -qq
  host env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
else
  say "unchanged: packages ${packages[*]} installed"
fi

# 2. Firewall: our own table only, ports filled in. A Debian default /etc/nftables.conf (which
# starts with "flush ruleset" and would drop the worker's egress rules on every reload) is
# replaced; its first version is kept as /etc/nftables.conf.orig.
nft_conf="/etc/nftables.conf"
if [[ -f "$root$nft_conf" && ! -e "$root$nft_conf.orig" ]] \
    && ! grep -q 'clawhive_host' "$root$nft_conf"; then
  changed=$((changed + 1))
  if [[ "$dry_run" == true ]]; then
    say "would keep the previous $nft_conf as $nft_conf.orig"
  else
    cp -p "$root$nft_conf" "$root$nft_conf.orig"
    say "kept the previous $nft_conf as $nft_conf.orig"
  fi
fi
install_content 0755 "$nft_conf" < <(
  sed -e "s/^define ssh_port = .*/define ssh_port = $ssh_port/" \
      -e "s/^define https_port = .*/define https_port = $https_port/" "$here/nftables.conf")

# 3. fail2ban for sshd.
install_content 0644 /etc/fail2ban/jail.d/clawhive.local < <(
  sed -e "s/^port = SSH_PORT/port = $ssh_port/" "$here/fail2ban/clawhive.local")
jail_changed=$last_changed

# 4. Unattended security upgrades.
install_content 0644 /etc/apt/apt.conf.d/20auto-upgrades <"$here/apt/20auto-upgrades"
install_content 0644 /etc/apt/apt.conf.d/52clawhive-unattended-upgrades \
  <"$here/apt/52clawhive-unattended-upgrades"

# 5. Load and enable. nft -f replaces only table inet clawhive_host (see nftables.conf).
host nft -c -f "$nft_conf"
host nft -f "$nft_conf"
host systemctl enable nftables.service
host systemctl enable unattended-upgrades.service
host systemctl enable fail2ban.service
if [[ "$jail_changed" == true ]]; then
  host systemctl restart fail2ban.service
fi

if [[ "$dry_run" == true ]]; then
  say "dry run: $changed change(s) would be made; nothing was changed"
else
  say "done: $changed change(s); inbound open: tcp $ssh_port (ssh), tcp $https_port (https)"
fi
