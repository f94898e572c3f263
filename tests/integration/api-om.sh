#!/bin/sh
# The O&M shape of seed 004: create and show round trip, ONCE / PERIODIC /
# CRON both ways, scheduled_close_time, approval, projects, rejections.
. "$TOP_SRCDIR/tests/integration/lib.sh"

write_config
start_skedd
tap_ok $? "skedd starts"
O=/v1/schedule/task

state() {
	for p in default ops; do
		api GET "/v2/$p/scheduled-tasks?limit=50"
	done
}

# ONCE: 2100-01-01T00:00:00Z
out=$(api POST $O '{"name": "once", "task_type": "EXECUTE_SCRIPT",
 "trigger_time": {"policy": "ONCE", "single_scheduled_time": 4102444800000,
 "time_zone": "Asia/Shanghai"},
 "input_param": "{\"command\":\"true\",\"timeout\":\"300\"}",
 "risk_level": "LOW", "enable_approve": false}')
check "create ONCE: 200" 200 "${out%% *}"
c=${out#* }
id=$(jget "$c" .id)
check "create ONCE: O&M shape" \
    "once default ONCE 4102444800000 Asia/Shanghai LOW false null" \
    "$(jget "$c" '[.name, .enterprise_project_id, .trigger_time.policy,
    .trigger_time.single_scheduled_time, .trigger_time.time_zone,
    .risk_level, .enable_approve, .approve_status] | map(tostring) |
    join(" ")')"
check "create ONCE: input_param is a JSON string, as seed 004" \
    '{"command":"true","timeout":"300"}' "$(jget "$c" .input_param)"
check "create ONCE: next fire in the task's zone" "2100-01-01 08:00:00" \
    "$(jget "$c" .next_execution_time)"
out=$(api GET "$O/$id")
check "show: round trip" "200 $c" "$out"
out=$(api GET "/v1/default/schedule-task/$id")
check "the seed view of the same task" "ONCE default" "$(jget "${out#* }" \
    '[.scheduled_type, .project_id] | join(" ")')"

# PERIODIC with a close time, in another project, with approval
out=$(api POST $O '{"name": "weekly", "enterprise_project_id": "ops",
 "task_type": "EXECUTE_SCRIPT", "input_param": {"command": "true"},
 "trigger_time": {"policy": "PERIODIC", "periodic_scheduled_time": "17:30:00",
 "period": "2,4,6", "time_zone": "UTC", "scheduled_close_time": 4102444800000},
 "enable_approve": true}')
check "create PERIODIC: 200" 200 "${out%% *}"
w=${out#* }
wid=$(jget "$w" .id)
check "create PERIODIC: trigger_time" \
    "PERIODIC 17:30:00 2,4,6 4102444800000 ops" "$(jget "$w" \
    '[.trigger_time.policy, .trigger_time.periodic_scheduled_time,
    .trigger_time.period, .trigger_time.scheduled_close_time,
    .enterprise_project_id] | map(tostring) | join(" ")')"
check "create PERIODIC: enable_approve starts PENDING" "true PENDING" \
    "$(jget "$w" '[.enable_approve, .approve_status] | map(tostring) |
    join(" ")')"
dow=$(jget "$w" '.next_execution_time | strptime("%Y-%m-%d %H:%M:%S") |
    mktime | strftime("%a %H:%M:%S")')
case $dow in
"Mon 17:30:00"|"Wed 17:30:00"|"Fri 17:30:00") tap_ok 0 "PERIODIC: next on Mon, Wed or Fri (2,4,6; Sunday = 1)" ;;
*) tap_ok 1 "PERIODIC: next on Mon, Wed or Fri"; echo "# got $dow" ;;
esac
out=$(api GET "/v1/ops/schedule-task/$wid")
check "PERIODIC seen in the seed shape" "PERIODIC 2,4,6 2100-01-01T00:00:00.000Z" \
    "$(jget "${out#* }" '[.scheduled_type, .week_list, .expire_time] |
    join(" ")')"
check "PERIODIC is listed in its project" 1 "$(api GET \
    '/v2/ops/scheduled-tasks?task_name=weekly' | cut -d' ' -f2- |
    jq .total_count)"

check "a project lists only its own tasks" "weekly 1" "$(api GET \
    '/v2/ops/scheduled-tasks' | cut -d' ' -f2- | jq -r \
    '[.scheduled_tasks[0].task_name, .total_count] | map(tostring) |
    join(" ")')"

