#!/bin/sh
# Installs (or upgrades) lvs-agent @VERSION@ from the LVS Console that served this script.
#
#   curl -fsSL CONSOLE/agent/install.sh | sudo sh -s -- --server CONSOLE --token TOKEN
#
# Downloads CONSOLE/agent/lvs-agent and its SHA-256 (CONSOLE/agent/lvs-agent.sha256), refuses an
# artifact whose checksum does not match, installs it under /usr/local/lib/lvs-agent (symlink in
# /usr/local/bin), writes lvs-agent.service and /etc/lvs-agent/agent.env (root only, mode 0600: it
# holds the token), then enables and (re)starts the service. Run again without --token to upgrade
# and keep the settings. Kernel IPVS rules are never touched by the installer.
set -eu

VERSION='@VERSION@'
ARCH='@ARCH@'
LIBDIR=/usr/local/lib/lvs-agent
BINDIR=/usr/local/bin
UNITDIR=/etc/systemd/system
CONFDIR=/etc/lvs-agent
STATEDIR=/var/lib/lvs-agent

usage() {
  cat <<'USAGE'
usage: install.sh --server URL [--token TOKEN] [options]

  --server URL      the console URL: the agent connects to it, and the artifact is downloaded from it
  --token TOKEN     the director's agent token (the enroll dialog shows it once); may be left out
                    when /etc/lvs-agent/agent.env already has one (upgrade: the settings are kept)
  --engine E        auto (default), ipvs or userspace: written to agent.env as LVS_AGENT_ENGINE
  --insecure        accept a self-signed TLS certificate (download and agent link)
  --artifact FILE   install this file instead of downloading it (still verified against
                    URL/agent/lvs-agent.sha256, or --sha256)
  --sha256 HEX      the expected SHA-256 of the artifact (default: downloaded from the console)
  --root DIR        install into DIR instead of / (image building, tests): nothing is enabled or
                    started. DESTDIR=DIR in the environment does the same
  --no-start        install and write the files but do not enable or start the service
  -h, --help        this text
USAGE
}

die() { echo "lvs-agent install: $*" >&2; exit 1; }
say() { echo "lvs-agent install: $*"; }

SERVER='' TOKEN='' ENGINE='' INSECURE=0 ARTIFACT='' SHA256='' ROOT="${DESTDIR:-}" START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --server) [ $# -ge 2 ] || die "--server needs a URL"; SERVER="$2"; shift 2 ;;
    --token) [ $# -ge 2 ] || die "--token needs a value"; TOKEN="$2"; shift 2 ;;
    --engine) [ $# -ge 2 ] || die "--engine needs auto, ipvs or userspace"; ENGINE="$2"; shift 2 ;;
    --insecure) INSECURE=1; shift ;;
    --artifact) [ $# -ge 2 ] || die "--artifact needs a file"; ARTIFACT="$2"; shift 2 ;;
    --sha256) [ $# -ge 2 ] || die "--sha256 needs a hex digest"; SHA256="$2"; shift 2 ;;
    --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT="$2"; shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# ---------------------------------------------------------------- check the settings first
case "$SERVER" in
  http://?*|https://?*) ;;
  '') usage >&2; die "--server URL is required" ;;
  *) die "--server must be an http:// or https:// URL (got: $SERVER)" ;;
esac
# the values go into a systemd environment file: no spaces, quotes, backslashes or line breaks
only() { [ "$(printf '%s' "$2" | tr -cd "$1")" = "$2" ]; } # SET VALUE: VALUE has only characters of SET
only 'A-Za-z0-9._~:/?#@!&()*+,;=%\133\135-' "$SERVER" || die "--server holds characters a URL cannot: $SERVER"
SERVER="${SERVER%/}"
if [ -n "$TOKEN" ]; then
  only 'A-Za-z0-9._~+/=-' "$TOKEN" || die "--token may hold only letters, digits and . _ ~ + / = -"
fi
case "$ENGINE" in ''|auto|ipvs|userspace) ;; *) die "--engine must be auto, ipvs or userspace (got: $ENGINE)" ;; esac
if [ -n "$SHA256" ]; then
  case "$SHA256" in *[!0-9a-f]*) die "--sha256 must be 64 lower-case hex digits" ;; esac
  [ ${#SHA256} -eq 64 ] || die "--sha256 must be 64 lower-case hex digits"
fi
if [ -n "$ROOT" ]; then
  ROOT="${ROOT%/}"
  [ -d "$ROOT" ] || die "--root $ROOT: not a directory"
  START=0
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo sh -s -- ...), or pass --root DIR to install into a directory"
fi
machine="$(uname -m)"
[ "$machine" = "$ARCH" ] || die "this console serves lvs-agent for $ARCH; this machine is $machine"
ENVFILE="$ROOT$CONFDIR/agent.env"
if [ -z "$TOKEN" ] && ! grep -q '^LVS_AGENT_TOKEN=..*' "$ENVFILE" 2>/dev/null; then
  die "--token is required (no token in $CONFDIR/agent.env yet)"
fi
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (coreutils or busybox)"

# ---------------------------------------------------------------- download and verify
TMP="$(mktemp -d "${TMPDIR:-/tmp}/lvs-agent-install.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT INT TERM
fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    if [ "$INSECURE" = 1 ]; then curl -fsSLk -o "$2" "$1"; else curl -fsSL -o "$2" "$1"; fi
  elif command -v wget >/dev/null 2>&1; then
    if [ "$INSECURE" = 1 ]; then wget -q --no-check-certificate -O "$2" "$1"; else wget -q -O "$2" "$1"; fi
  else
    die "neither curl nor wget found"
  fi
}
if [ -n "$ARTIFACT" ]; then
  [ -f "$ARTIFACT" ] || die "--artifact $ARTIFACT: no such file"
  cp "$ARTIFACT" "$TMP/lvs-agent"
