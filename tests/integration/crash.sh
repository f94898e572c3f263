#!/bin/sh
# SIGKILL while a script runs: at the next start the execution left RUNNING
# is closed as FAIL with the reason, and nothing else is lost.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/c.yaml" <<'EOF2'
- task_name: long-job
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "sleep 30" }
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"
run=$("$SKEDCTL" run long-job --json)
id=$(jget "$run" .id)
check "the execution is RUNNING" "RUNNING 1" \
    "$("$SKEDCTL" history long-job "$id" --json | jq -r '"\(.status) \(.excuting_count)"')"
stop_skedd KILL
pkill -f 'sleep 30' 2>/dev/null

start_skedd
tap_ok $? "skedd restarts after SIGKILL"
ex=$("$SKEDCTL" history long-job "$id" --json)
check "the interrupted execution is closed as FAIL" "FAIL 0 1" \
    "$(jget "$ex" '"\(.status) \(.excuting_count) \(.failed_count)"')"
case $(jget "$ex" .reason) in
*crash*) tap_ok 0 "with the reason" ;;
*) tap_ok 1 "with the reason"; echo "# $(jget "$ex" .reason)" ;;
esac
check "its subtask too" "FAIL" "$(jget "$ex" .subtasks[0].status)"
check "end_time is set" "true" "$(jget "$ex" '.end_time != null')"
check "the task's last_status follows" "FAIL" \
    "$("$SKEDCTL" show long-job --json | jq -r .last_status)"
stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
