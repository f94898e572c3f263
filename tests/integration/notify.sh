#!/bin/sh
# Message notifications (seed 004): hooks_dir/notify EVENT TASK_ID with
# the execution as JSON on stdin, for the events message_notification's
# policy names (all three when it names none); a failing or missing
# notifier is logged and never changes the execution.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$HOOKS/notify" <<EOF2
#!/bin/sh
exec >>"$TMPD/notified" 2>&1
body=\$(cat)
echo "\$1 \$2 \$(printf '%s' "\$body" | jq -r '"\(.status) \(.task_id) \(.id)"') \$SKED_EVENT \$SKED_TASK_NAME"
EOF2
chmod +x "$HOOKS/notify"
cat >"$TASKS/notify.yaml" <<'EOF2'
tasks:
  - task_name: only-success
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 0 1 1 ? 2099"
    enable_message_notification: true
    message_notification:
      policy: EXECUTION_SUCCEEDED
      notification_endpoint_type: USER
    input_param:
      command: "true"
  - task_name: all-events
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 0 1 1 ? 2099"
    enable_message_notification: true
    input_param:
      command: "exit 4"
  - task_name: two-events
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 0 1 1 ? 2099"
    enable_message_notification: true
    message_notification:
      policy: "START_EXECUTION,EXECUTION_FAILED"
    input_param:
      command: "true"
  - task_name: quiet
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 0 1 1 ? 2099"
    enable_message_notification: false
    message_notification:
      policy: EXECUTION_SUCCEEDED
    input_param:
      command: "true"
EOF2
at=$(date -u -d '@'$(( $(date +%s) + 3 )) '+%Y-%m-%d %H:%M:%S')
cat >"$TASKS/timed.yaml" <<EOF2
tasks:
  - task_name: timed
    task_type: EXECUTE_SCRIPT
    scheduled_type: FIXED_TIME
    scheduled_date: "${at% *}"
    scheduled_time: "${at#* }"
    enable_message_notification: true
    input_param:
      command: "true"
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"

id_of() {
	"$SKEDCTL" list --json | jq -r ".scheduled_tasks[] |
	    select(.task_name == \"$1\") | .id"
}
run() {	# TASK: run now; prints the execution id
	api POST "/v1/default/schedule-task/$(id_of "$1")/execute" |
	    sed 's/^[0-9]* //' | jq -r .id
}
lines() { n=$(grep -c "$1" "$TMPD/notified" 2>/dev/null); echo "${n:-0}"; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }

wait_for 10 at_least ' timed$' 2
tap_ok $? "a timed fire notifies"
id=$(id_of timed)
check "timed: START_EXECUTION then EXECUTION_SUCCEEDED, argv, stdin, env" \
    "START_EXECUTION $id RUNNING $id START_EXECUTION timed|EXECUTION_SUCCEEDED $id SUCCESS $id EXECUTION_SUCCEEDED timed" \
    "$(grep ' timed$' "$TMPD/notified" | cut -d' ' -f1-4,6- | paste -sd'|')"

ex=$(run only-success)
wait_for 5 at_least only-success 1
sleep 0.5
id=$(id_of only-success)
check "policy EXECUTION_SUCCEEDED: that event only" \
    "EXECUTION_SUCCEEDED $id SUCCESS $id $ex EXECUTION_SUCCEEDED only-success" \
    "$(grep only-success "$TMPD/notified" | paste -sd'|')"

ex=$(run all-events)
wait_for 5 at_least all-events 2
id=$(id_of all-events)
check "no policy: every event (a failure is EXECUTION_FAILED)" \
    "START_EXECUTION RUNNING $ex|EXECUTION_FAILED FAIL $ex" \
    "$(grep all-events "$TMPD/notified" | awk '{print $1, $3, $5}' | paste -sd'|')"

ex=$(run two-events)
wait_for 5 has_history two-events 1
sleep 1
check "a policy listing two events: START_EXECUTION only (it succeeded)" \
    "START_EXECUTION" \
    "$(grep two-events "$TMPD/notified" | awk '{print $1}' | paste -sd'|')"

ex=$(run quiet)
wait_for 5 has_history quiet 1
sleep 1
check "enable_message_notification false: nothing" 0 "$(lines quiet)"

# a failing notifier does not change the execution
cat >"$HOOKS/notify" <<'EOF2'
#!/bin/sh
echo "notifier broke" >&2
exit 3
EOF2
ex=$(run only-success)
wait_for 5 grep -q "notifier EXECUTION_SUCCEEDED .*$ex: exit status 3" "$LOG"
tap_ok $? "a failing notifier is logged with its exit status"
check "the execution is SUCCESS all the same" SUCCESS \
    "$("$SKEDCTL" history only-success "$ex" --json | jq -r .status)"

rm "$HOOKS/notify"
ex=$(run only-success)
wait_for 5 grep -q "no notifier $HOOKS/notify.*EXECUTION_SUCCEEDED of $ex not sent" "$LOG"
tap_ok $? "a missing notifier is one log line"
check "one line for that execution" 1 "$(grep -c "no notifier.*$ex" "$LOG")"
check "and the execution is SUCCESS" SUCCESS \
    "$("$SKEDCTL" history only-success "$ex" --json | jq -r .status)"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
