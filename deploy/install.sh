#!/usr/bin/env bash
# Installs clawhive on a Debian 12 host, idempotent (a second run changes nothing):
#   /opt/clawhive/clawhive.jar           root 0644  (from app/target/clawhive.jar)
#   /opt/clawhive/runtime/               Node 24 + openclaw + clawhub (scripts/install-runtime.sh)
#   /opt/clawhive/deploy/README.md       the guide the units point to
#   /etc/clawhive/                       root:clawhive 0750
#   /etc/clawhive/config.yml             root:clawhive 0640; an existing, edited one is kept
#                                        and the shipped one written beside it as config.yml.new
#   /etc/clawhive/clawhive.env           root 0600, secrets; created only when absent (with a
#                                        fresh admin token), never overwritten
#   /var/lib/clawhive/                   root 0711 data dir (node / worker)
#   /var/lib/clawhive/{api,scheduler}/   clawhive 0700 data dirs of the unprivileged roles
#   /etc/systemd/system/clawhive*.service  root 0644
#   system user and group clawhive       (runs clawhive-api and clawhive-scheduler)
# It enables nothing: start a role with e.g. `systemctl enable --now clawhive` (whole node).
#
# Usage: deploy/install.sh [--root DIR] [--jar FILE] [--skip-runtime]
#   --root DIR      install into DIR instead of / (for tests): no apt-get, useradd or
#                   systemctl; the user clawhive is added to DIR/etc/passwd and DIR/etc/group
#                   (created when absent) and files are owned by its uid there (when run as root)
#   --jar FILE      the jar to install (default app/target/clawhive.jar of this checkout)
#   --skip-runtime  leave /opt/clawhive/runtime alone (tests; the runtime is ~850 MB from npm)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
root=""
jar="$repo/app/target/clawhive.jar"
skip_runtime=false
user=clawhive
packages=(openjdk-17-jre-headless bubblewrap iptables iproute2 npm)
units=(clawhive.service clawhive-api.service clawhive-worker.service clawhive-scheduler.service)
changed=0

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) [[ $# -ge 2 ]] || usage; root="$2"; shift 2 ;;
    --jar) [[ $# -ge 2 ]] || usage; jar="$2"; shift 2 ;;
    --skip-runtime) skip_runtime=true; shift ;;
    -h|--help) usage ;;
    *) echo "install: unknown argument $1" >&2; usage ;;
  esac
done

if [[ -n "$root" ]]; then
  [[ -d "$root" ]] || { echo "install: --root $root is not a directory" >&2; exit 2; }
  root="$(cd "$root" && pwd)"
  [[ "$root" != "/" ]] || root=""
fi
if [[ -z "$root" && "$(id -u)" != "0" ]]; then
  echo "install: run as root (or use --root DIR)" >&2
  exit 1
fi
[[ -f "$jar" ]] || {
  echo "install: $jar not found; build it first: mvn -q -DskipTests package" >&2
  exit 1
}
can_chown=false
[[ "$(id -u)" != "0" ]] || can_chown=true

say() { echo "install: $*"; }
note_change() { changed=$((changed + 1)); say "$*"; }

# 1. Debian packages (not with --root).
if [[ -n "$root" ]]; then
  say "skipped with --root: packages ${packages[*]}"
else
  missing=()
  for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    note_change "installed packages ${missing[*]}"
  fi
fi

# 2. The system user clawhive.
if [[ -z "$root" ]]; then
  if ! getent passwd "$user" >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/clawhive --no-create-home \
      --shell /usr/sbin/nologin "$user"
    note_change "created system user $user"
  fi
  uid="$(id -u "$user")"
  gid="$(id -g "$user")"
else
  mkdir -p "$root/etc"
  for file in passwd group; do
    [[ -e "$root/etc/$file" ]] || : >"$root/etc/$file"
  done
  if ! grep -q "^$user:" "$root/etc/passwd"; then
    uid=999
    while cut -d: -f3 "$root/etc/passwd" "$root/etc/group" | grep -qx "$uid"; do
      uid=$((uid - 1))
    done
    echo "$user:x:$uid:" >>"$root/etc/group"
    echo "$user:x:$uid:$uid:clawhive:/var/lib/clawhive:/usr/sbin/nologin" >>"$root/etc/passwd"
    note_change "added $user (uid $uid) to $root/etc/passwd and group"
  fi
  uid="$(grep "^$user:" "$root/etc/passwd" | cut -d: -f3)"
  gid="$(grep "^$user:" "$root/etc/passwd" | cut -d: -f4)"
fi

owner_of() { # root|clawhive (user) and root|clawhive (group) -> numeric uid:gid
  local u=0 g=0
  [[ "$1" != "$user" ]] || u="$uid"
  [[ "$2" != "$user" ]] || g="$gid"
  echo "$u:$g"
}

