#!/bin/sh
# The list route serves items from a cache of their text: every change of
# a listed field shows at the next request (a fire, a new last_status, a
# PATCH, disabling, a reload that changes the default zone), and a page is
# the same JSON as the tasks shown one by one.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/l.yaml" <<'EOF2'
- task_name: ticking
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "*/2 * * * * ?"
  input_param: { command: "true" }
- task_name: zoneless
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "true" }
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"

item() {	# item NAME FILTER: one field of a task's list item
	api GET /v2/default/scheduled-tasks | cut -d' ' -f2- |
	    jq -r ".scheduled_tasks[] | select(.task_name == \"$1\") | $2"
}

# read after a fire, compared after the next one: a fire between the
# start and the first read cannot make the two the same
wait_for 10 has_history ticking 1
first=$(item ticking .next_execution_time)
n=$(history_done ticking)
wait_for 10 has_history ticking $((n + 1))
tap_ok $? "ticking fired"
sleep 0.3
check "after a fire: last_status SUCCESS" SUCCESS "$(item ticking .last_status)"
later=$(item ticking .next_execution_time)
[ "$later" \> "$first" ]
tap_ok $? "after a fire: next_execution_time moved on ($first -> $later)"

out=$(api POST /v1/default/schedule-task '{"task_name":"made","task_type":"EXECUTE_SCRIPT","scheduled_type":"CRON","task_cron":"0 0 4 * * ?","time_zone":"Asia/Tokyo","input_param":{"command":"true"}}')
id=$(jget "$(echo "$out" | cut -d' ' -f2-)" .id)
check "a created task is listed" "made Asia/Tokyo" \
    "$(item made '"\(.task_name) \(.time_zone)"')"
api PATCH "/v1/default/schedule-task/$id" '{"description":"changed","task_cron":"0 30 5 * * ?"}' >/dev/null
check "after PATCH: description and cron" "changed 0 30 5 * * ?" \
    "$(item made '"\(.description) \(.task_cron)"')"
api PATCH "/v1/default/schedule-task/$id" '{"is_enable":false}' >/dev/null
check "after disabling: enable false, no next" "false null" \
    "$(item made '"\(.enable) \(.next_execution_time)"')"

page=$(api GET /v2/default/scheduled-tasks | cut -d' ' -f2- |
    jq -c '.scheduled_tasks[] | select(.task_name == "made")')
one=$(api GET "/v1/default/schedule-task/$id" | cut -d' ' -f2- |
    jq -c '{id, task_name, task_type, scheduled_type, life_cycle_type,
    last_status, next_execution_time, enable: .is_enable, description,
    priority, time_zone, wait_time, task_cron, project_id}')
check "a list item agrees with show" "$one" "$page"

st=$(api GET /v1/daemon/status | cut -d' ' -f2-)
check "status: loaded; none came from the (new) database" "false 0" \
    "$(jget "$st" '"\(.loading) \(.tasks_loaded)"')"
check "status: the definition cache is counted" "true" \
    "$(jget "$st" '.definitions_cached >= 1 and .definitions_read >= 0')"
check "zoneless shows the default zone" UTC "$(item zoneless .time_zone)"
sed -i 's/^time_zone: UTC$/time_zone: Europe\/Paris/' "$CONF"
api POST /v1/daemon/reload >/dev/null
check "after a reload: the new default zone" Europe/Paris \
    "$(item zoneless .time_zone)"
check "and the next fire in it" "03:00:00" \
    "$(item zoneless .next_execution_time | cut -d' ' -f2)"
api DELETE "/v1/default/schedule-task/$id" >/dev/null
check "a deleted task is not listed" "" "$(item made .task_name)"
stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
