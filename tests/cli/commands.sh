#!/bin/sh
# skedctl without a daemon: the command table, help, argument errors, and
# the offline commands (validate, add --dry-run with yaml2json).
. "$TOP_SRCDIR/tests/cli/lib.sh"

# No daemon: a socket path that nothing listens on.
SKED_SOCKET=$TMPD/none.sock
export SKED_SOCKET

cmds="list show add edit rm enable disable run history plan cancel
reschedule event approve reject reload status validate next"

# --- the table: every command listed, with help three ways ------------
out=$("$SKEDCTL" --help)
for c in $cmds; do
	printf '%s\n' "$out" | grep -q "^  $c "
	tap_ok $? "skedctl --help lists $c"
	h1=$("$SKEDCTL" "$c" --help)
	rc=$?
	h2=$("$SKEDCTL" help "$c")
	printf '%s\n' "$h1" | grep -q "^usage: skedctl $c " &&
	    [ "$rc" -eq 0 ] && [ "$h1" = "$h2" ]
	tap_ok $? "$c --help = help $c, exit 0"
done

expect_err "unknown command" 2 "unknown command 'frobnicate'" -- \
    "$SKEDCTL" frobnicate
expect_err "help of an unknown command" 2 "unknown command 'nope'" -- \
    "$SKEDCTL" help nope
expect_err "no command" 2 "usage: skedctl" -- "$SKEDCTL"
expect_err "unknown global option" 2 "unknown option '--frob'" -- \
    "$SKEDCTL" --frob list
expect_err "-p without a project" 2 "-p needs a project" -- "$SKEDCTL" -p
expect_err "unknown option of a command" 2 "usage: skedctl show" -- \
    "$SKEDCTL" show --frob x

# --- missing and extra arguments ---------------------------------------
expect_err "show: no task" 2 "which task?" -- "$SKEDCTL" show
expect_err "edit: no task" 2 "which task?" -- "$SKEDCTL" edit
expect_err "rm: no task" 2 "which task?" -- "$SKEDCTL" rm
expect_err "rm: two tasks" 2 "unexpected argument 'b'" -- "$SKEDCTL" rm a b
expect_err "enable: no task" 2 "which task?" -- "$SKEDCTL" enable
expect_err "disable: no task" 2 "which task?" -- "$SKEDCTL" disable
expect_err "plan: no instance" 2 "which instance?" -- "$SKEDCTL" plan
expect_err "cancel: no instance" 2 "which instance?" -- "$SKEDCTL" cancel t
expect_err "reschedule: no time" 2 "at what time?" -- \
    "$SKEDCTL" reschedule t i
expect_err "reschedule: extra argument" 2 "unexpected argument 'x'" -- \
    "$SKEDCTL" reschedule t i '2030-01-01 00:00:00' x
expect_err "event: no target id" 2 "which target id?" -- \
    "$SKEDCTL" event START SERVER
expect_err "approve: no task" 2 "which task?" -- "$SKEDCTL" approve
expect_err "reject: no task" 2 "which task?" -- "$SKEDCTL" reject
expect_err "validate: no file" 2 "which files?" -- "$SKEDCTL" validate
expect_err "add: nothing to add" 2 "a task file or field flags" -- \
    "$SKEDCTL" add
expect_err "edit: nothing to change" 2 "nothing to change" -- \
    "$SKEDCTL" edit t
expect_err "show: empty task" 2 "TASK: empty" -- "$SKEDCTL" show ''

# --- bad times ----------------------------------------------------------
for t in '2030-01-01' '2030-13-01 00:00:00' '2030-02-30 00:00:00' \
    '2030-01-01 24:00:00' '2030-01-01 00:60:00' '2030/01/01 00:00:00' \
    '2030-01-01 0:00:00' '203001010000' 'tomorrow'; do
	expect_err "reschedule: bad time '$t'" 2 "not a time" -- \
	    "$SKEDCTL" reschedule t i "$t"
done
expect_err "add --at: bad time" 2 "--at '2029-02-29 10:00:00'" -- \
    "$SKEDCTL" add --name x --type START --at '2029-02-29 10:00:00' --dry-run
expect_err "add --target without an id" 2 "not TYPE:ID" -- \
    "$SKEDCTL" add --name x --target SERVER: --dry-run
expect_err "add --param not an object" 2 "--param: not a JSON object" -- \
    "$SKEDCTL" add --name x --param '[1]' --dry-run
