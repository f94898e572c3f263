#!/bin/sh
# Every skedctl subcommand against the real skedd (chrony's 007-cmdmon,
# tmux's regress/).
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/file.yaml" <<'EOF2'
task_name: filetask
task_type: EXECUTE_SCRIPT
scheduled_type: CRON
task_cron: "0 0 3 * * ?"
time_zone: Asia/Tokyo
input_param: { command: "true" }
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"
trap 'show_log_on_failure; cleanup' EXIT

# --- the read side ---------------------------------------------------------
out=$("$SKEDCTL" status)
tap_ok $? "status: exit 0"
out=$("$SKEDCTL" list)
printf '%s\n' "$out" | head -1 | grep -q '^ID  *NAME  *TYPE'
tap_ok $? "list: a table with a header"
printf '%s\n' "$out" | grep -q ' filetask .*0 0 3 \* \* ?.*Asia/Tokyo'
tap_ok $? "list: the file task, its cron and zone"
check "global --json before the command" filetask \
    "$("$SKEDCTL" --json list | jq -r '.scheduled_tasks[0].task_name')"
check "show by name" filetask \
    "$("$SKEDCTL" show filetask --json | jq -r .task_name)"
"$SKEDCTL" show filetask | grep -q '^time_zone: *Asia/Tokyo$'
tap_ok $? "show: key: value lines"
expect_err "show: an unknown task, the API's message, exit 1" 1 \
    "skedctl show: " -- "$SKEDCTL" show no-such-task
expect_err "-p: another project has no such task" 1 "skedctl show: " -- \
    "$SKEDCTL" -p elsewhere show filetask
"$SKEDCTL" run filetask >"$TMPD/run.out"
grep -q '^execution .* started$' "$TMPD/run.out"
tap_ok $? "run: an execution started"
wait_for 10 has_history filetask 1
tap_ok $? "history: the run is recorded"
out=$("$SKEDCTL" reload)
check "reload" "reloaded: 1 tasks, 1 from task files" "$out"
check "validate: the daemon's own task file" "$TASKS/file.yaml: 1 task OK" \
    "$("$SKEDCTL" validate "$TASKS/file.yaml")"

# --- add, show, edit, enable, disable, rm ---------------------------------
cat >"$TMPD/new.yaml" <<'EOF2'
task_name: nightly
task_type: EXECUTE_SCRIPT
scheduled_type: CRON
task_cron: "0 30 2 * * ?"
time_zone: Europe/Paris
priority: 3
input_param:
  command: "true"
  timeout: 30
target_infos:
  - target_type: SERVER
    target_id: [vm-1]
EOF2
out=$("$SKEDCTL" add "$TMPD/new.yaml")
tap_ok $? "add FILE: exit 0"
printf '%s\n' "$out" | grep -q '^task_name: *nightly$'
tap_ok $? "add FILE: prints the task"
id=$("$SKEDCTL" show nightly --json | jq -r .id)
check "add: the id skedd gave" "$id" \
    "$(printf '%s\n' "$out" | sed -n 's/^id: *//p')"
check "add: input_param kept its types" '{"command":"true","timeout":30}' \
    "$("$SKEDCTL" show nightly --json | jq -c .input_param)"
"$SKEDCTL" list | grep -q "^$id  *nightly "
tap_ok $? "list: the added task"
printf 'description: moved\npriority: 9\n' >"$TMPD/patch.yaml"
out=$("$SKEDCTL" edit nightly "$TMPD/patch.yaml" --json)
check "edit FILE: the whole task back" "moved 9 0 30 2 * * ?" \
    "$(jget "$out" '"\(.description) \(.priority) \(.task_cron)"')"
"$SKEDCTL" edit "$id" --cron '0 0 4 * * ?' >/dev/null
check "edit --cron by id" "0 0 4 * * ?" \
    "$("$SKEDCTL" show nightly --json | jq -r .task_cron)"