else
  say "downloading $SERVER/agent/lvs-agent"
  fetch "$SERVER/agent/lvs-agent" "$TMP/lvs-agent" || die "download of $SERVER/agent/lvs-agent failed"
fi
if [ -z "$SHA256" ]; then
  fetch "$SERVER/agent/lvs-agent.sha256" "$TMP/lvs-agent.sha256" || die "download of $SERVER/agent/lvs-agent.sha256 failed"
  SHA256="$(sed -n '1s/^\([0-9a-f]\{64\}\)  lvs-agent$/\1/p' "$TMP/lvs-agent.sha256")"
  [ -n "$SHA256" ] || die "$SERVER/agent/lvs-agent.sha256 is not a sha256sum line for lvs-agent"
fi
actual="$(sha256sum "$TMP/lvs-agent" | cut -d' ' -f1)"
if [ "$actual" != "$SHA256" ]; then
  die "checksum mismatch: the artifact's SHA-256 is $actual, expected $SHA256. Nothing was installed."
fi
say "checksum verified ($SHA256)"

# ---------------------------------------------------------------- install
umask 022
mkdir -p "$ROOT$LIBDIR" "$ROOT$BINDIR" "$ROOT$UNITDIR"
cp "$TMP/lvs-agent" "$ROOT$LIBDIR/lvs-agent.new"
chmod 0755 "$ROOT$LIBDIR/lvs-agent.new"
if ! got="$("$ROOT$LIBDIR/lvs-agent.new" --version 2>&1)"; then
  rm -f "$ROOT$LIBDIR/lvs-agent.new"
  die "the downloaded agent does not run on this machine (nothing replaced): $got"
fi
mv -f "$ROOT$LIBDIR/lvs-agent.new" "$ROOT$LIBDIR/lvs-agent" # atomic: a running agent keeps its file
ln -sfn "$LIBDIR/lvs-agent" "$ROOT$BINDIR/lvs-agent"
cat > "$ROOT$UNITDIR/lvs-agent.service.new" <<'UNIT'
@UNIT@
UNIT
mv -f "$ROOT$UNITDIR/lvs-agent.service.new" "$ROOT$UNITDIR/lvs-agent.service"
mkdir -p "$ROOT$STATEDIR" "$ROOT$CONFDIR"
chmod 0700 "$ROOT$STATEDIR" "$ROOT$CONFDIR"
if [ -n "$TOKEN" ]; then
  umask 077
  {
    echo "# lvs-agent settings, read by lvs-agent.service; every variable: lvs-agent --help"
    echo "# written by install.sh ($VERSION); restart after a change: systemctl restart lvs-agent"
    echo "LVS_AGENT_SERVER=$SERVER"
    echo "LVS_AGENT_TOKEN=$TOKEN"
    [ -z "$ENGINE" ] || echo "LVS_AGENT_ENGINE=$ENGINE"
    [ "$INSECURE" = 0 ] || echo "LVS_AGENT_INSECURE=1"
  } > "$ENVFILE.new"
  chmod 0600 "$ENVFILE.new"
  [ "$(id -u)" -ne 0 ] || chown 0:0 "$ENVFILE.new"
  mv -f "$ENVFILE.new" "$ENVFILE"
  umask 022
  say "wrote $CONFDIR/agent.env (mode 0600)"
else
  chmod 0600 "$ENVFILE"
  say "kept the settings in $CONFDIR/agent.env"
fi
say "installed $got in $ROOT$LIBDIR"

if [ "$START" = 0 ]; then
  say "not enabling or starting the service (--root/--no-start)"
  exit 0
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable lvs-agent.service >/dev/null 2>&1 || die "systemctl enable lvs-agent.service failed"
  systemctl restart lvs-agent.service || die "systemctl restart lvs-agent.service failed; see: journalctl -u lvs-agent"
  say "lvs-agent.service enabled and (re)started; logs: journalctl -u lvs-agent -f"
else
  say "systemd is not running here: start the agent with your service manager, e.g."
  say "  env \$(cat $CONFDIR/agent.env | grep -v '^#') $BINDIR/lvs-agent"
fi
"$LIBDIR/lvs-agent" check || say "lvs-agent check found something missing (above); the agent falls back where it can"