expect_err "add --set without =" 2 "not FIELD=VALUE" -- \
    "$SKEDCTL" add --name x --set priority --dry-run

# --- the daemon routes fail cleanly without a daemon -----------------------
for c in "list" "show t" "rm t" "enable t" "plan i" "cancel t i" \
    "event START SERVER vm-1" "approve t" "status"; do
	# shellcheck disable=SC2086
	expect_err "$c: no daemon, exit 1" 1 "cannot reach skedd" -- \
	    "$SKEDCTL" $c
done
expect_err "-s names the socket" 1 "at $TMPD/other.sock" -- \
    "$SKEDCTL" -s "$TMPD/other.sock" list

# --- validate -------------------------------------------------------------
cat >"$TMPD/good.yaml" <<'YAML'
- task_name: a
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
- task_name: b
  task_type: STOP
  scheduled_type: WEEK
  week_list: "2"
  scheduled_time: "07:00:00"
YAML
cat >"$TMPD/bad.yaml" <<'YAML'
task_name: broken
task_type: START
scheduled_type: CRON
task_cron: "0 0 99 * * ?"
bogus: 1
YAML
cat >"$TMPD/zone.yaml" <<'YAML'
- task_name: fine
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 9 * * ?"
- task_name: martian
  task_type: START
  scheduled_type: CRON
  task_cron: "0 0 9 * * ?"
  time_zone: Mars/Olympus
YAML
expect "validate: a good file" 0 "$TMPD/good.yaml: 2 tasks OK" -- \
    "$SKEDCTL" validate "$TMPD/good.yaml"
expect "validate: good and bad, good still reported" 1 \
    "$TMPD/good.yaml: 2 tasks OK" -- \
    "$SKEDCTL" validate "$TMPD/bad.yaml" "$TMPD/good.yaml"
"$SKEDCTL" validate "$TMPD/bad.yaml" 2>"$TMPD/err" >/dev/null
grep -q "^$TMPD/bad.yaml:4:12: task_cron: " "$TMPD/err"
tap_ok $? "validate: file:line:column of the bad cron"
grep -q "^$TMPD/bad.yaml:5:1: bogus: unknown field" "$TMPD/err"
tap_ok $? "validate: every error, not just the first"
expect_err "validate: an unknown zone" 1 \
    "$TMPD/zone.yaml:5:3: martian: time_zone: 'Mars/Olympus'" -- \
    "$SKEDCTL" validate "$TMPD/zone.yaml"
expect_err "validate: a missing file" 1 "$TMPD/nope.yaml" -- \
    "$SKEDCTL" validate "$TMPD/nope.yaml"
printf 'task_name: [unclosed\n' >"$TMPD/syntax.yaml"
expect_err "validate: a YAML syntax error" 1 "$TMPD/syntax.yaml:" -- \
    "$SKEDCTL" validate "$TMPD/syntax.yaml"

# --- add --dry-run: yaml2json keeps scalar types -----------------------------
cat >"$TMPD/typed.yaml" <<'YAML'
task_name: typed
task_type: EXECUTE_SCRIPT
scheduled_type: CRON
task_cron: "0 */5 * * * ?"
is_enable: false
priority: 7
wait_time: 16
description: ~
input_param:
  command: echo hi
  timeout: 60
  hex: 0x10
  ratio: 1.5
  quoted_int: "42"
  quoted_bool: 'true'
  yes_is_a_string: yes
  list: [1, two, null, TRUE]
  nested: { a: { b: -3 } }
  tagged: !!int "12"
target_infos:
  - target_type: HOST
    target_id: [web-1, web-2]
YAML
out=$("$SKEDCTL" add --dry-run "$TMPD/typed.yaml")
check_jq() {	# check_jq NAME FILTER WANT
	got=$(printf '%s' "$out" | jq -c "$2" 2>&1)
	if [ "$got" = "$3" ]; then
		tap_ok 0 "$1"
	else
		tap_ok 1 "$1"
		printf '# %s: got %s, wanted %s\n' "$2" "$got" "$3"
	fi
}
check_jq "yaml2json: bool" .is_enable false
check_jq "yaml2json: int" .priority 7
check_jq "yaml2json: hex int" .input_param.hex 16
check_jq "yaml2json: ~ is null" .description null
check_jq "yaml2json: quoted cron stays a string" .task_cron '"0 */5 * * * ?"'
check_jq "yaml2json: nested int" .input_param.timeout 60
check_jq "yaml2json: real" .input_param.ratio 1.5
check_jq "yaml2json: quoted int is a string" .input_param.quoted_int '"42"'
check_jq "yaml2json: quoted bool is a string" .input_param.quoted_bool '"true"'
check_jq "yaml2json: yes is a string (YAML 1.2)" \
    .input_param.yes_is_a_string '"yes"'