check "disable" "disabled nightly" "$("$SKEDCTL" disable nightly)"
check "disabled: is_enable false" false \
    "$("$SKEDCTL" show nightly --json | jq -r .is_enable)"
check "enable" "enabled nightly" "$("$SKEDCTL" enable nightly)"
check "enabled: is_enable true" true \
    "$("$SKEDCTL" show nightly --json | jq -r .is_enable)"
expect_err "edit a file task: 409 names the file" 1 "file.yaml" -- \
    "$SKEDCTL" edit filetask --description x
out=$("$SKEDCTL" add --json --name flagged --type EXECUTE_SCRIPT \
    --command 'true' --at '2031-05-01 08:00:00' --zone UTC)
check "add from flags: FIXED_TIME" "flagged FIXED_TIME 2031-05-01 08:00:00" \
    "$(jget "$out" '"\(.task_name) \(.scheduled_type) \(.next_execution_time)"')"
check "rm" "deleted flagged" "$("$SKEDCTL" rm flagged)"
expect_err "show after rm: exit 1" 1 "skedctl show: " -- \
    "$SKEDCTL" show flagged

# --- plan, reschedule, cancel ----------------------------------------------
out=$("$SKEDCTL" plan vm-1)
printf '%s\n' "$out" | head -1 | grep -q '^TASK  *PLANNED  *EXECUTE_AT  *STATUS  *ZONE$'
tap_ok $? "plan: the table's header"
printf '%s\n' "$out" | grep -q '^nightly .*Europe/Paris$'
tap_ok $? "plan: the task, in its zone"
check "reschedule" \
    "rescheduled nightly on vm-1 to 2031-01-02 10:00:00" \
    "$("$SKEDCTL" reschedule nightly vm-1 '2031-01-02 10:00:00')"
"$SKEDCTL" plan vm-1 --json |
    jq -e '.planned_records[] | select(.task_name == "nightly") |
    .execute_time | startswith("2031-01-02 10:00:00")' >/dev/null
tap_ok $? "plan --json: the new execute time"
check "cancel" "cancelled nightly on vm-1" \
    "$("$SKEDCTL" cancel nightly vm-1)"
check "plan: cancelled" CANCELLED \
    "$("$SKEDCTL" plan vm-1 --json | jq -r '.planned_records[] |
    select(.task_name == "nightly") | .status' | head -1)"
expect_err "reschedule: unknown task" 1 "skedctl reschedule: " -- \
    "$SKEDCTL" reschedule no-such vm-1 '2031-01-02 10:00:00'

# --- event ------------------------------------------------------------------
"$SKEDCTL" add --name on-create --type EXECUTE_SCRIPT --command true \
    --set scheduled_type=LIFE_CYCLE --set life_cycle_type=CREATE \
    --set wait_time=0 --target SERVER:vm-9 >/dev/null
tap_ok $? "add a LIFE_CYCLE task"
out=$("$SKEDCTL" event CREATE SERVER vm-9)
check "event: one execution id" 1 "$(printf '%s\n' "$out" | grep -c .)"
wait_for 10 has_history on-create 1
tap_ok $? "event: the task ran"

# --- approve, reject -----------------------------------------------------------
expect_err "approve: a task without enable_approve: 409" 1 \
    "enable_approve" -- "$SKEDCTL" approve nightly
"$SKEDCTL" edit nightly --set enable_approve=true >/dev/null
tap_ok $? "edit: enable_approve"
check "approve --comment" "PASSED ok" \
    "$("$SKEDCTL" approve nightly --comment ok --json |
    jq -r '"\(.approve_status) \(.approve_comments)"')"
"$SKEDCTL" reject nightly | grep -q '^approve_status: *REJECTED$'
tap_ok $? "reject"
check "rm by id" "deleted $id" "$("$SKEDCTL" rm "$id")"

stop_skedd
finish
