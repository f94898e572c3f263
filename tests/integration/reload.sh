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

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