check_jq "yaml2json: flow sequence" .input_param.list '[1,"two",null,true]'
check_jq "yaml2json: flow mapping" .input_param.nested '{"a":{"b":-3}}'
check_jq "yaml2json: !!int tag" .input_param.tagged 12
check_jq "yaml2json: targets" .target_infos \
    '[{"target_type":"HOST","target_id":["web-1","web-2"]}]'
check_jq "yaml2json: key order kept" 'keys_unsorted[0:3]' \
    '["task_name","task_type","scheduled_type"]'

out=$("$SKEDCTL" add --dry-run "$TMPD/typed.yaml" --name renamed \
    --zone Asia/Tokyo --target SERVER:vm-1,vm-2 --enable \
    --set history_keep=5 --set misfire_policy=FIRE_ONCE_NOW)
check_jq "flags override the file" '[.task_name,.time_zone,.is_enable]' \
    '["renamed","Asia/Tokyo",true]'
check_jq "--target replaces the file's targets" .target_infos \
    '[{"target_type":"SERVER","target_id":["vm-1","vm-2"]}]'
check_jq "--set: JSON value" .history_keep 5
check_jq "--set: a string when not JSON" .misfire_policy '"FIRE_ONCE_NOW"'

out=$("$SKEDCTL" add --dry-run --name nightly --command 'echo x' \
    --param '{"timeout": 30}' --at '2030-06-01 02:30:00' --zone UTC)
check_jq "flags only: EXECUTE_SCRIPT by default with --command" .task_type \
    '"EXECUTE_SCRIPT"'
check_jq "--at: FIXED_TIME date and time" \
    '[.scheduled_type,.scheduled_date,.scheduled_time]' \
    '["FIXED_TIME","2030-06-01","02:30:00"]'
check_jq "--command and --param merge" .input_param \
    '{"command":"echo x","timeout":30}'
out=$("$SKEDCTL" add --dry-run --name c --type REBOOT --cron '@daily' \
    --description 'every day' --disable)
check_jq "--cron: CRON" '[.scheduled_type,.task_cron,.is_enable]' \
    '["CRON","@daily",false]'

cat >"$TMPD/one.json" <<'JSON'
{ "tasks": [ { "task_name": "j", "task_type": "START",
  "scheduled_type": "CRON", "task_cron": "0 0 1 * * ?", "priority": 2 } ] }
JSON
out=$("$SKEDCTL" add --dry-run "$TMPD/one.json")
check_jq "a JSON file with tasks: [one]" '[.task_name,.priority]' '["j",2]'

expect_err "add: a file of two tasks" 2 "holds 2 tasks" -- \
    "$SKEDCTL" add --dry-run "$TMPD/good.yaml"
expect_err "add: errors with file:line:column" 2 "$TMPD/bad.yaml:4:12:" -- \
    "$SKEDCTL" add --dry-run "$TMPD/bad.yaml"
expect_err "add: flags checked by the task loader" 2 "task_cron" -- \
    "$SKEDCTL" add --dry-run --name x --type START --cron '0 0 99 * * ?'
printf 'a: &x [*x]\n' >"$TMPD/alias.yaml"
expect_err "edit: a recursive alias is refused" 2 "$TMPD/alias.yaml:" -- \
    "$SKEDCTL" edit t "$TMPD/alias.yaml" --dry-run
printf 'a: 0x1F\nb: 0x0x1\nc: 0o17\nd: 0o8\ne: -12\nf: .5\ng: 12abc\n' \
    >"$TMPD/numbers.yaml"
expect "yaml2json: numbers of the core schema, the rest strings" 0 \
    '{"a":31,"b":"0x0x1","c":15,"d":"0o8","e":-12,"f":0.5,"g":"12abc"}' -- \
    sh -c "\"\$SKEDCTL\" edit t \"$TMPD/numbers.yaml\" --dry-run | jq -c ."
printf 'priority: 3\nis_enable: false\n' >"$TMPD/patch.yaml"
expect "edit --dry-run: the fields of a partial file" 0 \
    '{"priority":3,"is_enable":false,"description":"d"}' -- \
    sh -c "\"\$SKEDCTL\" edit t \"$TMPD/patch.yaml\" --description d \
    --dry-run | jq -c ."

finish
