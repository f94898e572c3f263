#!/bin/bash
# Differential test of `skedctl next` (Quartz dialect) against Quartz 2.3.2's
# org.quartz.CronExpression, in UTC only (sked's DST policy deliberately differs from
# Quartz's).  Not part of `make check`: run by hand, see README.md here.
#
#   tests/diff/quartz-diff.sh                 SKEDCTL=/path/to/skedctl tests/diff/quartz-diff.sh
#
# Environment: SKEDCTL (default ../../_build/main/skedctl from this script), SEED and
# NRANDOM (random expressions, default 20261125 and 400), MAX_SHOWN (differences shown
# in full, default 20), TIMEOUT (seconds per skedctl call, default 20), QUARTZ_TIMEOUT
# (seconds before giving up on an expression Quartz loops on, default 5), KEEP=1 (keep
# the work directory).  Needs Debian's libquartz2-java (installed with apt-get when
# missing) and a JDK; builds nothing in the source tree.
#
# Exit status: 0 all agree, 1 some differ, 2 setup failure.
set -u -f	# no globbing: expressions are full of '*' and '?'

here=$(cd "$(dirname "$0")" && pwd)
SKEDCTL=${SKEDCTL:-$here/../../_build/main/skedctl}
SEED=${SEED:-20261125}
NRANDOM=${NRANDOM:-400}
MAX_SHOWN=${MAX_SHOWN:-20}
TIMEOUT=${TIMEOUT:-20}
CUTOFF=2099-01-01T00:00:00Z	# Quartz looks only ~100 years ahead; sked until 2199
DEFAULT_COUNT=6

die() { echo "quartz-diff: $*" >&2; exit 2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 ||
		{ as_root apt-get update -q >&2 &&
		  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; }
}

[ -x "$SKEDCTL" ] || die "no executable skedctl at $SKEDCTL (build sked or set SKEDCTL)"
SKEDCTL=$(cd "$(dirname "$SKEDCTL")" && pwd)/$(basename "$SKEDCTL")

# --- the reference: Debian's Quartz 2.3.2 and a JDK, compiled outside the tree
JAVA_DIR=/usr/share/java
if [ ! -r "$JAVA_DIR/quartz2.jar" ] || [ ! -r "$JAVA_DIR/slf4j-api.jar" ]; then
	echo "quartz-diff: installing libquartz2-java libslf4j-java" >&2
	apt_install libquartz2-java libslf4j-java || die "cannot install libquartz2-java"
fi
if ! command -v javac >/dev/null; then
	echo "quartz-diff: installing a JDK" >&2
	apt_install default-jdk-headless || die "cannot install a JDK"
fi
CP=$JAVA_DIR/quartz2.jar:$JAVA_DIR/slf4j-api.jar
[ -r "$JAVA_DIR/slf4j-nop.jar" ] && CP=$CP:$JAVA_DIR/slf4j-nop.jar

WORK=$(mktemp -d "${TMPDIR:-/tmp}/quartz-diff.XXXXXX") || die "mktemp failed"
if [ "${KEEP:-0}" = 1 ]; then
	echo "quartz-diff: work directory $WORK" >&2
else
	trap 'rm -rf "$WORK"' EXIT
fi
start=$(date +%s)
# a private copy: the build may replace the binary while this runs
cp "$SKEDCTL" "$WORK/skedctl" || die "cannot copy $SKEDCTL"
SKEDCTL_ORIG=$SKEDCTL SKEDCTL=$WORK/skedctl
javac -nowarn -d "$WORK/classes" -cp "$CP" "$here/QuartzNext.java" ||
	die "javac failed"
JAVA=(java -Xss8m -Dquartz.timeout="${QUARTZ_TIMEOUT:-5}" -cp "$WORK/classes:$CP" QuartzNext)

