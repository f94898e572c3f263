#!/bin/sh
# Planned records (seed 001): list a target's upcoming runs; cancel one
# (its subtask is SKIPped at the fire), move one (SKIPped at the fire, run
# on that target alone at execute_at); every 4xx changes nothing; records
# survive a restart and take effect after it.
. "$TOP_SRCDIR/tests/integration/lib.sh"

now=$(date +%s)
t=$(( now + 8 ))
at=$(date -u -d "@$t" '+%Y-%m-%d %H:%M:%S')
# a daily run two hours ahead, in a zone other than the daemon's
dt=$(TZ=Asia/Shanghai date -d "@$(( now + 7200 ))" '+%H:%M:%S')
lt=$(( now + 30 ))
later=$(date -u -d "@$lt" '+%Y-%m-%d %H:%M:%S')
cat >"$TASKS/planned.yaml" <<EOF2
tasks:
  - task_name: soon
    task_type: EXECUTE_SCRIPT
    scheduled_type: FIXED_TIME
    scheduled_date: "${at% *}"
    scheduled_time: "${at#* }"
    target_infos:
      - target_type: HOST
        target_id: [vm1, vm2, vm3]
    input_param:
      command: echo "fire \$SKED_TARGET_ID" >>"$TMPD/ran"
  - task_name: daily
    task_type: EXECUTE_SCRIPT
    scheduled_type: DAY
    scheduled_time: "$dt"
    time_zone: Asia/Shanghai
    target_infos:
      - target_type: HOST
        target_id: [vm1, vm2]
    input_param:
      command: echo "daily \$SKED_TARGET_ID" >>"$TMPD/ran"
  - task_name: later
    task_type: EXECUTE_SCRIPT
    scheduled_type: FIXED_TIME
    scheduled_date: "${later% *}"
    scheduled_time: "${later#* }"
    target_infos:
      - target_type: HOST
        target_id: [vm1, vm2]
    input_param:
      command: echo "later \$SKED_TARGET_ID" >>"$TMPD/ran"
  - task_name: off
    task_type: EXECUTE_SCRIPT
    scheduled_type: DAY
    scheduled_time: "$dt"
    is_enable: false
    target_infos:
      - target_type: HOST
        target_id: [vm1]
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
soon=$(id_of soon)
daily=$(id_of daily)
laterid=$(id_of later)
off=$(id_of off)
base=/v2/default/instances

