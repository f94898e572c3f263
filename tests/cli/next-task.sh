# skedctl next --task: task files in both seed shapes, YAML and JSON.
# Sourced by next.sh (shares its TAP counter and $TMPD).

cat >"$TMPD/week.yaml" <<'YAML'
task_name: weekly-report
task_type: EXECUTE_SCRIPT
scheduled_type: WEEK
week_list: "1,2,7"
scheduled_time: "08:00:00"
time_zone: Asia/Shanghai
input_param:
  command: echo hello
YAML
expect "WEEK task (Sunday = 1), in its zone" 0 "2024-01-06T08:00:00+08:00
2024-01-07T08:00:00+08:00
2024-01-08T08:00:00+08:00" -- \
    "$SKEDCTL" next --task "$TMPD/week.yaml" --from 2024-01-01T12:00:00Z -n 3

cat >"$TMPD/month.json" <<'JSON'
{
  "task_name": "month-end",
  "task_type": "CREATE_SNAPSHOT",
  "scheduled_type": "month",
  "month_list": "1,3,12",
  "date_list": "1,2,28,L",
  "scheduled_time": "06:00:00",
  "time_zone": "UTC",
  "target_infos": [ { "target_type": "SERVER", "target_id": [ "vm-1" ] } ]
}
JSON
expect "MONTH task with L, JSON, lower-case kind" 0 "2024-01-02T06:00:00Z
2024-01-28T06:00:00Z
2024-01-31T06:00:00Z
2024-03-01T06:00:00Z" -- \
    "$SKEDCTL" next --task "$TMPD/month.json" --from 2024-01-01T12:00:00Z -n 4 --utc

cat >"$TMPD/day.yaml" <<'YAML'
task_name: every-third-day
task_type: REBOOT
scheduled_type: DAY
day_interval: 3
scheduled_date: "2024-01-30"
scheduled_time: "09:00:00"
time_zone: UTC
YAML
expect "DAY task every 3 days from scheduled_date" 0 "2024-01-30T09:00:00Z
2024-02-02T09:00:00Z
2024-02-05T09:00:00Z" -- \
    "$SKEDCTL" next --task "$TMPD/day.yaml" --from 2024-01-01T00:00:00Z -n 3 --utc

cat >"$TMPD/fixed.yaml" <<'YAML'
task_name: one-shot
task_type: START
scheduled_type: FIXED_TIME
scheduled_date: "2022-12-23"
scheduled_time: "09:00:00"
time_zone: Asia/Shanghai
YAML
expect "FIXED_TIME task fires once" 0 "2022-12-23T09:00:00+08:00" -- \
    "$SKEDCTL" next --task "$TMPD/fixed.yaml" --from 2022-01-01T00:00:00Z
expect "FIXED_TIME task in the past prints nothing" 0 "" -- \
    "$SKEDCTL" next --task "$TMPD/fixed.yaml" --from 2023-01-01T00:00:00Z

cat >"$TMPD/cron.yaml" <<'YAML'
task_name: cron-expiring
task_type: STOP
scheduled_type: CRON
task_cron: "0 15 10 ? * *"
time_zone: UTC
expire_time: "2024-01-03T10:15:00.000Z"
YAML
expect "CRON task stops at expire_time" 0 "2024-01-01T10:15:00Z
2024-01-02T10:15:00Z
2024-01-03T10:15:00Z" -- \
    "$SKEDCTL" next --task "$TMPD/cron.yaml" --from 2024-01-01T00:00:00Z -n 5 --utc

cat >"$TMPD/once.json" <<'JSON'
{
  "name": "om-once",
  "task_type": "EXECUTE_SCRIPT",
  "trigger_time": {
    "policy": "ONCE",
    "single_scheduled_time": 1746866130000,
    "time_zone": "Asia/Shanghai"
  },
  "input_param": { "command": "true" }
}
JSON
expect "O&M ONCE (ms timestamp), shown in its zone" 0 "2025-05-10T16:35:30+08:00" -- \
    "$SKEDCTL" next --task "$TMPD/once.json" --from 2025-01-01T00:00:00Z -n 3

