#!/bin/sh
# contrib/bash-completion/skedctl: in step with the command table, and it
# completes subcommands, options and task names (from a fake skedctl that
# prints `list --json`).
. "$TOP_SRCDIR/tests/cli/lib.sh"

COMP=$TOP_SRCDIR/contrib/bash-completion/skedctl
if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP no bash"
	exit 0
fi
bash -n "$COMP"
tap_ok $? "the completion script parses"

# every command of `skedctl --help` is completed
cmds=$("$SKEDCTL" --help | sed -n 's/^  \([a-z]*\) .*/\1/p')
for c in $cmds; do
	got=$(bash -c ". \"$COMP\"; COMP_WORDS=(skedctl $c); COMP_CWORD=1;
	    _skedctl; printf '%s\n' \"\${COMPREPLY[@]}\"" 2>&1)
	printf '%s\n' "$got" | grep -qx "$c"
	tap_ok $? "completes the command $c"
done

# complete WORDS...: the replies for the last word
complete_words() {
	bash -c '. "$0"; COMP_WORDS=("$@");
	    COMP_CWORD=$(($# - 1)); _skedctl;
	    printf "%s\n" "${COMPREPLY[@]}" | sort' "$COMP" "$@"
}
expect "subcommands by prefix" 0 "reject
reload
reschedule" -- complete_words skedctl re
expect "global options" 0 "--json" -- complete_words skedctl --j
expect "global options by prefix" 0 "--project" -- \
    complete_words skedctl --pro
expect "options of approve" 0 "--comment" -- \
    complete_words skedctl approve --co
expect "field flags of add" 0 "--target
--type" -- complete_words skedctl add --t

# task names from `skedctl list --json`, with -p passed on
cat >"$TMPD/skedctl" <<'SH'
#!/bin/sh
echo "$*" >"${0%/*}/args"
echo '{"scheduled_tasks":[{"task_name":"nightly"},{"task_name":"noon"}],"total_count":2}'
SH
chmod +x "$TMPD/skedctl"
if command -v jq >/dev/null 2>&1; then
	expect "task names" 0 "nightly
noon" -- complete_words "$TMPD/skedctl" -p proj show n
	check_args=$(cat "$TMPD/args")
	[ "$check_args" = "-p proj list --json --limit 50" ]
	tap_ok $? "task names: -p passed to list"
	expect "no task name after the task" 0 "" -- \
	    complete_words "$TMPD/skedctl" rm nightly n
else
	echo "# SKIP no jq"
fi
finish
