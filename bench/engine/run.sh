#!/usr/bin/env bash
# npm run bench:engine — userspace engine vs direct vs HAProxy (mode tcp, 1 thread) vs nginx stream,
# all on loopback, in ONE run with interleaved repetitions. Env: BENCH_REPS (3), BENCH_SECONDS (4),
# BENCH_PROFILE=1 writes a --cpu-prof of the engine (path printed at the end; summarise it with
# node --import tsx bench/engine/profileSummary.ts FILE).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v haproxy >/dev/null || need+=(haproxy)
command -v nginx >/dev/null || need+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  flock /tmp/apt.lock sh -c "$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ${need[*]}" >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec node --import tsx bench/engine/bench.ts "$@"
