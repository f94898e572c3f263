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

expect_err "a missing config file named with -c" 1 "nosuch.yaml" -- \
    "$SKEDD" -n -c "$TMPD/nosuch.yaml"
expect_err "an unknown option: usage, exit 2" 2 "usage: skedd" -- \
    "$SKEDD" -x
finish
