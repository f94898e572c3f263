#!/bin/sh
# The hook plugin over several targets: per-target results; a busy target
# (exit 75) is skipped, and forced with enforcement_enable.
. "$TOP_SRCDIR/tests/integration/lib.sh"

cat >"$HOOKS/SVC" <<EOF2
#!/bin/sh
echo "\$1 \$2 task=\$SKED_TASK_NAME force=\${SKED_FORCE:-0}" >>"$TMPD/hook.log"
case \$2 in
bad) echo "cannot \$1 \$2" >&2; exit 4 ;;
busy) [ "\$SKED_FORCE" = 1 ] || exit 75 ;;
esac
echo "did \$1 on \$2"
EOF2
chmod +x "$HOOKS/SVC"
cat >"$TASKS/hooks.yaml" <<'EOF2'
tasks:
  - task_name: restart-three
    task_type: REBOOT
    scheduled_type: CRON
    task_cron: "0 0 3 * * ?"
    target_infos:
      - target_type: SVC
        target_id: [ web, bad ]
      - target_type: SVC
        target_id: [ db ]
  - task_name: stop-busy
    task_type: STOP
    scheduled_type: CRON
    task_cron: "0 0 4 * * ?"
    target_infos:
      - target_type: SVC
        target_id: [ busy ]
  - task_name: stop-busy-forced
    task_type: STOP
    scheduled_type: CRON
    task_cron: "0 0 4 * * ?"
    schedule_task_policy:
      enforcement_enable: true
    target_infos:
      - target_type: SVC
        target_id: [ busy ]
  - task_name: no-hook
    task_type: START
    scheduled_type: CRON
    task_cron: "0 0 4 * * ?"
    target_infos:
      - target_type: NOSUCH
        target_id: [ x ]
EOF2
write_config
start_skedd
tap_ok $? "skedd starts"

run=$("$SKEDCTL" run restart-three --json)
check "run now answers the new execution, RUNNING" "RUNNING 3" \
    "$(jget "$run" '"\(.status) \(.total_count)"')"
wait_for 10 has_history restart-three 1
tap_ok $? "the execution over three targets ended"
id=$(jget "$run" .id)
ex=$("$SKEDCTL" history restart-three "$id" --json)
check "counts over three targets" "FAIL 3 2 1 0" \
    "$(jget "$ex" '"\(.status) \(.total_count) \(.success_count) \(.failed_count) \(.excuting_count)"')"
check "per-target results" "SVC web SUCCESS 0|SVC bad FAIL 4|SVC db SUCCESS 0" \
    "$(jget "$ex" '[.subtasks[] | "\(.target_type) \(.target_id) \(.status) \(.exit_code)"] | join("|")')"
check "the failed target's output tail" "cannot REBOOT bad" \
    "$(jget "$ex" '.subtasks[1].output_tail | rtrimstr("\n")')"
check "the hook saw action, target and task name" "yes" \
    "$(grep -q '^REBOOT web task=restart-three force=0$' "$TMPD/hook.log" && echo yes)"

run=$("$SKEDCTL" run stop-busy --json)
wait_for 10 has_history stop-busy 1
ex=$("$SKEDCTL" history stop-busy "$(jget "$run" .id)" --json)
check "busy target: the execution is SKIP" "SKIP 1 0 0 1" \
    "$(jget "$ex" '"\(.status) \(.total_count) \(.success_count) \(.failed_count) \(.skipped_count)"')"
check "busy target: the subtask says why" "SKIP 75" \
    "$(jget "$ex" '.subtasks[0] | "\(.status) \(.exit_code)"')"

run=$("$SKEDCTL" run stop-busy-forced --json)
wait_for 10 has_history stop-busy-forced 1
ex=$("$SKEDCTL" history stop-busy-forced "$(jget "$run" .id)" --json)
check "enforcement_enable: forced, SUCCESS" "SUCCESS 1" \
    "$(jget "$ex" '"\(.status) \(.success_count)"')"
check "the forced run had SKED_FORCE=1" "yes" \
    "$(grep -q '^STOP busy task=stop-busy-forced force=1$' "$TMPD/hook.log" && echo yes)"

run=$("$SKEDCTL" run no-hook --json)
wait_for 10 has_history no-hook 1
ex=$("$SKEDCTL" history no-hook "$(jget "$run" .id)" --json)
case $(jget "$ex" .subtasks[0].reason) in
*"$HOOKS/NOSUCH"*) tap_ok 0 "a missing hook fails naming the path" ;;
*) tap_ok 1 "a missing hook fails naming the path"
   echo "# $(jget "$ex" .subtasks[0].reason)" ;;
esac

stop_skedd TERM
check "SIGTERM: exit 0" 0 "$skedd_rc"
show_log_on_failure
finish
