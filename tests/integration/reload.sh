#!/bin/sh
# SIGHUP and skedctl reload: a broken task file keeps the old tasks; a good
# one replaces them, re-arms only what changed and keeps ids and history.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/a.yaml" <<'EOF2'
- task_name: alpha
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "true" }
- task_name: beta
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 4 * * ?"
  input_param: { command: "true" }
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"
ids=$("$SKEDCTL" list --json | jq -r '[.scheduled_tasks[].id] | sort | join(" ")')
alpha=$("$SKEDCTL" show alpha --json | jq -r .id)
"$SKEDCTL" run alpha >/dev/null
wait_for 10 has_history alpha 1

cat >"$TASKS/b.yaml" <<'EOF2'
- task_name: gamma
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 99 * * ?"
EOF2
kill -HUP "$skedd_pid"
sleep 1
check "SIGHUP with a broken file: the old tasks stay" "$ids" \
    "$("$SKEDCTL" list --json | jq -r '[.scheduled_tasks[].id] | sort | join(" ")')"
grep -q "b.yaml:4:.*task_cron" "$LOG"
tap_ok $? "the log names file, line and field"

expect_err "skedctl reload: exit 1 with the error" 1 "b.yaml:4:" -- \
    "$SKEDCTL" reload
kill -0 "$skedd_pid"
tap_ok $? "skedd is still running"

cat >"$TASKS/b.yaml" <<'EOF2'
- task_name: gamma
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 9 * * ?"
EOF2
cat >"$TASKS/a.yaml" <<'EOF2'
- task_name: alpha
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 30 5 * * ?"
  input_param: { command: "true" }
EOF2
out=$("$SKEDCTL" reload --json)
check "reload: the new set" "reloaded 2" "$(jget "$out" '"\(.status) \(.tasks)"')"
check "the tasks now" "alpha gamma" \
    "$("$SKEDCTL" list --json | jq -r '[.scheduled_tasks[].task_name] | sort | join(" ")')"
s=$("$SKEDCTL" show alpha --json)
check "an edited task keeps its id" "$alpha" "$(jget "$s" .id)"
check "an edited task takes its new schedule" "0 30 5 * * ?" "$(jget "$s" .task_cron)"
check "an edited task keeps its history" 1 "$(history_done alpha)"
case $(jget "$s" .source) in
*/a.yaml) tap_ok 0 "a file task names its file" ;;
*) tap_ok 1 "a file task names its file" ;;
esac

# Only changed files are read again; the tasks of the others stay as they
# are, and a changed file is still checked against them.
cat >"$TASKS/c.yaml" <<'EOF2'
- task_name: delta
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 6 * * ?"
EOF2
"$SKEDCTL" reload >/dev/null
grep -q "2 of 3 files unchanged, not read" "$LOG"
tap_ok $? "reload: the two unchanged files are not read"
gamma=$("$SKEDCTL" show gamma --json | jq -r .id)
cat >"$TASKS/c.yaml" <<'EOF2'
- task_name: delta
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 6 * * ?"
- task_name: gamma
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 7 * * ?"
EOF2
expect_err "reload: a name taken in an unchanged file is refused" 1 \
    "c.yaml:5:3: task_name: 'gamma' is also the name of task $gamma in $TASKS/b.yaml" -- \
    "$SKEDCTL" reload
check "reload refused: gamma is the one of b.yaml still" "$gamma 0 0 9 * * ?" \
    "$("$SKEDCTL" show gamma --json | jq -r '"\(.id) \(.task_cron)"')"
rm "$TASKS/c.yaml"
out=$("$SKEDCTL" reload --json)
check "reload: a removed file takes its tasks" "reloaded 2 2" \
    "$(jget "$out" '"\(.status) \(.tasks) \(.file_tasks)"')"
# a file rewritten with the same size: a new inode or ctime, read again
sed 's/0 30 5/0 31 5/' "$TASKS/a.yaml" >"$TASKS/a.yaml.new"
mv "$TASKS/a.yaml.new" "$TASKS/a.yaml"
"$SKEDCTL" reload >/dev/null
check "a rewritten file of the same size is read again" "0 31 5 * * ?" \
    "$("$SKEDCTL" show alpha --json | jq -r .task_cron)"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
# at start, the files the store has as they are now are not read
start_skedd
tap_ok $? "skedd starts again"
grep -q "2 of 2 files unchanged, not read" "$LOG"
tap_ok $? "start: the unchanged files come from the store"
check "start: the same tasks" "alpha 0 31 5 * * ?, gamma 0 0 9 * * ?" \
    "$("$SKEDCTL" list --json | jq -r '[.scheduled_tasks[] | "\(.task_name) \(.task_cron)"] | sort | join(", ")')"
stop_skedd TERM
show_log_on_failure
finish
