#!/bin/sh
# run.sh: run libFuzzer harnesses for a while each, N at a time.
#
#   run.sh -s SECONDS -j JOBS -b BUILDDIR -c CORPUS_ROOT HARNESS...
#
# Each harness fuzz_NAME runs with a scratch corpus BUILDDIR/tests/fuzz/
# out/NAME/corpus first (libFuzzer writes new units there) and the
# committed CORPUS_ROOT/NAME second, read only; crashes, leaks and
# timeouts go to BUILDDIR/tests/fuzz/out/NAME/ with the log.  One line
# per harness, "PASS: NAME ..." or "FAIL: NAME ...", then the exit status
# is 1 if any failed.  Nothing is written under CORPUS_ROOT.
set -u
secs=30 jobs=1 build=. corpus=
while getopts s:j:b:c: opt; do
	case $opt in
	s) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	b) build=$OPTARG ;;
	c) corpus=$OPTARG ;;
	*) echo "usage: run.sh -s SECS -j JOBS -b BUILDDIR -c CORPUS HARNESS..." >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$corpus" ] && [ $# -gt 0 ] || { echo "run.sh: no corpus or harness" >&2; exit 2; }

# one harness, in the background of the caller; its verdict in out/NAME/verdict
one() {
	h=$1 name=$(basename "$1" | sed 's/^fuzz_//')
	out=$build/tests/fuzz/out/$name
	mkdir -p "$out/corpus"
	rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*
	"$h" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 \
	    -print_final_stats=1 -artifact_prefix="$out/" \
	    "$out/corpus" "$corpus/$name" >"$out/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/log")
	if [ $rc -eq 0 ]; then
		echo "PASS: $name (${execs:-?} execs, ${rate:-?}/s, ${secs} s)" >"$out/verdict"
	else
		{
			echo "FAIL: $name (exit $rc; log and inputs in $out)"
			grep -E '^(fuzz:|SUMMARY|==[0-9]+==ERROR)|runtime error' \
			    "$out/log" | head -n 5 | sed 's/^/#   /'
		} >"$out/verdict"
	fi
}

running=0 names=
for h in "$@"; do
	one "$h" &
	names="$names $(basename "$h" | sed 's/^fuzz_//')"
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
for name in $names; do
	v=$build/tests/fuzz/out/$name/verdict
	if [ -f "$v" ]; then
		cat "$v"
		grep -q '^PASS:' "$v" || status=1
	else
		echo "FAIL: $name (no verdict)"
		status=1
	fi
done
exit $status