cat >"$TMPD/periodic.yaml" <<'YAML'
name: om-periodic
task_type: EXECUTE_SCRIPT
trigger_time:
  policy: PERIODIC
  periodic_scheduled_time: "17:30:00"
  period: "1,2,4,5"
  time_zone: UTC
  scheduled_close_time: 1705166999000
input_param:
  command: "true"
YAML
expect "O&M PERIODIC (Sunday = 1) until scheduled_close_time" 0 "2024-01-01T17:30:00Z
2024-01-03T17:30:00Z
2024-01-04T17:30:00Z
2024-01-07T17:30:00Z
2024-01-08T17:30:00Z
2024-01-10T17:30:00Z
2024-01-11T17:30:00Z" -- \
    "$SKEDCTL" next --task "$TMPD/periodic.yaml" --from 2024-01-01T00:00:00Z -n 10 --utc

cat >"$TMPD/two.yaml" <<'YAML'
tasks:
  - task_name: first
    task_type: START
    scheduled_type: CRON
    task_cron: "0 0 8 * * ?"
    time_zone: UTC
  - task_name: second
    task_type: STOP
    scheduled_type: CRON
    task_cron: "0 0 18 * * ?"
    time_zone: UTC
YAML
expect "--name picks one task of several" 0 "2024-01-01T18:00:00Z" -- \
    "$SKEDCTL" next --task "$TMPD/two.yaml" --name second --from @1704067200 -n 1 --utc
expect_err "several tasks need --name" 2 "holds 2 tasks" -- \
    "$SKEDCTL" next --task "$TMPD/two.yaml"
expect_err "--name that matches none" 2 "no task named 'third'" -- \
    "$SKEDCTL" next --task "$TMPD/two.yaml" --name third

cat >"$TMPD/off.yaml" <<'YAML'
task_name: switched-off
task_type: START
scheduled_type: CRON
task_cron: "0 0 8 * * ?"
is_enable: false
YAML
expect "a disabled task never fires" 0 "" -- \
    "$SKEDCTL" next --task "$TMPD/off.yaml" --from @0

cat >"$TMPD/bad.yaml" <<'YAML'
task_name: broken
task_type: START
scheduled_type: DAY
day_interval: 0
scheduled_time: "25:00:00"
YAML
expect_err "bad task: file:line:column and field" 2 "bad.yaml:4:15: day_interval" -- \
    "$SKEDCTL" next --task "$TMPD/bad.yaml"
expect_err "bad task: every error reported" 2 "bad.yaml:5:" -- \
    "$SKEDCTL" next --task "$TMPD/bad.yaml"

cat >"$TMPD/badcron.yaml" <<'YAML'
task_name: broken-cron
task_type: START
scheduled_type: CRON
task_cron: "0 0 0 L-31 * ?"
YAML
expect_err "bad task_cron names the field" 2 "task_cron: day-of-month: 'L-31'" -- \
    "$SKEDCTL" next --task "$TMPD/badcron.yaml"

cat >"$TMPD/badzone.yaml" <<'YAML'
task_name: broken-zone
task_type: START
scheduled_type: CRON
task_cron: "0 0 0 * * ?"
time_zone: Mars/Olympus_Mons
YAML
expect_err "unknown time_zone" 2 "time_zone: 'Mars/Olympus_Mons'" -- \
    "$SKEDCTL" next --task "$TMPD/badzone.yaml"
expect_err "missing task file" 2 "nonexistent.yaml" -- \
    "$SKEDCTL" next --task "$TMPD/nonexistent.yaml"
printf 'task_name: [unclosed\n' >"$TMPD/syntax.yaml"
expect_err "YAML syntax error with position" 2 "syntax.yaml:" -- \
    "$SKEDCTL" next --task "$TMPD/syntax.yaml"

ex="$TOP_SRCDIR/etc/tasks.d/examples.yaml"
for name in nightly-backup log-rotate weekend-stop month-end-snapshot \
    every-other-day-reboot om-periodic-report; do
	out=$("$SKEDCTL" next --task "$ex" --name "$name" --from @1704067200 \
	    -n 2 --utc 2>"$TMPD/stderr")
	[ $? -eq 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
	tap_ok $? "example task $name has fire times"
done
expect "example CRON task in its zone" 0 "2024-01-01T02:30:00-05:00" -- \
    "$SKEDCTL" next --task "$ex" --name nightly-backup --from @1704067200 -n 1
