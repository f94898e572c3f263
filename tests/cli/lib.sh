# TAP helpers for the shell tests.  Each check prints one "ok N - name" or
# "not ok N - name" line with the evidence as "#" comments; finish prints
# the plan.  SKEDCTL and TOP_SRCDIR come from the test environment.
: "${SKEDCTL:?SKEDCTL is not set (run through make check)}"
: "${TOP_SRCDIR:?TOP_SRCDIR is not set}"
tap_n=0
tap_failed=0
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/sked-test.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

tap_ok() {	# tap_ok STATUS NAME
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# expect NAME WANT_EXIT WANT_STDOUT -- COMMAND...: exit status and exact stdout.
expect() {
	local name=$1 want_rc=$2 want_out=$3 rc=0 out
	shift 4
	out=$("$@" 2>"$TMPD/stderr") || rc=$?
	if [ "$rc" -eq "$want_rc" ] && [ "$out" = "$want_out" ]; then
		tap_ok 0 "$name"
	else
		tap_ok 1 "$name"
		printf '# command: %s\n# exit %s (wanted %s)\n' "$*" "$rc" "$want_rc"
		printf '%s\n' "$out" | sed 's/^/# got:    /'
		printf '%s\n' "$want_out" | sed 's/^/# wanted: /'
		sed 's/^/# stderr: /' "$TMPD/stderr"
	fi
}

# expect_err NAME WANT_EXIT STDERR_SUBSTRING -- COMMAND...: failure with a
# message on stderr and nothing on stdout.
expect_err() {
	local name=$1 want_rc=$2 want_err=$3 rc=0 out
	shift 4
	out=$("$@" 2>"$TMPD/stderr") || rc=$?
	if [ "$rc" -eq "$want_rc" ] && [ -z "$out" ] &&
	    grep -qF -- "$want_err" "$TMPD/stderr"; then
		tap_ok 0 "$name"
	else
		tap_ok 1 "$name"
		printf '# command: %s\n# exit %s (wanted %s), stdout: %s\n' \
		    "$*" "$rc" "$want_rc" "$out"
		sed 's/^/# stderr: /' "$TMPD/stderr"
		printf '# wanted on stderr: %s\n' "$want_err"
	fi
}

finish() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