# --- the cases: kind, expression for skedctl, expression for Quartz, from, count
# Fixed instants between 1990 and 2090; each expression gets four of them in turn.
POOL=(
	631152000	# 1990-01-01T00:00:00Z
	803219696	# 1995-06-15T12:34:56Z
	946684799	# 1999-12-31T23:59:59Z
	951782399	# 2000-02-28T23:59:59Z
	1078012800	# 2004-02-29T00:00:00Z
	1356998370	# 2012-12-31T23:59:30Z
	1617184800	# 2021-03-31T10:00:00Z
	1709121600	# 2024-02-28T12:00:00Z
	2147483647	# 2038-01-19T03:14:07Z
	2540527628	# 2050-07-04T06:07:08Z
	3150486000	# 2069-10-31T23:00:00Z
	3786912000	# 2090-01-01T00:00:00Z
)
to_epoch() {
	case $1 in
	@*) echo "${1#@}" ;;
	*) date -u -d "$1" +%s || die "bad instant '$1'" ;;
	esac
}
trim() { local s=$1; s=${s#"${s%%[! ]*}"}; s=${s%"${s##*[! ]}"}; printf '%s' "$s"; }

k=0	# expression number, for the rotation through POOL
emit() {	# emit KIND SKED_EXPR REF_EXPR COUNT [FROM...]
	local kind=$1 sx=$2 rx=$3 count=$4 j f
	shift 4
	if [ $# -gt 0 ]; then
		for f in "$@"; do
			printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$sx" "$rx" "$(to_epoch "$f")" "$count"
		done
	else
		for j in 0 1 2 3; do
			printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$sx" "$rx" \
				"${POOL[$(((k + 3 * j) % ${#POOL[@]}))]}" "$count"
		done
	fi
	k=$((k + 1))
}

{
	section=
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'#'* | '') continue ;;
		'['*']') section=${line#[}; section=${section%]}; continue ;;
		esac
		expr=$(trim "${line%%;*}")
		count=$DEFAULT_COUNT froms=
		rest=${line#*;}
		if [ "$rest" != "$line" ]; then
			count=$(trim "${rest%%;*}")
			[ "${rest#*;}" != "$rest" ] && froms=${rest#*;}
		fi
		[ "$expr" = '<empty>' ] && expr=
		case $section in
		valid | lenient)
			# shellcheck disable=SC2086
			emit "$section" "$expr" "$expr" "$count" $froms ;;
		invalid)
			emit invalid "$expr" "$expr" 3 "@${POOL[0]}" ;;
		union)
			sx=$(trim "${expr%% = *}") rx=$(trim "${expr#* = }")
			# shellcheck disable=SC2086
			emit union "$sx" "$rx" "$count" $froms ;;
		*) die "quartz-exprs.txt: line outside a known section: $line" ;;
		esac
	done < "$here/quartz-exprs.txt"
	"${JAVA[@]}" gen "$SEED" "$NRANDOM" > "$WORK/random.txt" || die "generator failed"
	# two instants of the pool in turn and two random ones (from the generator)
	while IFS=$'\t' read -r expr r1 r2; do
		emit random "$expr" "$expr" "$DEFAULT_COUNT" \
			"@${POOL[$((k % ${#POOL[@]}))]}" "@${POOL[$(((k + 5) % ${#POOL[@]}))]}" "@$r1" "@$r2"
	done < "$WORK/random.txt"
} > "$WORK/cases.tsv"

cut -f3- "$WORK/cases.tsv" | "${JAVA[@]}" > "$WORK/quartz.out" || die "QuartzNext failed"
ncases=$(wc -l < "$WORK/cases.tsv")
[ "$(wc -l < "$WORK/quartz.out")" -eq "$ncases" ] || die "QuartzNext printed a wrong number of lines"
t_ref=$(($(date +%s) - start))

# --- run skedctl and compare
before_cutoff() {	# the words of $1 that are before CUTOFF, one line
	local w out=
	for w in $1; do
		[[ $w < $CUTOFF ]] && out="$out $w"
	done
	printf '%s' "${out# }"
}
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
agree=0 differ=0 lenient_rejected=0 quartz_hangs=0 both_reject=0
: > "$WORK/diffs.txt"
: > "$WORK/hangs.txt"
declare -A diff_exprs=()
record() {	# record KIND SKED_EXPR REF_EXPR FROM COUNT WHY SKED_RC SKED_OUT SKED_ERR REF
	differ=$((differ + 1))
	diff_exprs["$2"]=1
	if [ "$differ" -le "$MAX_SHOWN" ]; then
		{
			printf -- '--- difference %d [%s]: %s\n' "$differ" "$1" "$6"
			printf '    expr:   %s\n' "$2"
			[ "$3" != "$2" ] && printf '    parts:  %s\n' "$3"
			printf '    from:   @%s (%s), -n %s, --tz UTC\n' "$4" "$(iso "$4")" "$5"
			printf "    repro:  skedctl next --cron '%s' --tz UTC --from @%s -n %s --utc\n" "$2" "$4" "$5"
			printf '    sked (exit %s):\n' "$7"
			[ -n "$8" ] && printf '%s\n' $8 | sed 's/^/        /'
			[ -n "$9" ] && printf '%s\n' "$9" | sed 's/^/        stderr: /'
			printf '    quartz:\n'
			case ${10} in
			INVALID:*) printf '        %s\n' "${10}" ;;
			'') printf '        (no fire time)\n' ;;
			*) printf '%s\n' ${10} | sed 's/^/        /' ;;
			esac
		} >> "$WORK/diffs.txt"
	else
		printf -- '--- difference %d [%s]: %s: %s from @%s\n' "$differ" "$1" "$6" "$2" "$4" \
			>> "$WORK/diffs.txt"
	fi
}

exec 3< "$WORK/cases.tsv" 4< "$WORK/quartz.out"
while IFS=$'\t' read -r kind sx rx from count <&3 && IFS= read -r ref <&4; do
	rc=0
	out=$(timeout "$TIMEOUT" "$SKEDCTL" next --cron "$sx" --tz UTC --from "@$from" \
		-n "$count" --utc 2> "$WORK/stderr") || rc=$?
	err=$(head -c 400 "$WORK/stderr")
	out=$(printf '%s' "$out" | tr '\n' ' ')
	out=${out% }
	why=
	case $kind in
	invalid)
		if [[ $ref != INVALID:* ]]; then
			why="test list error: Quartz accepts this expression"
		elif [ "$rc" -ne 2 ]; then
			why="Quartz rejects it, sked exits $rc (wanted 2)"
		elif [ -n "$out" ] || [ -z "$err" ]; then
			why="exit 2 but stdout not empty or no message on stderr"
		fi ;;
	*)
		if [ "$ref" = TIMEOUT ]; then
			# Quartz itself loops: nothing to compare with; listed at the end
			quartz_hangs=$((quartz_hangs + 1))
			printf '    %s   from @%s: sked (exit %s): %s\n' "$sx" "$from" "$rc" \
				"${out:-(no fire time)}" >> "$WORK/hangs.txt"
			continue
		elif [ "$rc" -eq 124 ]; then
			why="sked timed out after ${TIMEOUT}s"
		elif [[ $ref == INVALID:* ]]; then
			if [ "$kind" = valid ]; then
				why="test list error: Quartz rejects this expression (sked exits $rc)"
			elif [ "$kind" = lenient ] || [ "$rc" -ne 2 ]; then
				why="Quartz rejects it, sked exits $rc"
			else
				both_reject=$((both_reject + 1))
			fi
		elif [ "$rc" -eq 2 ] && [ "$kind" = lenient ]; then
			lenient_rejected=$((lenient_rejected + 1))
		elif [ "$rc" -ne 0 ]; then
			why="Quartz accepts it, sked exits $rc"
		elif [ "$(before_cutoff "$out")" != "$(before_cutoff "$ref")" ]; then
			why="fire times differ (before $CUTOFF)"
		fi ;;
	esac
	if [ -z "$why" ]; then
		agree=$((agree + 1))
	else
		record "$kind" "$sx" "$rx" "$from" "$count" "$why" "$rc" "$out" "$err" "$ref"
	fi
done
exec 3<&- 4<&-

t_all=$(($(date +%s) - start))
cat "$WORK/diffs.txt"
if [ "$quartz_hangs" -gt 0 ]; then
	echo "quartz-diff: Quartz 2.3.2 loops forever (gave up after ${QUARTZ_TIMEOUT:-5}s) on" \
		"$quartz_hangs case(s), not compared:"
	cat "$WORK/hangs.txt"
fi
echo "quartz-diff: $SKEDCTL_ORIG against Quartz 2.3.2 (UTC);"
echo "quartz-diff: $(grep -c . "$WORK/random.txt") random expressions (seed $SEED), $ncases cases;" \
	"lenient garbage rejected by sked: $lenient_rejected case(s);" \
	"both reject: $both_reject; Quartz hangs: $quartz_hangs;" \
	"${#diff_exprs[@]} distinct expression(s) differ; ${t_all}s (Quartz ${t_ref}s)"
echo "$agree agree, $differ differ"
[ "$differ" -eq 0 ]
