# shellcheck shell=bash
# Shared harness for mediaemu's bash integration suites (the bash twin of harness.py).
#
#   source "$(dirname "$0")/harness.sh"
#   me_start [mediaemu flags...]     # free ports, fresh --data-dir; sets ME_ENDPOINT ME_HTTP_PORT
#                                    #   ME_RTMP_PORT ME_DATA_DIR ME_PID ME_TMP
#   some_command; exited_0 "what"    # records whether the previous command exited 0
#   check_eq "what" expected got     # soft checks: a failure is printed and counted
#   check_match "what" ERE got
#   me_restart [flags...]            # kill -9 and start again on the same data dir
#   me_finish                        # prints "N passed, N failed", exits 1 if anything failed
#
# The server is stopped (SIGTERM, then SIGKILL by PID) and the temp dir removed on any exit.

export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_DEFAULT_REGION=us-east-1
# No retries: a 5xx or a throttle must show as a failure, not be retried away (harness.py sets the same for boto3).
export AWS_MAX_ATTEMPTS=1
ME_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ME_BIN=${MEDIAEMU_BIN:-$ME_REPO/build/mediaemu}
ME_TMP=$(mktemp -d -t mediaemu-it-XXXXXX)
ME_DATA_DIR=$ME_TMP/data
ME_LOG=$ME_TMP/mediaemu.log
ME_PID=
ME_ARGS=()
ME_PASSED=0
ME_FAILED=0

me_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ME_HTTP_PORT=$(me_free_port)
ME_RTMP_PORT=$(me_free_port)
ME_UDP_BASE=$(( (RANDOM % 400) * 100 + 20000 ))
ME_ENDPOINT=http://127.0.0.1:$ME_HTTP_PORT

me_healthy() { curl -fsS -m 2 "$ME_ENDPOINT/_mediaemu/health" 2>/dev/null | grep -q '"status":"ok"'; }

me_start() {
  [[ $# -gt 0 ]] && ME_ARGS=("$@")
  [[ -x $ME_BIN ]] || { echo "harness: $ME_BIN does not exist; build it first (tools/test does)" >&2; exit 1; }
  echo "=== start: $ME_BIN --port $ME_HTTP_PORT ${ME_ARGS[*]}" >>"$ME_LOG"
  "$ME_BIN" --port "$ME_HTTP_PORT" --rtmp-port "$ME_RTMP_PORT" \
    --udp-ports "$ME_UDP_BASE-$((ME_UDP_BASE + 99))" --data-dir "$ME_DATA_DIR" "${ME_ARGS[@]}" \
    >>"$ME_LOG" 2>&1 </dev/null &
  ME_PID=$!
  local i
  for ((i = 0; i < 750; i++)); do  # 15 s
    me_healthy && return 0
    if ! kill -0 "$ME_PID" 2>/dev/null; then
      echo "harness: mediaemu exited during start:" >&2; tail -30 "$ME_LOG" >&2; exit 1
    fi
    sleep 0.02
  done
  echo "harness: mediaemu did not answer health within 15 s:" >&2; tail -30 "$ME_LOG" >&2; exit 1
}

me_stop() {
  [[ -n $ME_PID ]] || return 0
  if kill -0 "$ME_PID" 2>/dev/null; then
    kill -TERM "$ME_PID" 2>/dev/null
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$ME_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$ME_PID" 2>/dev/null && kill -KILL "$ME_PID" 2>/dev/null
  fi
  wait "$ME_PID" 2>/dev/null
  ME_PID=
}

me_kill9() {
  [[ -n $ME_PID ]] && kill -KILL "$ME_PID" 2>/dev/null
  wait "$ME_PID" 2>/dev/null
  ME_PID=
}

me_restart() { me_kill9; me_start "$@"; }

me_cleanup() {
  me_stop
  # The server's log outlives the temp dir where tools/test keeps the suites' logs.
  [[ -n ${MEDIAEMU_TEST_LOGS:-} && -f $ME_LOG ]] &&
    cp "$ME_LOG" "$MEDIAEMU_TEST_LOGS/$(basename "$0" .sh)-server-$ME_HTTP_PORT.log"
  rm -rf "$ME_TMP"
}
trap me_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- checks -------------------------------------------------------------------------------------

me_pass() { ME_PASSED=$((ME_PASSED + 1)); echo "    ok   $1"; }
me_fail() {
  ME_FAILED=$((ME_FAILED + 1))
  echo "    FAIL $1"
  [[ $# -ge 3 ]] && printf '      expected: %s\n      got:      %s\n' "$2" "$3"
  return 1
}

# Call right after a command: records whether it exited 0.
exited_0() {
  local rc=$?
  if [[ $rc -eq 0 ]]; then me_pass "$1 (exit 0)"; else me_fail "$1" "exit 0" "exit $rc"; fi
}

check_eq() {
  if [[ "$3" == "$2" ]]; then me_pass "$1 = $3"; else me_fail "$1" "$2" "$3"; fi
}

check_match() {
  if [[ "$3" =~ $2 ]]; then me_pass "$1: $3"; else me_fail "$1" "matches /$2/" "$3"; fi
}

check_true() {  # check_true "what" command...
  local what=$1; shift
  if "$@"; then me_pass "$what"; else me_fail "$what" "true" "false"; fi
}

me_finish() {
  me_healthy || me_fail "server still answers health at the end" "healthy" "no answer"
  echo "$ME_PASSED passed, $ME_FAILED failed"
  [[ $ME_FAILED -eq 0 ]]
  exit $?
}