# PATCH an O&M task: trigger_time merges field by field
out=$(api PATCH "/v1/ops/schedule-task/$wid" \
    '{"trigger_time": {"periodic_scheduled_time": "06:00:00"}}')
check "patch trigger_time: one field changes, the rest stays" \
    "200 PERIODIC 06:00:00 2,4,6 2100-01-01T00:00:00.000Z" "${out%% *} $(jget \
    "${out#* }" '[.scheduled_type, .scheduled_time, .week_list,
    .expire_time] | join(" ")')"
out=$(api GET "$O/$wid")
check "patch trigger_time: the O&M view follows" "06:00:00 2,4,6 PENDING" \
    "$(jget "${out#* }" '[.trigger_time.periodic_scheduled_time,
    .trigger_time.period, .approve_status] | join(" ")')"
out=$(api PATCH "/v1/ops/schedule-task/$wid" \
    '{"scheduled_type": "CRON", "task_cron": "0 0 4 * * ?"}')
check "patch: a seed schedule replaces the O&M one" \
    "200 CRON 0 0 4 * * ? null" "${out%% *} $(jget "${out#* }" \
    '[.scheduled_type, .task_cron, .week_list] | map(tostring) | join(" ")')"
out=$(api PATCH "/v1/ops/schedule-task/$wid" '{"trigger_time": {"policy":
    "PERIODIC", "periodic_scheduled_time": "17:30:00", "period": "2,4,6",
    "scheduled_close_time": 4102444800000}}')
check "patch: and back to PERIODIC" "200 PERIODIC" "${out%% *} $(jget \
    "${out#* }" .scheduled_type)"

# CRON, closed in the past: never fires again
out=$(api POST $O '{"name": "closed", "task_type": "START",
 "target_infos": [{"target_type": "HOST", "target_id": ["h"]}],
 "trigger_time": {"policy": "CRON", "cron": "0 15 10 ? * *",
 "scheduled_close_time": 1000000000000}}')
check "create CRON: 200, closed in the past: no next fire" \
    "200 CRON 0 15 10 ? * * 1000000000000 null" "${out%% *} $(jget \
    "${out#* }" '[.trigger_time.policy, .trigger_time.cron,
    .trigger_time.scheduled_close_time, .next_execution_time] |
    map(tostring) | join(" ")')"

# seed-shape tasks in the O&M view
P=/v1/default/schedule-task
show_om() {
	local out id
	out=$(api POST $P "$1")
	id=$(jget "${out#* }" .id)
	api GET "$O/$id" | cut -d' ' -f2- | jq -c "$2"
}
check "FIXED_TIME shows as ONCE at its instant" \
    '["ONCE",4102444800000,"UTC"]' "$(show_om '{"task_name": "fx",
    "task_type": "START", "scheduled_type": "FIXED_TIME",
    "scheduled_date": "2100-01-01", "scheduled_time": "00:00:00"}' \
    '[.trigger_time.policy, .trigger_time.single_scheduled_time,
    .trigger_time.time_zone]')"
check "FIXED_TIME in a zone: the instant is UTC ms" \
    '["ONCE",4102415999000]' "$(show_om '{"task_name": "fx-ny",
    "task_type": "START", "scheduled_type": "FIXED_TIME",
    "time_zone": "America/New_York",
    "scheduled_date": "2099-12-31", "scheduled_time": "10:59:59"}' \
    '[.trigger_time.policy, .trigger_time.single_scheduled_time]')"
check "WEEK shows as PERIODIC" '["PERIODIC","08:00:00","1,7"]' \
    "$(show_om '{"task_name": "wk", "task_type": "START",
    "scheduled_type": "WEEK", "week_list": "7,1",
    "scheduled_time": "08:00:00"}' '[.trigger_time.policy,
    .trigger_time.periodic_scheduled_time, .trigger_time.period]')"
check "CRON shows as CRON" '["CRON","0 0/5 * * * ?"]' \
    "$(show_om '{"task_name": "cr", "task_type": "START",
    "scheduled_type": "CRON", "task_cron": "0 0/5 * * * ?"}' \
    '[.trigger_time.policy, .trigger_time.cron]')"
check "DAY shows as CRON with its Quartz equivalent" \
    '["CRON","0 30 6 * * ?"]' "$(show_om '{"task_name": "dy",
    "task_type": "START", "scheduled_type": "DAY",
    "scheduled_time": "06:30:00"}' '[.trigger_time.policy,
    .trigger_time.cron]')"
