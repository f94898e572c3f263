#!/bin/sh
# SIGTERM exits 0 and a restart keeps every task and record; a fire missed
# while skedd was down runs once with FIRE_ONCE_NOW and not with the default.
. "$TOP_SRCDIR/tests/integration/lib.sh"

at=$(date -u -d '@'$(( $(date +%s) + 4 )) '+%Y-%m-%d %H:%M:%S')
cat >"$TASKS/r.yaml" <<EOF2
- task_name: keeper
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "echo kept" }
- task_name: catch-up
  task_type: EXECUTE_SCRIPT
  scheduled_type: FIXED_TIME
  scheduled_date: "${at% *}"
  scheduled_time: "${at#* }"
  misfire_policy: FIRE_ONCE_NOW
  input_param: { command: "true" }
- task_name: no-catch-up
  task_type: EXECUTE_SCRIPT
  scheduled_type: FIXED_TIME
  scheduled_date: "${at% *}"
  scheduled_time: "${at#* }"
  input_param: { command: "true" }
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"
"$SKEDCTL" run keeper >/dev/null
wait_for 10 has_history keeper 1
before=$("$SKEDCTL" list --json | jq -c '[.scheduled_tasks[] | {id, task_name}] | sort_by(.id)')
hist=$("$SKEDCTL" history keeper --json | jq -c '.items')
stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
# edited while down (a new description): its missed fire still counts
sed -i 's/^- task_name: catch-up$/- task_name: catch-up\n  description: edited while skedd was down/' \
    "$TASKS/r.yaml"
# down while the FIXED_TIME tasks were due
while [ "$(date -u '+%Y-%m-%d %H:%M:%S')" \< "$at" ] ||
    [ "$(date -u '+%Y-%m-%d %H:%M:%S')" = "$at" ]; do
	sleep 0.5
done
sleep 1

start_skedd
tap_ok $? "skedd restarts"
check "every task is back, same ids" "$before" \
    "$("$SKEDCTL" list --json | jq -c '[.scheduled_tasks[] | {id, task_name}] | sort_by(.id)')"
check "the history is back" "$hist" \
    "$("$SKEDCTL" history keeper --json | jq -c '.items')"
wait_for 5 has_history catch-up 1
check "the edit was loaded" "edited while skedd was down" \
    "$("$SKEDCTL" show catch-up --json | jq -r .description)"
check "FIRE_ONCE_NOW: the missed fire runs once at start (edited task)" 1 \
    "$(history_done catch-up)"
sleep 1
check "DO_NOTHING: the missed fire is not run" 0 "$(history_done no-catch-up)"
check "DO_NOTHING: no next execution either" "null" \
    "$("$SKEDCTL" show no-catch-up --json | jq -r .next_execution_time)"
check "FIRE_ONCE_NOW: still one run" 1 "$(history_done catch-up)"
stop_skedd TERM
check "stopped again, exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
