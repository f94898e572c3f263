#!/bin/sh
# A script past its timeout is stopped (SIGTERM, then SIGKILL) and recorded
# as failed; overlap policy SKIP records the fire that came meanwhile.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/slow.yaml" <<'EOF2'
tasks:
  - task_name: too-slow
    task_type: EXECUTE_SCRIPT
    scheduled_type: CRON
    task_cron: "0 0 3 * * ?"
    input_param:
      command: "echo started; trap '' TERM; sleep 30"
      timeout: 1
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"

t0=$(date +%s)
run=$("$SKEDCTL" run too-slow --json)
id=$(jget "$run" .id)
second=$("$SKEDCTL" run too-slow --json)
check "a second run while one runs is recorded as SKIP" "SKIP" \
    "$(jget "$second" .status)"
case $(jget "$second" .reason) in
*overlap_policy*) tap_ok 0 "the SKIP names the overlap policy" ;;
*) tap_ok 1 "the SKIP names the overlap policy" ;;
esac
wait_for 15 has_history too-slow 2
tap_ok $? "the slow execution ended"
t1=$(date +%s)
check "killed within timeout + grace (< 6 s)" yes \
    "$([ $((t1 - t0)) -lt 6 ] && echo yes)"
ex=$("$SKEDCTL" history too-slow "$id" --json)
check "recorded as failed, timed out" "FAIL FAIL" \
    "$(jget "$ex" '"\(.status) \(.subtasks[0].status)"')"
case $(jget "$ex" .subtasks[0].reason) in
*"timed out"*) tap_ok 0 "the reason says it timed out" ;;
*) tap_ok 1 "the reason says it timed out"
   echo "# $(jget "$ex" .subtasks[0].reason)" ;;
esac
check "output before the kill is kept" "started" \
    "$(jget "$ex" '.subtasks[0].output_tail | rtrimstr("\n")')"

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
