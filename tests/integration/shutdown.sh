#!/bin/sh
# SIGTERM: nothing new starts, running subtasks get shutdown_timeout to
# finish, then they are stopped (SIGTERM, SIGKILL after kill_grace) and
# recorded as failed with the reason; skedd exits 0 either way.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$TASKS/s.yaml" <<'EOF2'
- task_name: short
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "sleep 1; echo finished" }
- task_name: stubborn
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "echo begun; trap '' TERM; sleep 30" }
EOF2
# shutdown_timeout 3 and kill_grace 1 (lib.sh)
write_config
start_skedd
tap_ok $? "skedd starts"

# A subtask that ends within shutdown_timeout finishes normally.
id=$(jget "$("$SKEDCTL" run short --json)" .id)
t0=$(date +%s)
stop_skedd TERM
t1=$(date +%s)
check "SIGTERM with a short subtask running: exit 0" 0 "$skedd_rc"
check "it waited for the subtask, not for shutdown_timeout" yes \
    "$([ $((t1 - t0)) -lt 3 ] && echo yes)"
start_skedd
ex=$("$SKEDCTL" history short "$id" --json)
check "the running subtask finished: SUCCESS" "SUCCESS SUCCESS" \
    "$(jget "$ex" '"\(.status) \(.subtasks[0].status)"')"
check "with its output" "finished" \
    "$(jget "$ex" '.subtasks[0].output_tail | rtrimstr("\n")')"

# One that ignores SIGTERM is killed after shutdown_timeout + kill_grace.
id=$(jget "$("$SKEDCTL" run stubborn --json)" .id)
sleep 0.5
t0=$(date +%s)
stop_skedd TERM
t1=$(date +%s)
check "SIGTERM with a stubborn subtask: exit 0" 0 "$skedd_rc"
check "it waited shutdown_timeout, then killed (3 to 8 s)" yes \
    "$([ $((t1 - t0)) -ge 3 ] && [ $((t1 - t0)) -lt 8 ] && echo yes)"
start_skedd
ex=$("$SKEDCTL" history stubborn "$id" --json)
check "recorded as failed" "FAIL FAIL" \
    "$(jget "$ex" '"\(.status) \(.subtasks[0].status)"')"
case $(jget "$ex" .subtasks[0].reason) in
*shut*) tap_ok 0 "the reason names the shutdown" ;;
*) tap_ok 1 "the reason names the shutdown"
   echo "# $(jget "$ex" .subtasks[0].reason)" ;;
esac
check "its output before the kill is kept" "begun" \
    "$(jget "$ex" '.subtasks[0].output_tail | rtrimstr("\n")')"
stop_skedd TERM
check "stopped again, exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
