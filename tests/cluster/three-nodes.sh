#!/bin/bash
# Cluster mode (SPEC section 7): three skedd nodes on one PostgreSQL server
# of the test's own.  20 tasks fire every second; one node is SIGKILLed
# midway.  Every occurrence between the first and the last is recorded
# exactly once, the dead node is declared dead within cluster_dead_after +
# 2 s, and a task created on one node is armed on the others within 1 s.
. "$TOP_SRCDIR/tests/cli/lib.sh"
: "${SKEDD:?SKEDD is not set (run through make check)}"
PG_SERVER=$TOP_SRCDIR/tests/pg/pg-server
chmod 711 "$TMPD"
if ! "$PG_SERVER" start "$TMPD/pg" >"$TMPD/pg.out" 2>&1; then
	why=$(tail -n 1 "$TMPD/pg.out")
	"$PG_SERVER" stop "$TMPD/pg" >/dev/null 2>&1
	if [ "${SKED_REQUIRE_PG:-0}" = 1 ]; then
		echo "Bail out! PostgreSQL is required (SKED_REQUIRE_PG=1): $why"
		exit 1
	fi
	echo "1..0 # SKIP no PostgreSQL server: $why"
	exit 0
fi
url=$("$PG_SERVER" createdb "$TMPD/pg" sked)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$PG_SERVER" stop "$TMPD/pg" >/dev/null 2>&1
	rm -rf "$TMPD"
}
trap cleanup EXIT
q() { "$PG_SERVER" psql "$TMPD/pg" sked -At -F'|' -c "$1"; }

{
	echo "tasks:"
	for i in $(seq 1 20); do
		cat <<EOT
  - task_name: every-second-$i
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "* * * * * ?"
    input_param:
      command: "test -n \"\$SKED_SCHEDULED_AT\""
      timeout: 10
EOT
	done
} >"$TMPD/tasks.yaml"
for n in a b c; do
	mkdir -p "$TMPD/$n/tasks.d"
	cp "$TMPD/tasks.yaml" "$TMPD/$n/tasks.d/"
	cat >"$TMPD/$n/sked.yaml" <<EOC
socket: $TMPD/$n/sock
tasks_dir: tasks.d
hooks_dir: hooks.d
plugin_dir: plugins
store: postgresql
database_url: "$url"
node_name: node-$n
cluster_heartbeat: 1
cluster_dead_after: 3
EOC
	"$SKEDD" -f -v -c "$TMPD/$n/sked.yaml" >"$TMPD/$n/log" 2>&1 &
	pids+=($!)
done
for n in a b c; do
	for i in $(seq 1 100); do
		"$SKEDCTL" -s "$TMPD/$n/sock" status >/dev/null 2>&1 && break
		sleep 0.1
	done
done
sleep 5
kill -9 "${pids[0]}"
killed=$(date +%s.%N)
dead=
for i in $(seq 1 60); do
	if "$SKEDCTL" -s "$TMPD/b/sock" --json status 2>/dev/null |
	    jq -e '.cluster.nodes[] | select(.name == "node-a" and .state == "dead")' >/dev/null; then
		dead=$(date +%s.%N)
		break
	fi
	sleep 0.1
done
tap_ok "$([ -n "$dead" ] && awk -v a="$dead" -v b="$killed" 'BEGIN { exit !(a - b <= 5) }'; echo $?)" \
    "the killed node is dead for the others within cluster_dead_after + 2 s"

# a task made on b is armed on c within 1 s
cat >"$TMPD/new.yaml" <<EOT
task_name: made-on-b
task_type: EXECUTE_SCRIPT
scheduled_type: CRON
task_cron: "0 0 3 * * ?"
input_param:
  command: "true"
EOT
"$SKEDCTL" -s "$TMPD/b/sock" add "$TMPD/new.yaml" >/dev/null 2>"$TMPD/add.err" ||
    sed 's/^/# add: /' "$TMPD/add.err"
seen=1
for i in $(seq 1 10); do
	if "$SKEDCTL" -s "$TMPD/c/sock" list --name made-on-b 2>/dev/null |
	    grep -q made-on-b; then
		seen=0
		break
	fi
	sleep 0.1
done
tap_ok $seen "a task created on node b is on node c within 1 s"
sleep 4
kill -TERM "${pids[1]}" "${pids[2]}"
wait "${pids[1]}" "${pids[2]}"

# the occurrences of each task: from its first to its last, none missing
bad=$(q "select task_id, min(scheduled_at), max(scheduled_at), count(*),
	count(distinct scheduled_at) from executions
	where scheduled_at > 0 group by task_id
	having max(scheduled_at) - min(scheduled_at) + 1 <> count(*)
	    or count(*) <> count(distinct scheduled_at)")
tap_ok "$([ -z "$bad" ]; echo $?)" "every occurrence recorded exactly once, none missing"
[ -z "$bad" ] || echo "$bad" | sed 's/^/# task|first|last|rows|distinct: /'
n=$(q "select count(distinct task_id) from executions where scheduled_at > 0")
tap_ok "$([ "$n" = 20 ]; echo $?)" "all 20 tasks fired (got $n)"
nodes=$(q "select count(distinct node) from executions")
tap_ok "$([ "$nodes" = 3 ]; echo $?)" "the three nodes shared the fires (got $nodes)"
fails=$(q "select count(*) from subtasks where status = 'FAIL' and coalesce(reason, '') <> 'node node-a lost'")
tap_ok "$([ "$fails" = 0 ]; echo $?)" "no subtask failed but for the lost node (got $fails)"
for n in a b c; do
	grep -q "deadlock\|not recorded, so not run" "$TMPD/$n/log" &&
	    grep "deadlock\|not recorded" "$TMPD/$n/log" | head -3 | sed "s/^/# $n: /"
done
finish
