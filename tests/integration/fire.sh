#!/bin/sh
# A task due in a few seconds fires; its history shows the counts; a
# FIXED_TIME task fires once and then has no next execution.
. "$TOP_SRCDIR/tests/integration/lib.sh"

at=$(date -u -d '@'$(( $(date +%s) + 3 )) '+%Y-%m-%d %H:%M:%S')
cat >"$TASKS/fire.yaml" <<EOF2
tasks:
  - task_name: every-two-seconds
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "*/2 * * * * ?"
    input_param:
      command: echo fired \$SKED_TARGET_TYPE \$SKED_TARGET_ID
  - task_name: once-soon
    task_type: EXECUTE_SCRIPT
    scheduled_type: FIXED_TIME
    scheduled_date: "${at% *}"
    scheduled_time: "${at#* }"
    input_param:
      command: "exit 3"
  - task_name: not-soon
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 3 * * ?"
    input_param:
      command: "true"
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"

out=$("$SKEDCTL" list --json)
check "list shows every file task" 3 "$(jget "$out" .total_count)"
# (not the every-two-seconds task: it may have fired already)
check "list item fields" "not-soon CRON WAITING true" \
    "$(jget "$out" '.scheduled_tasks[] | select(.task_name == "not-soon") | "\(.task_name) \(.scheduled_type) \(.last_status) \(.enable)"')"

wait_for 10 has_history every-two-seconds 1
tap_ok $? "the cron task fired within 10 s"
h=$("$SKEDCTL" history every-two-seconds --json)
item=$(jget "$h" '[.items[] | select(.status != "RUNNING")][0]')
check "execution counts" "SUCCESS 1 1 0 0 0" \
    "$(jget "$item" '"\(.status) \(.total_count) \(.success_count) \(.failed_count) \(.excuting_count) \(.skipped_count)"')"
check "execution fields" "EXECUTE_SCRIPT CRON UTC" \
    "$(jget "$item" '"\(.task_type) \(.scheduled_type) \(.time_zone)"')"
case $(jget "$item" .begin_time) in
????-??-??T??:??:??.???Z) tap_ok 0 "begin_time is ISO 8601 UTC with ms" ;;
*) tap_ok 1 "begin_time is ISO 8601 UTC with ms" ;;
esac
id=$(jget "$item" .id)
ex=$("$SKEDCTL" history every-two-seconds "$id" --json)
check "subtask: the local host, exit 0, output tail" \
    "HOST localhost SUCCESS 0 fired HOST localhost" \
    "$(jget "$ex" '.subtasks[0] | "\(.target_type) \(.target_id) \(.status) \(.exit_code) \(.output_tail | rtrimstr("\n"))"')"

wait_for 10 has_history once-soon 1
tap_ok $? "the FIXED_TIME task fired"
h=$("$SKEDCTL" history once-soon --json)
check "a failing script is FAIL with the exit status" \
    "FAIL 1 0 1 exit status 3" \
    "$(jget "$h" '.items[0] | "\(.status) \(.total_count) \(.success_count) \(.failed_count) \(.reason)"' | sed 's/HOST localhost: //')"
s=$("$SKEDCTL" show once-soon --json)
check "after its one fire: last_status FAIL, no next execution" "FAIL null" \
    "$(jget "$s" '"\(.last_status) \(.next_execution_time)"')"
s=$("$SKEDCTL" show every-two-seconds --json)
check "the cron task shows SUCCESS and a next execution" "SUCCESS true" \
    "$(jget "$s" '"\(.last_status) \(.next_execution_time != null)"')"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
