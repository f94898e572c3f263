# Integration test helpers: a real skedd on a temp config, socket and
# database, driven with skedctl and curl.  The daemon is always stopped,
# even when a test fails (trap on EXIT).  SKEDD, SKEDCTL and TOP_SRCDIR
# come from the test environment.
#
# SKED_TEST_STORE=postgresql (make check runs every script so, as NAME.pg):
# the store is a PostgreSQL server of the script's own (tests/pg/pg-server,
# in $TMPD/pg, stopped with skedd), database "sked"; without a server the
# script is skipped, or fails under SKED_REQUIRE_PG=1 (CI).  db_query runs
# SQL on whichever store it is.
: "${SKEDD:?SKEDD is not set (run through make check)}"
. "$TOP_SRCDIR/tests/cli/lib.sh"

SKED_TEST_STORE=${SKED_TEST_STORE:-sqlite}
PG_SERVER=$TOP_SRCDIR/tests/pg/pg-server
pg_dir=
pg_url=
case $SKED_TEST_STORE in
sqlite) ;;
postgresql)
	# the server runs as nobody when we are root: it must reach $TMPD/pg
	chmod 711 "$TMPD"
	if ! "$PG_SERVER" start "$TMPD/pg" >"$TMPD/pg.out" 2>&1; then
		why=$(tail -n 1 "$TMPD/pg.out")
		"$PG_SERVER" stop "$TMPD/pg" >/dev/null 2>&1
		rm -rf "$TMPD"
		if [ "${SKED_REQUIRE_PG:-0}" = 1 ]; then
			echo "Bail out! PostgreSQL is required (SKED_REQUIRE_PG=1): ${why:-no server}"
			exit 1
		fi
		echo "1..0 # SKIP no PostgreSQL server: ${why:-?}"
		exit 0
	fi
	pg_dir=$TMPD/pg
	pg_url=$("$PG_SERVER" createdb "$pg_dir" sked) || {
		echo "Bail out! createdb sked failed"
		"$PG_SERVER" stop "$pg_dir" >/dev/null 2>&1
		rm -rf "$TMPD"
		exit 1
	}
	;;
*)
	echo "Bail out! SKED_TEST_STORE=$SKED_TEST_STORE: sqlite or postgresql"
	exit 1 ;;
esac

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
	[ -z "$pg_dir" ] || "$PG_SERVER" stop "$pg_dir" >/dev/null 2>&1
	rm -rf "$TMPD"
}
trap cleanup EXIT

# store_config: the store's lines of a config, one line for SQLite, three
# for PostgreSQL.
store_config() {
	if [ -n "$pg_dir" ]; then
		# short heartbeats: a node restarted after a kill waits until
		# its previous self is silent for cluster_dead_after
		printf 'store: postgresql\ndatabase_url: "%s"\nnode_name: %s\ncluster_heartbeat: 1\ncluster_dead_after: 3\n' \
		    "$pg_url" "${SKED_TEST_NODE:-test-node}"
	else
		printf 'database: %s\n' "$TMPD/sked.db"
	fi
}

# write_config [EXTRA_YAML_LINES]: the extra lines start at line 9 with
# either store (the PostgreSQL keys come after them).
write_config() {
	cat >"$CONF" <<EOC
socket: $SKED_SOCKET
$(if [ -n "$pg_dir" ]; then echo "# store: PostgreSQL, at the end"; else store_config; fi)
tasks_dir: $TASKS
hooks_dir: $HOOKS
plugin_dir: $TMPD/plugins
time_zone: UTC
kill_grace: 1
shutdown_timeout: 3
${1:-}
EOC
	[ -z "$pg_dir" ] || store_config >>"$CONF"
}

# db_query SQL: run SQL on the store, rows as sqlite3 prints them (columns
# joined by |, NULL empty).  Write SQL that both take (coalesce, not
# ifnull; no booleans).
db_query() {
	if [ -n "$pg_dir" ]; then
		"$PG_SERVER" psql "$pg_dir" sked -q -At -F '|' \
		    -v ON_ERROR_STOP=1 -c "$1"
	else
		sqlite3 "$TMPD/sked.db" "$1"
	fi
}

# pg_restart: restart the PostgreSQL server (same data and conninfo);
# nothing with SQLite.
pg_restart() {
	[ -z "$pg_dir" ] || "$PG_SERVER" restart "$pg_dir" >/dev/null
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