out=$(api GET "$base/vm1/scheduled-tasks")
check "list: 200, three records for vm1 (the disabled task has none)" \
    "200 3" "${out%% *} $(jget "${out#* }" .count)"
check "list: the record of soon" \
    "soon vm1 HOST $at null WAITING UTC" \
    "$(jget "${out#* }" ".planned_records[] | select(.task_id == \"$soon\") |
    \"\(.task_name) \(.instance_id) \(.target_type) \(.planned_time) \(.execute_time) \(.status) \(.time_zone)\"")"
check "list: planned_time of daily in its zone" \
    "$(TZ=Asia/Shanghai date -d "@$(( now + 7200 ))" '+%Y-%m-%d %H:%M:%S') Asia/Shanghai" \
    "$(jget "${out#* }" ".planned_records[] | select(.task_id == \"$daily\") |
    \"\(.planned_time) \(.time_zone)\"")"
check "list: exactly the documented keys" \
    "execute_time instance_id planned_time status target_type task_id task_name time_zone" \
    "$(jget "${out#* }" '.planned_records[0] | keys | join(" ")')"
out=$(api GET "$base/nothing/scheduled-tasks")
check "list: an instance of no task has no records" "200 0" \
    "${out%% *} $(jget "${out#* }" .count)"

before2=$(api GET "$base/vm2/scheduled-tasks")
before3=$(api GET "$base/vm3/scheduled-tasks")
future=$(date -u -d "@$(( now + 600 ))" '+%Y%m%d%H%M%S')
bad() {	# NAME STATUS MESSAGE-PART PATH
	out=$(api PUT "$4")
	case "$out" in
	"$2 "*"$3"*) tap_ok 0 "$1" ;;
	*) tap_ok 1 "$1"; echo "# got: $out" ;;
	esac
}
bad "both parameters: 400" 400 "execute_at, status" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=$future&status=CANCELLED"
bad "neither parameter: 400" 400 "execute_at, status" \
    "$base/vm2/scheduled-tasks/$soon"
bad "status other than CANCELLED: 400" 400 "status: 'WAITING'" \
    "$base/vm2/scheduled-tasks/$soon?status=WAITING"
bad "execute_at not 14 digits: 400" 400 "execute_at: '2030'" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=2030"
bad "execute_at with letters: 400" 400 "execute_at: 'x0300101000000'" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=x0300101000000"
bad "execute_at month 13: 400" 400 "month 13" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=20301301000000"
bad "execute_at 30 February: 400" 400 "day 30 does not exist" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=20300230000000"
bad "execute_at hour 24: 400" 400 "hour 24" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=20300101240000"
bad "execute_at in the past: 400" 400 "execute_at: '20200101000000' is in the past" \
    "$base/vm2/scheduled-tasks/$soon?execute_at=20200101000000"
bad "unknown query parameter: 400" 400 "when: unknown query parameter" \
    "$base/vm2/scheduled-tasks/$soon?when=now"
bad "an instance that is not a target: 404 naming it" 404 "instance_id: 'vm9'" \
    "$base/vm9/scheduled-tasks/$soon?status=CANCELLED"
bad "a task of another project: 404" 404 "task_id: no task '$soon' in project other" \
    "/v2/other/instances/vm2/scheduled-tasks/$soon?status=CANCELLED"
bad "an unknown task: 404" 404 "task_id: no task 'nope'" \
    "$base/vm2/scheduled-tasks/nope?status=CANCELLED"
bad "a disabled task has no next run: 409" 409 "no upcoming execution" \
    "$base/vm1/scheduled-tasks/$off?status=CANCELLED"
check "rejected requests changed nothing (vm2)" "$before2" \
    "$(api GET "$base/vm2/scheduled-tasks")"
check "rejected requests changed nothing (vm3)" "$before3" \
    "$(api GET "$base/vm3/scheduled-tasks")"
check "rejected requests stored nothing" 0 \
    "$(db_query 'SELECT count(*) FROM planned')"

check "cancel vm2: 204, no body" "204 " \
    "$(api PUT "$base/vm2/scheduled-tasks/$soon?status=CANCELLED")"
mv=$(( t + 3 ))
check "move vm3 three seconds later: 204" "204 " \
    "$(api PUT "$base/vm3/scheduled-tasks/$soon?execute_at=$(date -u -d "@$mv" '+%Y%m%d%H%M%S')")"
out=$(api GET "$base/vm2/scheduled-tasks")
check "list: vm2 is CANCELLED" "CANCELLED null" \
    "$(jget "${out#* }" ".planned_records[] | select(.task_id == \"$soon\") | \"\(.status) \(.execute_time)\"")"
out=$(api GET "$base/vm3/scheduled-tasks")
check "list: vm3 shows its execute_time" \
    "WAITING $(date -u -d "@$mv" '+%Y-%m-%d %H:%M:%S')" \
    "$(jget "${out#* }" ".planned_records[] | select(.task_id == \"$soon\") | \"\(.status) \(.execute_time)\"")"

wait_for 20 has_history soon 2
tap_ok $? "the fire and the moved run are recorded"
h=$("$SKEDCTL" history soon --json)
first=$(jget "$h" '.items[-1].id')
second=$(jget "$h" '.items[0].id')
check "the fire: SUCCESS, vm1 ran, two skipped" "SUCCESS 3 1 0 2" \
    "$(jget "$h" '.items[-1] | "\(.status) \(.total_count) \(.success_count) \(.failed_count) \(.skipped_count)"')"
ex=$("$SKEDCTL" history soon "$first" --json)
check "the fire: vm2 SKIP (cancelled), vm3 SKIP (moved)" \
    "vm1 SUCCESS null|vm2 SKIP planned record cancelled|vm3 SKIP planned record moved to $(date -u -d "@$mv" '+%Y-%m-%d %H:%M:%S')" \
    "$(jget "$ex" '[.subtasks[] | "\(.target_id) \(.status) \(.reason)"] | join("|")')"
ex=$("$SKEDCTL" history soon "$second" --json)
check "the moved run: vm3 alone, SUCCESS" "SUCCESS 1 vm3 HOST" \
    "$(jget "$ex" '"\(.status) \(.total_count) \(.subtasks[0].target_id) \(.subtasks[0].target_type)"')"
check "vm1 and vm3 ran once each, vm2 never" "fire vm1,fire vm3" \
    "$(sort "$TMPD/ran" | paste -sd,)"
check "records of past runs are cleaned up" 0 \
    "$(db_query "SELECT count(*) FROM planned WHERE task_id = '$soon'")"

# restart: a cancelled and a moved (earlier) record of the daily task
mv=$(( $(date +%s) + 6 ))
check "cancel daily on vm1: 204" "204 " \
    "$(api PUT "$base/vm1/scheduled-tasks/$daily?status=CANCELLED")"
check "move daily on vm2 earlier, in its zone: 204" "204 " \
    "$(api PUT "$base/vm2/scheduled-tasks/$daily?execute_at=$(TZ=Asia/Shanghai date -d "@$mv" '+%Y%m%d%H%M%S')")"
check "cancel later on vm1: 204" "204 " \
    "$(api PUT "$base/vm1/scheduled-tasks/$laterid?status=CANCELLED")"
stop_skedd TERM
start_skedd
tap_ok $? "skedd restarts"
out=$(api GET "$base/vm1/scheduled-tasks")
check "after restart: daily on vm1 is still CANCELLED" "CANCELLED" \
    "$(jget "${out#* }" ".planned_records[] | select(.task_id == \"$daily\") | .status")"
out=$(api GET "$base/vm2/scheduled-tasks")
check "after restart: daily on vm2 is still moved" \
    "$(TZ=Asia/Shanghai date -d "@$mv" '+%Y-%m-%d %H:%M:%S')" \
    "$(jget "${out#* }" ".planned_records[] | select(.task_id == \"$daily\") | .execute_time")"
wait_for 15 has_history daily 1
tap_ok $? "the moved run happens after the restart"
h=$("$SKEDCTL" history daily --json)
ex=$("$SKEDCTL" history daily "$(jget "$h" '.items[0].id')" --json)
check "the moved run: vm2 alone" "SUCCESS vm2" \
    "$(jget "$ex" '"\(.status) \([.subtasks[].target_id] | join(","))"')"
check "daily ran once, on vm2" "1" "$(grep -c '^daily vm2$' "$TMPD/ran")"
wait_for 30 has_history later 1
tap_ok $? "later fires after the restart"
h=$("$SKEDCTL" history later --json)
ex=$("$SKEDCTL" history later "$(jget "$h" '.items[0].id')" --json)
check "the cancel stored before the restart takes effect" \
    "SUCCESS|vm1 SKIP planned record cancelled|vm2 SUCCESS null" \
    "$(jget "$ex" '.status')|$(jget "$ex" '[.subtasks[] | "\(.target_id) \(.status) \(.reason)"] | join("|")')"
check "later ran on vm2 only" "later vm2" "$(grep '^later' "$TMPD/ran")"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
