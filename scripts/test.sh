#!/usr/bin/env bash
# `npm test`: everything, provisioning what is missing, ending with one plain "N passed, N failed" line.
#   1 typecheck  2 lint  3 PostgreSQL (DATABASE_URL or a throwaway one)  4 QEMU lab (lab/build.sh)
#   5 vitest (unit + integration)  6 Chromium, next build, Playwright e2e
# typecheck and lint count as one test each; a provisioning step that fails counts as one failed test
# (the tests that need it then skip, and skipped is not passed).
# Env: DATABASE_URL (use this PostgreSQL instead of a throwaway one), CHROMIUM_PATH, LVS_LAB_DIR (skip
# lab/build.sh), LVS_TEST_SKIP_LAB=1 / LVS_TEST_SKIP_E2E=1 (leave a stage out, counted as skipped).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export NEXT_TELEMETRY_DISABLED=1
export CI=${CI:-}

OUT=$(mktemp -d /tmp/lvs-test.XXXXXX)
PASSED=0 FAILED=0 SKIPPED=0
STAGES=()
PGDIR=""
T0=$SECONDS
APT_UPDATED=0

note() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
record() { STAGES+=("$(printf '%-12s %-40s %4ss' "$1" "$2" "$3")"); }
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAILED: $*" >&2; }