# Sets mode and owner of DEST (under the root) when they differ.
fix_attributes() { # MODE USER GROUP DEST
  local mode="$1" owner dest="$root$4"
  owner="$(owner_of "$2" "$3")"
  if [[ "$(stat -c %a "$dest")" != "${mode#0}" ]]; then
    chmod "$mode" "$dest"
    note_change "mode $mode: $4"
  fi
  if [[ "$can_chown" == true && "$(stat -c %u:%g "$dest")" != "$owner" ]]; then
    chown "$owner" "$dest"
    note_change "owner $2:$3: $4"
  fi
}

ensure_dir() { # MODE USER GROUP DIR
  if [[ ! -d "$root$4" ]]; then
    mkdir -p "$root$4"
    note_change "created $4"
  fi
  fix_attributes "$@"
}

# Copies SRC to DEST (under the root) when the content differs, then mode and owner.
put_file() { # MODE USER GROUP SRC DEST
  local dest="$root$5"
  if [[ ! -f "$dest" ]] || ! cmp -s "$4" "$dest"; then
    cp "$4" "$dest.tmp.$$"
    mv -f "$dest.tmp.$$" "$dest"
    note_change "wrote $5"
  fi
  fix_attributes "$1" "$2" "$3" "$5"
}

# 3. Program, runtime, docs.
ensure_dir 0755 root root /opt/clawhive
put_file 0644 root root "$jar" /opt/clawhive/clawhive.jar
ensure_dir 0755 root root /opt/clawhive/deploy
put_file 0644 root root "$repo/deploy/README.md" /opt/clawhive/deploy/README.md
if [[ "$skip_runtime" == true ]]; then
  say "skipped (--skip-runtime): runtime in /opt/clawhive/runtime"
else
  # Prints "already installed" and changes nothing when the pinned versions are there.
  "$repo/scripts/install-runtime.sh" "$root/opt/clawhive/runtime"
fi

# 4. Configuration and secrets.
ensure_dir 0750 root "$user" /etc/clawhive
config=/etc/clawhive/config.yml
if [[ -f "$root$config" ]] && ! cmp -s "$repo/config.yml" "$root$config"; then
  say "keeping the edited $config; the shipped one is $config.new"
  put_file 0640 root "$user" "$repo/config.yml" "$config.new"
  fix_attributes 0640 root "$user" "$config"
else
  put_file 0640 root "$user" "$repo/config.yml" "$config"
fi
env_file=/etc/clawhive/clawhive.env
if [[ ! -e "$root$env_file" ]]; then
  token="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  (
    umask 077
    cat >"$root$env_file" <<EOF
# clawhive secrets and host settings, read by the systemd units (EnvironmentFile=).
# Keep it root-only (0600). Every variable of config.yml / the README's table can be set here,
# except CLAWHIVE_ROLES and CLAWHIVE_DATA_DIR: each unit sets its own, and this file (read after
# the units' Environment= lines) would override them for every unit.
CLAWHIVE_ADMIN_TOKEN=$token
# TELEGRAM_BOT_TOKEN=
# TELEGRAM_MODE=webhook
# TELEGRAM_WEBHOOK_URL=https://bot.example.org/telegram/webhook
# TELEGRAM_WEBHOOK_SECRET=
# CLAWHIVE_MODEL_BASE_URL=https://api.openai.com/v1
# CLAWHIVE_MODEL_ID=gpt-4o-mini
# CLAWHIVE_MODEL_API_KEY=
# Scale-out: CLAWHIVE_DB_URL=jdbc:postgresql://db:5432/clawhive, CLAWHIVE_DB_PASSWORD=,
# CLAWHIVE_AMQP_URI=amqps://user:pass@mq:5671/clawhive, CLAWHIVE_NODE_ID=
EOF
  )
  note_change "created $env_file with a new admin token"
fi
fix_attributes 0600 root root "$env_file"

# 5. Data directories.
ensure_dir 0755 root root /var/lib
ensure_dir 0711 root root /var/lib/clawhive
ensure_dir 0700 "$user" "$user" /var/lib/clawhive/api
ensure_dir 0700 "$user" "$user" /var/lib/clawhive/scheduler

# 6. Units.
ensure_dir 0755 root root /etc/systemd/system
for unit in "${units[@]}"; do
  put_file 0644 root root "$repo/deploy/systemd/$unit" "/etc/systemd/system/$unit"
done
if [[ -z "$root" && -d /run/systemd/system && $changed -gt 0 ]]; then
  systemctl daemon-reload
fi

say "done: $changed change(s)"
if [[ $changed -gt 0 && -z "$root" ]]; then
  say "next: edit $env_file, then: systemctl enable --now clawhive (or clawhive-api / -worker / -scheduler)"
fi
