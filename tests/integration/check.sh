#!/bin/sh
# skedd -n: "configuration OK" and exit 0, or every error with
# file:line:column and exit 1.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/ok.yaml" <<'EOF2'
- task_name: fine
  task_type: START
  scheduled_type: WEEK
  week_list: "1,7"
  scheduled_time: "20:00:00"
EOF2
write_config
expect "a good configuration" 0 "configuration OK" -- "$SKEDD" -n -c "$CONF"

write_config "max_concurrency: 0
bogus_key: 1
time_zone2: x"
out=$("$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "a bad configuration: exit 1" 1 "$rc"
check "every error is reported" 3 "$(printf '%s\n' "$out" | grep -c "^$CONF:[0-9]*:[0-9]*: ")"
printf '%s\n' "$out" | grep -q "sked.yaml:9:18: max_concurrency: 0 is out of range 1-100000"
tap_ok $? "out-of-range value: line, column, key, reason"
printf '%s\n' "$out" | grep -q "sked.yaml:10:1: bogus_key: unknown key"
tap_ok $? "unknown key named"

write_config "time_zone: Mars/Olympus"
out=$("$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "a duplicate key and an unknown zone: exit 1" 1 "$rc"

write_config
cat >"$TASKS/bad.yaml" <<'EOF2'
- task_name: broken
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 25 * * ?"
- task_name: fine
  task_type: START
  scheduled_type: DAY
  scheduled_time: "25:00:00"
EOF2
out=$("$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "bad task files: exit 1" 1 "$rc"
printf '%s\n' "$out" | grep -q "bad.yaml:4:14: task_cron: "
tap_ok $? "a bad cron expression: file, line, column, field"
printf '%s\n' "$out" | grep -q "bad.yaml:8:19: scheduled_time"
tap_ok $? "and the second error in the same file"
rm "$TASKS/bad.yaml"

cat >"$TASKS/dup.yaml" <<'EOF2'
- task_name: fine
  task_type: STOP
  scheduled_type: CRON
  task_cron: "@daily"
EOF2
out=$("$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "the same task_name in two files: exit 1" 1 "$rc"
printf '%s\n' "$out" | grep -q "task_name: 'fine' is also the name"
tap_ok $? "the duplicate name is reported"
rm "$TASKS/dup.yaml"

# Duplicates across files: every one reported, against the first.
for f in d1 d2 d3; do
	printf -- '- task_name: same\n  task_type: STOP\n' >"$TASKS/$f.yaml"
	printf -- '  scheduled_type: CRON\n  task_cron: "@daily"\n' \
	    >>"$TASKS/$f.yaml"
	printf -- '- id: 6f1c8a52-1d43-4a5e-9c1e-0a8f6b1f2c01\n' \
	    >>"$TASKS/$f.yaml"
	printf -- '  task_name: %s\n  task_type: STOP\n' "id-$f" \
	    >>"$TASKS/$f.yaml"
	printf -- '  scheduled_type: CRON\n  task_cron: "@daily"\n' \
	    >>"$TASKS/$f.yaml"
done
out=$("$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "duplicates across three files: exit 1" 1 "$rc"
check "each later duplicate name is one error, against the first" 2 \
    "$(printf '%s\n' "$out" | grep -c "task_name: 'same' is also the name of the task at $TASKS/d1.yaml:1 ")"
printf '%s\n' "$out" | grep -q "d3.yaml:5:3: id: '6f1c8a52-1d43-4a5e-9c1e-0a8f6b1f2c01' is also the id of the task at $TASKS/d1.yaml:5"
tap_ok $? "a duplicate id: the position of both"
rm "$TASKS/d1.yaml" "$TASKS/d2.yaml" "$TASKS/d3.yaml"

# A FIFO named like a task file: refused by name at once, never opened
# blocking (skedd -n would wait for a writer forever).
mkfifo "$TASKS/pipe.yaml"
out=$(timeout 10 "$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "a FIFO in tasks_dir: exit 1, no hang" 1 "$rc"
printf '%s\n' "$out" | grep -q "pipe.yaml: not a regular file (a FIFO)"
tap_ok $? "the FIFO is named with the reason"
rm "$TASKS/pipe.yaml"
mkdir "$TASKS/dir.yaml"
out=$(timeout 10 "$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "a directory named like a task file: exit 1" 1 "$rc"
printf '%s\n' "$out" | grep -q "dir.yaml: not a regular file (a directory)"
tap_ok $? "the directory is named with the reason"
rmdir "$TASKS/dir.yaml"
mkfifo "$TMPD/fifo-conf.yaml"
out=$(timeout 10 "$SKEDD" -n -c "$TMPD/fifo-conf.yaml" 2>&1); rc=$?
check "a FIFO as the configuration file: exit 1, no hang" 1 "$rc"
printf '%s\n' "$out" | grep -q "fifo-conf.yaml: not a regular file (a FIFO)"
tap_ok $? "the configuration FIFO is named"

# A list given twice in a token or a project: an error, not a leak (found
# by fuzz_conf; corpus/conf/token-projects-twice).
write_config "tokens:
  - { name: ci, sha256: $(printf x | sha256sum | cut -c1-64), projects: [p1], projects: [p2] }
projects:
  p1: { users: [root], users: [nobody] }"
out=$("$SKEDD" -n -c "$CONF" 2>&1); rc=$?
check "a list given twice: exit 1" 1 "$rc"
check "both are named" 2 "$(printf '%s\n' "$out" | grep -c 'given twice')"
write_config

# The store and cluster keys (SPEC section 7; every key's checks in
# tests/unit/check_conf): skedd -n takes them, and reports their errors with
# every other.  A file of their own, the same whatever the store of the run
# (skedd -n does not connect).
keys_conf() {	# keys_conf LINE...: lines 1-2 fixed, LINEs from line 3
	printf '%s\n' "socket: $SKED_SOCKET" "tasks_dir: $TASKS" "$@" \
	    >"$TMPD/keys.yaml"
}
keys_conf "store: postgresql" \
    "database_url: 'host=$TMPD/pg port=5432 user=sked dbname=sked'" \
    "node_name: node-1.eu_west" "cluster_heartbeat: 1" "cluster_dead_after: 3"
expect "store: postgresql with its keys: OK" 0 "configuration OK" -- \
    "$SKEDD" -n -c "$TMPD/keys.yaml"
keys_conf "store: postgresql" "database_url: postgresql://sked@db1/sked"
expect "a database_url URI: OK" 0 "configuration OK" -- \
    "$SKEDD" -n -c "$TMPD/keys.yaml"
keys_conf "store: sqlite" "node_name: n1" "cluster_dead_after: 5"
expect "store: sqlite, a node_name, cluster_dead_after: OK" 0 \
    "configuration OK" -- "$SKEDD" -n -c "$TMPD/keys.yaml"
keys_conf "store: mysql" "node_name: 'node 1'" "cluster_heartbeat: 0" \
    "max_concurrency: 0" "cluster_dead_after: x"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1); rc=$?
check "bad store and cluster keys: exit 1" 1 "$rc"
check "bad store and cluster keys: each one error, with the others" \
"$TMPD/keys.yaml:3:8: store: 'mysql' is not a store (sqlite, postgresql)
$TMPD/keys.yaml:4:12: node_name: 'node 1' is not a node name (1-63 letters, digits, '.', '_' and '-')
$TMPD/keys.yaml:5:20: cluster_heartbeat: 0 is out of range 1-3600
$TMPD/keys.yaml:6:18: max_concurrency: 0 is out of range 1-100000
$TMPD/keys.yaml:7:21: cluster_dead_after: expected an integer" \
    "$(printf '%s\n' "$out" | grep "^$TMPD/keys.yaml:")"
keys_conf "store: postgresql" "database: $TMPD/sked.db"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1); rc=$?
check "store: postgresql without database_url, with database: exit 1" 1 "$rc"
check "both named" \
"$TMPD/keys.yaml:3:8: database_url: required with store: postgresql (a libpq connection string or URI)
$TMPD/keys.yaml:4:11: database: the SQLite file, not used with store: postgresql (remove it)" \
    "$(printf '%s\n' "$out" | grep "^$TMPD/keys.yaml:")"
keys_conf "database_url: 'host=/tmp'"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1)
printf '%s\n' "$out" | grep -qF "keys.yaml:3:15: database_url: only used with store: postgresql (store is sqlite)"
tap_ok $? "database_url with store sqlite (the default): an error"
keys_conf "store: postgresql" "database_url: 'postgresql://sked:pw@db1/sked'"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1)
printf '%s\n' "$out" | grep -qF "keys.yaml:4:15: database_url: holds a password: put it in ~/.pgpass"
tap_ok $? "a password in database_url: refused, ~/.pgpass named"
keys_conf "store: postgresql" "database_url: 'host=db1 bogus=1'"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1)
printf '%s\n' "$out" | grep -qF "keys.yaml:4:15: database_url: invalid connection option \"bogus\""
tap_ok $? "database_url as libpq reads it: an unknown option"
keys_conf "cluster_heartbeat: 5"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1)
printf '%s\n' "$out" | grep -qF "keys.yaml:3:20: cluster_dead_after: 10 must be more than twice cluster_heartbeat (5)"
tap_ok $? "cluster_dead_after (default 10) must pass twice cluster_heartbeat"
keys_conf "cluster_heartbeat: 2" "cluster_dead_after: 4"
out=$("$SKEDD" -n -c "$TMPD/keys.yaml" 2>&1)
printf '%s\n' "$out" | grep -qF "keys.yaml:4:21: cluster_dead_after: 4 must be more than twice cluster_heartbeat (2)"
tap_ok $? "cluster_dead_after of twice the heartbeat: an error at it"

expect_err "a missing config file named with -c" 1 "nosuch.yaml" -- \
    "$SKEDD" -n -c "$TMPD/nosuch.yaml"
expect_err "an unknown option: usage, exit 2" 2 "usage: skedd" -- \
    "$SKEDD" -x
finish
