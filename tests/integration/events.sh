#!/bin/sh
# LIFE_CYCLE events (seed 002): POST /v1/{project_id}/events runs every
# enabled LIFE_CYCLE task listening for that type on that target, on that
# target alone, after its wait_time, lower priority first; the answer
# carries the executions' ids.  Bad bodies are 400 and schedule nothing;
# runs still waiting at shutdown are recorded as SKIP.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/events.yaml" <<EOF2
tasks:
  - task_name: second
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_CREATE_DESKTOP_SUCCESS
    priority: 5
    wait_time: 2
    target_infos:
      - target_type: DESKTOP
        target_id: [d1, d2]
    input_param:
      command: echo "second \$SKED_TARGET_ID" >>"$TMPD/order"
  - task_name: first
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_CREATE_DESKTOP_SUCCESS
    priority: 1
    wait_time: 2
    target_infos:
      - target_type: DESKTOP
        target_id: [d3, d1]
    input_param:
      command: echo "first \$SKED_TARGET_ID" >>"$TMPD/order"
  - task_name: d2-only
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_CREATE_DESKTOP_SUCCESS
    target_infos:
      - target_type: DESKTOP
        target_id: [d2]
    input_param:
      command: "true"
  - task_name: other-type
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_REBUILD_DESKTOP_SUCCESS
    target_infos:
      - target_type: DESKTOP
        target_id: [d1]
    input_param:
      command: "true"
  - task_name: disabled
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_CREATE_DESKTOP_SUCCESS
    is_enable: false
    target_infos:
      - target_type: DESKTOP
        target_id: [d1]
    input_param:
      command: "true"
  - task_name: elsewhere
    project_id: other
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_CREATE_DESKTOP_SUCCESS
    target_infos:
      - target_type: DESKTOP
        target_id: [d1]
    input_param:
      command: "true"
  - task_name: slow
    task_type: EXECUTE_SCRIPT
    scheduled_type: LIFE_CYCLE
    life_cycle_type: POST_DESKTOP_DISCONNECTED
    wait_time: 600
    target_infos:
      - target_type: DESKTOP
        target_id: [d1]
    input_param:
      command: "true"
EOF2
# one slot: runs start one at a time, so the order file is the start order
write_config "max_concurrency: 1"
start_skedd
tap_ok $? "skedd starts"

url=/v1/default/events
# LIFE_CYCLE tasks are listed only when asked for, so by id here
id_of() {	# NAME [PROJECT]
	api GET "/v2/${2:-default}/scheduled-tasks?scheduled_type=LIFE_CYCLE" |
	    sed 's/^[0-9]* //' |
	    jq -r ".scheduled_tasks[] | select(.task_name == \"$1\") | .id"
}
hist() {	# NAME [PROJECT]: the history, JSON
	api GET "/v1/${2:-default}/schedule-task/$(id_of "$@")/execute-history" |
	    sed 's/^[0-9]* //'
}
done_count() {
	hist "$@" | jq '[.items[] | select(.status != "RUNNING")] | length'
}
bad() {	# NAME MESSAGE-PART BODY
	out=$(api POST "$url" "$3")
	case "$out" in
	"400 "*"$2"*) tap_ok 0 "$1" ;;
	*) tap_ok 1 "$1"; echo "# got: $out" ;;
	esac
}
bad "no body: 400" "body:" ""
bad "not JSON: 400" "body: not JSON" "{"
bad "not an object: 400" "body: not a JSON object" '["x"]'
bad "unknown field: 400 naming it" "wait: unknown field" \
    '{"life_cycle_type":"POST_CREATE_DESKTOP_SUCCESS","target_type":"DESKTOP","target_id":"d1","wait":1}'
bad "target_id missing: 400" "target_id: required" \
    '{"life_cycle_type":"POST_CREATE_DESKTOP_SUCCESS","target_type":"DESKTOP"}'
bad "target_id not a string: 400" "target_id: not a non-empty string" \
    '{"life_cycle_type":"POST_CREATE_DESKTOP_SUCCESS","target_type":"DESKTOP","target_id":["d1"]}'
bad "life_cycle_type empty: 400" "life_cycle_type: not a non-empty string" \
    '{"life_cycle_type":"","target_type":"DESKTOP","target_id":"d1"}'
out=$(api GET "$url")
check "GET: 405" 405 "${out%% *}"

out=$(api POST "$url" '{"life_cycle_type":"NOTHING_LISTENS","target_type":"DESKTOP","target_id":"d1"}')
check "an event nothing listens to: 202, no ids" '202 0' \
    "${out%% *} $(jget "${out#* }" '.execution_ids | length')"

out=$(api POST "$url" '{"life_cycle_type":"POST_CREATE_DESKTOP_SUCCESS","target_type":"DESKTOP","target_id":"d1"}')
check "the event: 202 with two ids" "202 2" \
    "${out%% *} $(jget "${out#* }" '.execution_ids | length')"
ids=$(jget "${out#* }" '.execution_ids | join(" ")')
check "nothing is written before wait_time" 0 "$(done_count first)"
wait_for 10 sh -c "[ \$(wc -l <\"$TMPD/order\" 2>/dev/null || echo 0) -ge 2 ]"
tap_ok $? "both runs happened"
check "lower priority first, on the event's target alone" "first d1|second d1" \
    "$(paste -sd'|' "$TMPD/order")"
wait_for 5 sh -c "[ \$(wc -l <\"$TMPD/order\") -ge 2 ]"
sleep 0.5
h1=$(hist first)
h2=$(hist second)
check "the executions have the ids the event answered" "$ids" \
    "$(jget "$h1" '.items[0].id') $(jget "$h2" '.items[0].id')"
check "one subtask each: the event's target" "1 SUCCESS LIFE_CYCLE|1 SUCCESS LIFE_CYCLE" \
    "$(jget "$h1" '.items[0] | "\(.total_count) \(.status) \(.scheduled_type)"')|$(jget "$h2" '.items[0] | "\(.total_count) \(.status) \(.scheduled_type)"')"
ex=$(api GET "/v1/default/schedule-task/$(id_of second)/execute-history/$(jget "$h2" '.items[0].id')" | sed 's/^[0-9]* //')
check "second ran on d1 only" "DESKTOP d1" \
    "$(jget "$ex" '[.subtasks[] | "\(.target_type) \(.target_id)"] | join(",")')"
for t in d2-only other-type; do
	check "$t did not run" 0 "$(done_count "$t")"
done
check "the disabled task did not run" 0 "$(done_count disabled)"
check "the task of another project did not run" 0 "$(done_count elsewhere other)"

out=$(api POST "$url" '{"life_cycle_type":"POST_DESKTOP_DISCONNECTED","target_type":"DESKTOP","target_id":"d1"}')
slow_id=$(jget "${out#* }" '.execution_ids[0]')
check "a run 600 s ahead is accepted" 202 "${out%% *}"
stop_skedd TERM
check "SIGTERM with a run waiting: exit 0" 0 "$skedd_rc"
start_skedd
h=$(hist slow)
check "the waiting run is recorded as SKIP with its id and the reason" \
    "$slow_id SKIP skedd shut down before the event run's wait_time was over" \
    "$(jget "$h" '.items[0] | "\(.id) \(.status) \(.reason)"')"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
