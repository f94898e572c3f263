# Integration test helpers: a real skedd on a temp config, socket and
# database, driven with skedctl and curl.  The daemon is always stopped,
# even when a test fails (trap on EXIT).  SKEDD, SKEDCTL and TOP_SRCDIR
# come from the test environment.
: "${SKEDD:?SKEDD is not set (run through make check)}"
. "$TOP_SRCDIR/tests/cli/lib.sh"

SKED_SOCKET=$TMPD/skedd.sock
export SKED_SOCKET
CONF=$TMPD/sked.yaml
TASKS=$TMPD/tasks.d
HOOKS=$TMPD/hooks.d
LOG=$TMPD/skedd.log
mkdir -p "$TASKS" "$HOOKS" "$TMPD/plugins"
skedd_pid=
# SKED_TEST_SLOW: a factor on the waits below, for a slow SKEDD (under
# valgrind, make check-valgrind sets 10).
slow=${SKED_TEST_SLOW:-1}

cleanup() {
	if [ -n "$skedd_pid" ] && kill -0 "$skedd_pid" 2>/dev/null; then
		kill -KILL "$skedd_pid" 2>/dev/null
		wait "$skedd_pid" 2>/dev/null
	fi
	rm -rf "$TMPD"
}
trap cleanup EXIT

# write_config [EXTRA_YAML_LINES]
write_config() {
	cat >"$CONF" <<EOC
socket: $SKED_SOCKET
database: $TMPD/sked.db
tasks_dir: $TASKS
hooks_dir: $HOOKS
plugin_dir: $TMPD/plugins
time_zone: UTC
kill_grace: 1
shutdown_timeout: 3
${1:-}
EOC
}

# start_skedd: run skedd -f in the background; wait until it answers.
start_skedd() {
	local i
	"$SKEDD" -f -v -c "$CONF" >>"$LOG" 2>&1 &
	skedd_pid=$!
	for i in $(seq 1 $((100 * slow))); do
		if "$SKEDCTL" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$skedd_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "# skedd did not start; its log:"
	sed 's/^/#   /' "$LOG"
	return 1
}

# stop_skedd [SIGNAL]: signal skedd and wait; sets skedd_rc.
stop_skedd() {
	kill "-${1:-TERM}" "$skedd_pid" 2>/dev/null
	skedd_rc=0
	wait "$skedd_pid" 2>/dev/null || skedd_rc=$?
	skedd_pid=
}

# api METHOD PATH [BODY]: curl on the socket; prints "STATUS BODY".
api() {
	curl -s --unix-socket "$SKED_SOCKET" -X "$1" \
	    -o "$TMPD/api.body" -w '%{http_code}' \
	    ${3:+-H 'Content-Type: application/json' --data "$3"} \
	    "http://localhost$2"
	printf ' '
	cat "$TMPD/api.body"
}

# jget JSON FILTER: one value with jq (raw).
jget() {
	printf '%s' "$1" | jq -r "$2"
}

# check NAME WANT GOT
check() {
	if [ "$2" = "$3" ]; then
		tap_ok 0 "$1"
	else
		tap_ok 1 "$1"
		printf '# wanted: %s\n# got:    %s\n' "$2" "$3"
	fi
}

# wait_for SECONDS COMMAND...: retry until the command succeeds.
wait_for() {
	local deadline=$(( $(date +%s) + $1 * slow ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
	return 0
}

# history_count TASK: executions finished (not RUNNING) of a task
history_done() {
	"$SKEDCTL" history "$1" --json --limit 100 |
	    jq '[.items[] | select(.status != "RUNNING")] | length'
}

# has_history TASK N: at least N finished executions
has_history() {
	[ "$(history_done "$1")" -ge "$2" ]
}

show_log_on_failure() {
	if [ "$tap_failed" -gt 0 ]; then
		echo "# skedd log:"
		sed 's/^/#   /' "$LOG"
	fi
}