check "expire_time shows as scheduled_close_time" 4102444800000 \
    "$(show_om '{"task_name": "ex", "task_type": "START",
    "scheduled_type": "DAY", "scheduled_time": "06:30:00",
    "expire_time": "2100-01-01T00:00:00Z"}' \
    '.trigger_time.scheduled_close_time')"
check "LIFE_CYCLE has no trigger_time" null "$(show_om '{"task_name": "lc",
    "task_type": "START", "scheduled_type": "LIFE_CYCLE",
    "life_cycle_type": "BOOT"}' .trigger_time)"

# rejections change nothing
rejected() {
	local name=$1 want=$2 sub=$3 before out
	shift 3
	before=$(state)
	out=$(api "$@")
	case "$out" in
	"$want "*"$sub"*) tap_ok 0 "$name: $want" ;;
	*) tap_ok 1 "$name: $want"; printf '# got: %s\n' "$out" ;;
	esac
	check "$name: nothing changed" "$before" "$(state)"
}
tt='"task_type": "START", "name"'
rejected "unknown trigger field" 400 "trigger_time.when: unknown field" \
    POST $O "{$tt: \"a\", \"trigger_time\": {\"policy\": \"ONCE\",
    \"single_scheduled_time\": 4102444800000, \"when\": 1}}"
rejected "bad policy" 400 "trigger_time.policy" POST $O \
    "{$tt: \"a\", \"trigger_time\": {\"policy\": \"SOMETIMES\"}}"
rejected "ONCE without its time" 400 \
    "trigger_time.single_scheduled_time: required" POST $O \
    "{$tt: \"a\", \"trigger_time\": {\"policy\": \"ONCE\"}}"
rejected "ms as a string" 400 "single_scheduled_time" POST $O \
    "{$tt: \"a\", \"trigger_time\": {\"policy\": \"ONCE\",
    \"single_scheduled_time\": \"4102444800000\"}}"
rejected "period out of range" 400 "trigger_time.period" POST $O \
    "{$tt: \"a\", \"trigger_time\": {\"policy\": \"PERIODIC\",
    \"periodic_scheduled_time\": \"10:00:00\", \"period\": \"0,8\"}}"
rejected "invalid cron" 400 "trigger_time.cron" POST $O \
    "{$tt: \"a\", \"trigger_time\": {\"policy\": \"CRON\", \"cron\": \"0 61 * * * ?\"}}"
rejected "unknown zone" 400 "time_zone" POST $O \
    "{$tt: \"a\", \"trigger_time\": {\"policy\": \"CRON\", \"cron\": \"0 1 * * * ?\",
    \"time_zone\": \"Atlantis/City\"}}"
rejected "bad risk level" 400 "risk_level" POST $O \
    "{$tt: \"a\", \"risk_level\": \"EXTREME\", \"trigger_time\": {\"policy\": \"CRON\",
    \"cron\": \"0 1 * * * ?\"}}"
rejected "wrong project type" 400 "enterprise_project_id" POST $O \
    "{$tt: \"a\", \"enterprise_project_id\": 5, \"trigger_time\": {\"policy\": \"CRON\",
    \"cron\": \"0 1 * * * ?\"}}"
rejected "duplicate name" 409 "task_name: 'once'" POST $O \
    "{$tt: \"once\", \"trigger_time\": {\"policy\": \"CRON\", \"cron\": \"0 1 * * * ?\"}}"
rejected "malformed JSON" 400 "malformed JSON" POST $O '{"name": '
rejected "show: no such task" 404 "task_id" GET "$O/nope"
rejected "wrong method" 405 "not allowed" DELETE "$O/$id"

# restart: O&M tasks come back the same
before=$(api GET "$O/$wid")
stop_skedd
check "skedd exits 0 after the writes" 0 "$skedd_rc"
start_skedd
tap_ok $? "skedd restarts"
check "restart: the PERIODIC task shows the same (approval aside)" \
    "$(printf '%s' "${before#* }" | jq -c 'del(.approve_status)')" \
    "$(api GET "$O/$wid" | cut -d' ' -f2- | jq -c 'del(.approve_status)')"

stop_skedd
check "skedd exits 0 (no leak under ASan)" 0 "$skedd_rc"
show_log_on_failure
finish
