#!/bin/sh
# Approval (seed 004): an enable_approve task's fires are SKIPped
# ("awaiting approval", then "approval rejected") until an admin POSTs
# PASSED; the decision survives a restart; every 4xx changes nothing.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/approve.yaml" <<EOF2
tasks:
  - task_name: gated
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "*/2 * * * * ?"
    enable_approve: true
    input_param:
      command: echo gated >>"$TMPD/ran"
  - task_name: plain
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 0 1 1 ? 2099"
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
gated=$(id_of gated)
plain=$(id_of plain)
stored() {
	db_query "SELECT coalesce(approve_status, 'NULL') || ' ' ||
	    coalesce(approve_comments, 'NULL') FROM tasks WHERE id = '$1'"
}
newest() {	# TASK: "status reason" of the newest finished execution
	"$SKEDCTL" history "$1" --json |
	    jq -r '[.items[] | select(.status != "RUNNING")][0] | "\(.status) \(.reason)"'
}

wait_for 10 has_history gated 1
tap_ok $? "a pending task's fire is recorded"
check "pending: SKIP, awaiting approval" "SKIP awaiting approval" \
    "$(newest gated)"
ex=$("$SKEDCTL" history gated "$("$SKEDCTL" history gated --json | jq -r '.items[0].id')" --json)
check "pending: the subtask says why" "SKIP awaiting approval" \
    "$(jget "$ex" '.subtasks[0] | "\(.status) \(.reason)"')"
check "pending: nothing ran" no "$([ -e "$TMPD/ran" ] && echo yes || echo no)"
out=$(api POST "/v1/default/schedule-task/$gated/execute")
check "run now of a pending task is recorded as SKIP" "200 SKIP awaiting approval" \
    "${out%% *} $(jget "${out#* }" '"\(.status) \(.reason)"')"

url=/v1/schedule/task/$gated/approve
bad() {	# NAME STATUS MESSAGE-PART BODY [URL]
	out=$(api POST "${5:-$url}" "$4")
	case "$out" in
	"$2 "*"$3"*) tap_ok 0 "$1" ;;
	*) tap_ok 1 "$1"; echo "# got: $out" ;;
	esac
}
bad "no body: 400" 400 "body:" ""
bad "not JSON: 400" 400 "body: not JSON" "{nope"
bad "not an object: 400" 400 "body: not a JSON object" '["PASSED"]'
bad "unknown field: 400 naming it" 400 "approver: unknown field" \
    '{"approve_status":"PASSED","approver":"me"}'
bad "approve_status missing: 400" 400 "approve_status: required" \
    '{"approve_comments":"ok"}'
bad "approve_status PENDING: 400" 400 "approve_status: 'PENDING' is not" \
    '{"approve_status":"PENDING"}'
bad "approve_status not a string: 400" 400 "approve_status: not a string" \
    '{"approve_status":1}'
bad "approve_comments not a string: 400" 400 "approve_comments: not a string" \
    '{"approve_status":"PASSED","approve_comments":5}'
bad "unknown task: 404" 404 "task_id: no task 'nope'" \
    '{"approve_status":"PASSED"}' /v1/schedule/task/nope/approve
bad "a task without enable_approve: 409" 409 "does not have enable_approve" \
    '{"approve_status":"PASSED"}' "/v1/schedule/task/$plain/approve"
out=$(api GET "$url"); check "GET is not allowed: 405" 405 "${out%% *}"
check "rejected requests stored nothing" "NULL NULL" "$(stored "$gated")"
check "rejected requests stored nothing (plain)" "NULL NULL" "$(stored "$plain")"

out=$(api POST "$url" '{"approve_status":"REJECTED","approve_comments":"not this week"}')
check "REJECTED: 200 with the task" "200 $gated" \
    "${out%% *} $(jget "${out#* }" .id)"
check "REJECTED is stored with its comment" "REJECTED not this week" \
    "$(stored "$gated")"
sleep 2.5
wait_for 5 sh -c "\"$SKEDCTL\" history gated --json | jq -e '.items[0].reason == \"approval rejected\"'"
tap_ok $? "rejected: the next fire is SKIP, approval rejected"
check "rejected: nothing ran" no "$([ -e "$TMPD/ran" ] && echo yes || echo no)"

out=$(api POST "$url" '{"approve_status":"PASSED"}')
check "PASSED: 200" 200 "${out%% *}"
check "PASSED is stored, the old comment gone" "PASSED NULL" "$(stored "$gated")"
wait_for 6 test -s "$TMPD/ran"
tap_ok $? "passed: the task runs"
wait_for 5 sh -c "\"$SKEDCTL\" history gated --json | jq -e '[.items[] | select(.status == \"SUCCESS\")] | length > 0'"
tap_ok $? "passed: its execution is SUCCESS"

stop_skedd TERM
: >"$TMPD/ran.before"
cp "$TMPD/ran" "$TMPD/ran.before"
start_skedd
tap_ok $? "skedd restarts"
wait_for 6 sh -c "[ \$(wc -l <\"$TMPD/ran\") -gt \$(wc -l <\"$TMPD/ran.before\") ]"
tap_ok $? "after restart: still approved, it runs"

# a changed task file keeps the decision; turning approval off forgets it
sed -i 's/enable_approve: true/enable_approve: false/' "$TASKS/approve.yaml"
"$SKEDCTL" reload >/dev/null
bad "after enable_approve is turned off: 409" 409 "does not have enable_approve" \
    '{"approve_status":"PASSED"}'
check "turning enable_approve off forgets the decision" "NULL NULL" \
    "$(stored "$gated")"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