cleanup() {
  if [[ -n "$PGDIR" ]]; then bash scripts/pg-throwaway.sh stop "$PGDIR" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

is_root() { [[ $(id -u) -eq 0 ]]; }

apt_install() {
  # apt_install PKG...: installs Debian packages as root (apt-get update once per run)
  if ! is_root || ! command -v apt-get >/dev/null; then return 1; fi
  local lock=(); if command -v flock >/dev/null; then lock=(flock /tmp/apt.lock); fi
  if [[ $APT_UPDATED -eq 0 ]]; then
    "${lock[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null || return 1
    APT_UPDATED=1
  fi
  "${lock[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" </dev/null
}

# ---------------------------------------------------------------- 4 starts first: the kernel lab's build
# (downloads and packing, mostly waiting on the network and disk) runs beside typecheck and lint
LAB_PID=""
if [[ -z "${LVS_LAB_DIR:-}" && "${LVS_TEST_SKIP_LAB:-}" != 1 && -f lab/build.sh ]]; then
  bash lab/build.sh >"$OUT/lab.log" 2>&1 &
  LAB_PID=$!
fi

# ---------------------------------------------------------------- 1, 2: typecheck, lint
# side by side (one process each on a 2-core machine); their output is printed when both are done
note "typecheck and lint (side by side)"
t=$SECONDS
declare -A BG_PID=()
for step in typecheck lint; do
  npm run --silent "$step" >"$OUT/$step.log" 2>&1 &
  BG_PID[$step]=$!
done
for step in typecheck lint; do
  wait "${BG_PID[$step]}"; rc=$?
  note "$step"; cat "$OUT/$step.log"
  if [[ $rc -eq 0 ]]; then pass; record "$step" "ok" $((SECONDS - t)); else fail "$step"; record "$step" "FAILED" $((SECONDS - t)); fi
done

# ---------------------------------------------------------------- 3: PostgreSQL
note "PostgreSQL"
t=$SECONDS
if [[ -n "${DATABASE_URL:-}" && "${DATABASE_URL}" == postgres* ]]; then
  export TEST_DATABASE_URL=$DATABASE_URL
  echo "using DATABASE_URL for integration tests"
  record postgres "DATABASE_URL" $((SECONDS - t))
else
  if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 && [[ -z "${PG_BIN:-}" ]]; then
    echo "PostgreSQL binaries not found: installing Debian's postgresql"
    if ! apt_install postgresql; then
      echo "cannot install PostgreSQL: run as root on Debian, or install it yourself (apt-get install postgresql)," >&2
      echo "or point DATABASE_URL at a PostgreSQL server you can create tables in." >&2
    fi
  fi
  if pg_out=$(bash scripts/pg-throwaway.sh start); then
    eval "$pg_out"   # sets DATABASE_URL and PGDIR
    export TEST_DATABASE_URL=$DATABASE_URL
    unset DATABASE_URL   # the product under test defaults to PGlite; tests opt in to TEST_DATABASE_URL
    echo "throwaway PostgreSQL: $TEST_DATABASE_URL ($PGDIR)"
    record postgres "throwaway" $((SECONDS - t))
  else
    fail "PostgreSQL provisioning (integration tests will skip)"
    record postgres "FAILED" $((SECONDS - t))
  fi
fi

# HAProxy: the multi-instance test (it/multiInstance.test.ts) puts two control planes behind a real one
if ! command -v haproxy >/dev/null && [[ ! -x /usr/sbin/haproxy ]]; then
  echo "HAProxy not found: installing Debian's haproxy (the multi-instance test skips without it)"
  apt_install haproxy || echo "cannot install haproxy: the multi-instance test will skip" >&2
fi

# python3: the engine test that reads TCP_NODELAY of the engine's sockets from outside the process
# (agent/engines/userspace/rawTcpForwarder.test.ts, pidfd_getfd) runs it
if ! command -v python3 >/dev/null; then
  echo "python3 not found: installing Debian's python3"
  apt_install python3 || echo "cannot install python3: the TCP_NODELAY engine test will fail" >&2
fi

# ---------------------------------------------------------------- 4: QEMU kernel lab
note "kernel lab"
t=$T0
if [[ -n "${LVS_LAB_DIR:-}" ]]; then
  echo "using LVS_LAB_DIR=$LVS_LAB_DIR"
  record lab "LVS_LAB_DIR" 0
elif [[ "${LVS_TEST_SKIP_LAB:-}" == 1 ]]; then
  echo "LVS_TEST_SKIP_LAB=1: lab tests will skip"
  SKIPPED=$((SKIPPED + 1)); record lab "skipped (LVS_TEST_SKIP_LAB=1)" 0
elif [[ ! -f lab/build.sh ]]; then
  echo "lab/build.sh does not exist yet: lab tests will skip"
  record lab "absent" 0
else
  wait "$LAB_PID"; lab_rc=$?
  cat "$OUT/lab.log"
  lab_dir=$(sed -n 's/^LVS_LAB_DIR=//p' "$OUT/lab.log" | tail -n1)
  if [[ $lab_rc -eq 0 && -n "$lab_dir" ]]; then
    export LVS_LAB_DIR=$lab_dir
    record lab "$lab_dir" $((SECONDS - t))
  else
    fail "lab/build.sh (exit $lab_rc; lab tests will skip)"
    record lab "FAILED" $((SECONDS - t))
  fi
fi

# ---------------------------------------------------------------- 5: vitest
note "vitest"
t=$SECONDS
npx vitest run --reporter=default --reporter=json --outputFile="$OUT/vitest.json"
vitest_rc=$?
if [[ -s "$OUT/vitest.json" ]]; then
  read -r vp vf vs < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    // files that failed to load count as one failure each
    const broken = (r.testResults || []).filter((f) => f.status === "failed" && (f.assertionResults || []).length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + broken, (r.numPendingTests || 0) + (r.numTodoTests || 0));
  ' "$OUT/vitest.json")
  PASSED=$((PASSED + vp)); FAILED=$((FAILED + vf)); SKIPPED=$((SKIPPED + vs))
  if [[ $vitest_rc -ne 0 && $vf -eq 0 ]]; then fail "vitest exited $vitest_rc"; vf=1; fi
  record vitest "$vp passed, $vf failed, $vs skipped" $((SECONDS - t))
else
  fail "vitest produced no report (exit $vitest_rc)"
  record vitest "FAILED (no report)" $((SECONDS - t))
fi

# ---------------------------------------------------------------- 6: Chromium + next build + Playwright
note "e2e"
t=$SECONDS
if [[ "${LVS_TEST_SKIP_E2E:-}" == 1 ]]; then
  echo "LVS_TEST_SKIP_E2E=1: e2e left out"
  SKIPPED=$((SKIPPED + 1)); record e2e "skipped (LVS_TEST_SKIP_E2E=1)" 0
else
  CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [[ ! -x "$CHROMIUM" && -z "${CHROMIUM_PATH:-}" ]]; then
    echo "Chromium not found at $CHROMIUM: installing Debian's chromium"
    apt_install chromium || true
  fi
  if [[ ! -x "$CHROMIUM" ]]; then
    echo "no Chromium at $CHROMIUM: install it (apt-get install chromium, as root) or set CHROMIUM_PATH" >&2
    fail "Chromium provisioning (e2e not run)"
    record e2e "FAILED (no Chromium)" $((SECONDS - t))
  else
    export CHROMIUM_PATH=$CHROMIUM
    tb=$SECONDS
    if node scripts/start.mjs --build-only; then
      record "next build" "ok" $((SECONDS - tb))
      tp=$SECONDS
      LVS_E2E_JSON="$OUT/e2e.json" npx playwright test
      pw_rc=$?
      if [[ -s "$OUT/e2e.json" ]]; then
        read -r ep ef es < <(node -e '
          const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats || {};
          const errors = (JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).errors || []).length;
          console.log((s.expected || 0) + (s.flaky || 0), (s.unexpected || 0) + errors, s.skipped || 0);
        ' "$OUT/e2e.json")
        PASSED=$((PASSED + ep)); FAILED=$((FAILED + ef)); SKIPPED=$((SKIPPED + es))
        if [[ $pw_rc -ne 0 && $ef -eq 0 ]]; then fail "playwright exited $pw_rc"; ef=1; fi
        record playwright "$ep passed, $ef failed, $es skipped" $((SECONDS - tp))
      else
        fail "playwright produced no report (exit $pw_rc)"
        record playwright "FAILED (no report)" $((SECONDS - tp))
      fi
    else
      fail "next build"
      record "next build" "FAILED (e2e not run)" $((SECONDS - tb))
    fi
  fi
fi

# ---------------------------------------------------------------- summary
note "summary (reports in $OUT)"
printf '%s\n' "${STAGES[@]}"
echo "total time $((SECONDS - T0))s"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[[ $FAILED -eq 0 ]]
