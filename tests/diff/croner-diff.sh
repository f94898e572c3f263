#!/bin/bash
# Differential test of `skedctl next` (classic 5-field dialect) against croner, the
# npm library whose DST policy the SPEC adopts ("Vixie cron's, as croner implements
# it"), in several zones and from instants just before DST transitions.  Not part of
# `make check`: run by hand, see README.md here.
#
#   tests/diff/croner-diff.sh                 SKEDCTL=/path/to/skedctl tests/diff/croner-diff.sh
#
# Environment: SKEDCTL (default ../../_build/main/skedctl from this script), CRONER_VERSION
# (npm version spec, default 11: the major whose DST rules the SPEC describes),
# CRONER_CACHE (install directory, default ~/.cache/sked-diff), SEED and NRANDOM (random
# expressions, default 20261125 and 500), MAX_SHOWN (differences shown in full, default
# 20), TIMEOUT (seconds per skedctl call, default 20), KEEP=1 (keep the work directory).
# Needs node and npm (installed with apt-get when missing); installs croner outside the
# source tree.
#
# Exit status: 0 all agree, 1 some differ, 2 setup failure.
set -u -f	# no globbing: expressions are full of '*'

here=$(cd "$(dirname "$0")" && pwd)
SKEDCTL=${SKEDCTL:-$here/../../_build/main/skedctl}
CRONER_VERSION=${CRONER_VERSION:-11}
CRONER_CACHE=${CRONER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sked-diff}
SEED=${SEED:-20261125}
NRANDOM=${NRANDOM:-500}
MAX_SHOWN=${MAX_SHOWN:-20}
TIMEOUT=${TIMEOUT:-20}
DEFAULT_COUNT=8

die() { echo "croner-diff: $*" >&2; exit 2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

[ -x "$SKEDCTL" ] || die "no executable skedctl at $SKEDCTL (build sked or set SKEDCTL)"
SKEDCTL=$(cd "$(dirname "$SKEDCTL")" && pwd)/$(basename "$SKEDCTL")

# --- the reference: croner from the npm registry, in a cache directory
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "croner-diff: installing nodejs npm" >&2
	{ as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q nodejs npm; } >&2 || die "cannot install node and npm"
fi
cdir=$CRONER_CACHE/croner-$CRONER_VERSION
CRONER_MODULE=$cdir/node_modules/croner/dist/croner.js
if [ ! -r "$CRONER_MODULE" ] || [ "${REFRESH:-0}" = 1 ]; then
	echo "croner-diff: npm install croner@$CRONER_VERSION into $cdir" >&2
	mkdir -p "$cdir" || die "cannot create $cdir"
	npm install --prefix "$cdir" --no-audit --no-fund --loglevel=error \
		"croner@$CRONER_VERSION" >&2 || die "npm install croner@$CRONER_VERSION failed"
fi
[ -r "$CRONER_MODULE" ] || die "no $CRONER_MODULE after npm install"
export CRONER_MODULE
croner_version=$(node -p "require('$cdir/node_modules/croner/package.json').version")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/croner-diff.XXXXXX") || die "mktemp failed"
if [ "${KEEP:-0}" = 1 ]; then
	echo "croner-diff: work directory $WORK" >&2
else
	trap 'rm -rf "$WORK"' EXIT
fi
start=$(date +%s)
# a private copy: the build may replace the binary while this runs
cp "$SKEDCTL" "$WORK/skedctl" || die "cannot copy $SKEDCTL"
SKEDCTL_ORIG=$SKEDCTL SKEDCTL=$WORK/skedctl

# --- zones and instants: "ZONE ISO-INSTANT"
# Every zone from a few general instants (2069: past the transition tables of the
# TZif files, from their POSIX TZ strings), and each zone from just before its DST
# transitions (and from inside the second pass of a repeated hour).
GENERAL=(1999-12-31T23:59:59Z 2024-01-15T12:00:00Z 2038-01-19T03:14:07Z 2069-06-30T12:00:00Z)
ZONES=(UTC America/New_York Europe/London Australia/Lord_Howe America/Sao_Paulo
	Pacific/Chatham Asia/Kathmandu
	Europe/Dublin Antarctica/Troll America/Santiago Pacific/Apia)
PAIRS=()
for z in "${ZONES[@]}"; do
	for f in "${GENERAL[@]}"; do PAIRS+=("$z $f"); done
done
PAIRS+=(
	# New York: 2024-03-10 02:00 EST -> 03:00 EDT (07:00Z); 2024-11-03 02:00 EDT -> 01:00 EST (06:00Z)
	"America/New_York 2024-03-10T06:00:00Z" "America/New_York 2024-03-10T06:58:00Z"
	"America/New_York 2024-11-03T04:30:00Z" "America/New_York 2024-11-03T05:30:00Z"
	"America/New_York 2024-11-03T05:58:00Z" "America/New_York 2024-11-03T06:30:00Z"
	"America/New_York 2069-03-10T06:30:00Z" "America/New_York 2069-11-03T05:30:00Z"
	"America/New_York 2069-11-03T06:30:00Z"
	# London: 2024-03-31 01:00 GMT -> 02:00 BST (01:00Z); 2024-10-27 02:00 BST -> 01:00 GMT (01:00Z)
	"Europe/London 2024-03-31T00:30:00Z" "Europe/London 2024-10-27T00:30:00Z"
	"Europe/London 2024-10-27T01:30:00Z" "Europe/London 2069-03-31T00:30:00Z"
	"Europe/London 2069-10-27T00:30:00Z" "Europe/London 2069-10-27T01:30:00Z"
	# Lord Howe (30-minute shift): 2024-04-07 02:00 +11 -> 01:30 +10:30 (15:00Z);
	# 2024-10-06 02:00 +10:30 -> 02:30 +11 (15:30Z)
	"Australia/Lord_Howe 2024-04-06T14:00:00Z" "Australia/Lord_Howe 2024-04-06T15:20:00Z"
	"Australia/Lord_Howe 2024-10-05T14:00:00Z" "Australia/Lord_Howe 2024-10-05T15:20:00Z"
	"Australia/Lord_Howe 2069-04-06T14:30:00Z" "Australia/Lord_Howe 2069-04-06T15:20:00Z"
	"Australia/Lord_Howe 2069-10-05T15:00:00Z"
	# Sao Paulo (DST at midnight, last used 2018/19): 2018-11-04 00:00 -03 -> 01:00 -02 (03:00Z);
	# 2019-02-17 00:00 -02 -> 2019-02-16 23:00 -03 (02:00Z)
	"America/Sao_Paulo 2018-11-03T12:00:00Z" "America/Sao_Paulo 2018-11-04T02:50:00Z"
	"America/Sao_Paulo 2019-02-16T12:00:00Z" "America/Sao_Paulo 2019-02-17T02:30:00Z"
	# Chatham (+12:45/+13:45): 2024-09-29 02:45 -> 03:45 (14:00Z); 2024-04-07 03:45 -> 02:45 (14:00Z)
	"Pacific/Chatham 2024-09-28T13:00:00Z" "Pacific/Chatham 2024-09-28T13:50:00Z"
	"Pacific/Chatham 2024-04-06T13:00:00Z" "Pacific/Chatham 2024-04-06T14:30:00Z"
	"Pacific/Chatham 2069-04-06T13:30:00Z" "Pacific/Chatham 2069-04-06T14:30:00Z"
	"Pacific/Chatham 2069-09-28T13:30:00Z"
	# Kathmandu: 1986-01-01 00:00 +05:30 -> 00:15 +05:45 (1985-12-31T18:30Z)
	"Asia/Kathmandu 1985-12-31T18:00:00Z"
	# Beyond the brief's list.  Dublin: negative DST in the TZif data and its POSIX
	# string (IST-1GMT0,M10.5.0,M3.5.0/1), same clock changes as London.
	"Europe/Dublin 2024-03-31T00:30:00Z" "Europe/Dublin 2024-10-27T00:30:00Z"
	"Europe/Dublin 2024-10-27T01:30:00Z" "Europe/Dublin 2069-03-31T00:30:00Z"
	"Europe/Dublin 2069-10-27T00:30:00Z" "Europe/Dublin 2069-10-27T01:30:00Z"
	# Troll: two-hour shift, 01:00 +00 -> 03:00 +02 and 03:00 +02 -> 01:00 +00 (01:00Z)
	"Antarctica/Troll 2024-03-31T00:30:00Z" "Antarctica/Troll 2024-10-27T00:30:00Z"
	"Antarctica/Troll 2024-10-27T01:30:00Z" "Antarctica/Troll 2069-10-27T00:30:00Z"
	# Santiago: changes at Saturday 24:00 (M9.1.6/24): 2024-04-07 00:00 -03 -> 2024-04-06
	# 23:00 -04 (03:00Z); 2024-09-08 00:00 -04 -> 01:00 -03 (04:00Z)
	"America/Santiago 2024-04-07T02:30:00Z" "America/Santiago 2024-04-07T03:30:00Z"
	"America/Santiago 2024-09-08T03:30:00Z" "America/Santiago 2069-04-07T02:30:00Z"
	"America/Santiago 2069-09-08T03:30:00Z"
	# Apia: 2011-12-30 did not exist (Dec 29 24:00 -10 -> Dec 31 00:00 +14, 10:00Z);
	# DST 2020-09-27 03:00 +13 -> 04:00 +14 (14:00Z), 2021-04-04 04:00 +14 -> 03:00 +13 (14:00Z)
	"Pacific/Apia 2011-12-29T09:00:00Z" "Pacific/Apia 2011-12-30T09:30:00Z"
	"Pacific/Apia 2020-09-26T13:30:00Z" "Pacific/Apia 2021-04-03T13:30:00Z"
)
declare -A EPOCH=()
for pr in "${PAIRS[@]}"; do
	f=${pr#* }
	[ -n "${EPOCH[$f]:-}" ] || EPOCH[$f]=$(date -u -d "$f" +%s) || die "bad instant $f"
done

trim() { local s=$1; s=${s#"${s%%[! ]*}"}; s=${s%"${s##*[! ]}"}; printf '%s' "$s"; }
# Vixie: when a day field starts with '*' the two day fields combine with AND, else
# with OR.  croner's OR mode only treats a bare '*' so, hence "and" is passed then.
days_rule() {
	local -a f
	read -ra f <<< "$1"
	if [ "${#f[@]}" -eq 5 ] && { [[ ${f[2]} == '*'* ]] || [[ ${f[4]} == '*'* ]]; }; then
		echo and
	else
		echo or
	fi
}
emit() {	# emit KIND EXPR COUNT PAIR...: lines KIND EXPR ZONE FROM COUNT DAYS
	local kind=$1 expr=$2 count=$3 days pr
	shift 3
	days=$(days_rule "$expr")
	for pr in "$@"; do
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$expr" "${pr%% *}" "${EPOCH[${pr#* }]}" \
			"$count" "$days"
	done
}

{
	section=
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'#'* | '') continue ;;
		'['*']') section=${line#[}; section=${section%]}; continue ;;
		esac
		expr=$(trim "${line%%;*}")
		count=$DEFAULT_COUNT
		[ "${line#*;}" != "$line" ] && count=$(trim "${line#*;}")
		[ "$expr" = '<empty>' ] && expr=
		case $section in
		valid) emit valid "$expr" "$count" "${PAIRS[@]}" ;;
		invalid) emit invalid "$expr" 3 "UTC ${GENERAL[1]}" ;;
		*) die "croner-exprs.txt: line outside a known section: $line" ;;
		esac
	done < "$here/croner-exprs.txt"
	node "$here/croner-next.mjs" gen "$SEED" "$NRANDOM" > "$WORK/random.txt" ||
		die "generator failed"
	k=0 np=${#PAIRS[@]}
	while IFS= read -r expr; do
		emit random "$expr" "$DEFAULT_COUNT" "${PAIRS[$((k % np))]}" \
			"${PAIRS[$(((k + 7) % np))]}" "${PAIRS[$(((k + 19) % np))]}" \
			"${PAIRS[$(((k + 31) % np))]}"
		k=$((k + 1))
	done < "$WORK/random.txt"
} > "$WORK/cases.tsv"

cut -f2- "$WORK/cases.tsv" | node "$here/croner-next.mjs" > "$WORK/croner.out" ||
	die "croner-next.mjs failed"
ncases=$(wc -l < "$WORK/cases.tsv")
[ "$(wc -l < "$WORK/croner.out")" -eq "$ncases" ] || die "croner-next.mjs printed a wrong number of lines"
t_ref=$(($(date +%s) - start))

# --- run skedctl and compare
agree=0 differ=0 both_reject=0
: > "$WORK/diffs.txt"
declare -A diff_exprs=()
show_times() {	# show_times ZONE WORDS: one per line, UTC and local
	local z=$1 w
	shift
	for w in $1; do
		printf '        %s  %s\n' "$w" "$(TZ=$z date -d "$w" +%Y-%m-%dT%H:%M:%S%:z 2>/dev/null)"
	done
}
record() {	# record KIND EXPR ZONE FROM COUNT DAYS WHY SKED_RC SKED_OUT SKED_ERR REF
	differ=$((differ + 1))
	diff_exprs["$2 / $3"]=1
	if [ "$differ" -le "$MAX_SHOWN" ]; then
		{
			printf -- '--- difference %d [%s]: %s\n' "$differ" "$1" "$7"
			printf '    expr:   %s   (day fields: %s)\n' "$2" "$6"
			printf '    zone:   %s\n' "$3"
			printf '    from:   @%s (%s = %s), -n %s\n' "$4" "$(date -u -d "@$4" +%Y-%m-%dT%H:%M:%SZ)" \
				"$(TZ=$3 date -d "@$4" +%Y-%m-%dT%H:%M:%S%:z)" "$5"
			printf "    repro:  skedctl next --cron '%s' --tz %s --from @%s -n %s\n" "$2" "$3" "$4" "$5"
			printf '    sked (exit %s):\n' "$8"
			show_times "$3" "$9"
			[ -n "${10}" ] && printf '%s\n' "${10}" | sed 's/^/        stderr: /'
			printf '    croner %s:\n' "$croner_version"
			case ${11} in
			INVALID:*) printf '        %s\n' "${11}" ;;
			'') printf '        (no fire time)\n' ;;
			*) show_times "$3" "${11}" ;;
			esac
		} >> "$WORK/diffs.txt"
	else
		printf -- '--- difference %d [%s]: %s: %s in %s from @%s\n' "$differ" "$1" "$7" "$2" \
			"$3" "$4" >> "$WORK/diffs.txt"
	fi
}

exec 3< "$WORK/cases.tsv" 4< "$WORK/croner.out"
while IFS=$'\t' read -r kind expr zone from count days <&3 && IFS= read -r ref <&4; do
	rc=0
	out=$(timeout "$TIMEOUT" "$SKEDCTL" next --cron "$expr" --tz "$zone" --from "@$from" \
		-n "$count" --utc 2> "$WORK/stderr") || rc=$?
	err=$(head -c 400 "$WORK/stderr")
	out=$(printf '%s' "$out" | tr '\n' ' ')
	out=${out% }
	why=
	case $kind in
	invalid)
		if [[ $ref != INVALID:* ]]; then
			why="test list error: croner accepts this expression"
		elif [ "$rc" -ne 2 ]; then
			why="croner rejects it, sked exits $rc (wanted 2)"
		elif [ -n "$out" ] || [ -z "$err" ]; then
			why="exit 2 but stdout not empty or no message on stderr"
		fi ;;
	*)
		if [ "$rc" -eq 124 ]; then
			why="sked timed out after ${TIMEOUT}s"
		elif [[ $ref == INVALID:* ]]; then
			if [ "$kind" = valid ]; then
				why="test list error: croner rejects this expression (sked exits $rc)"
			elif [ "$rc" -ne 2 ]; then
				why="croner rejects it, sked exits $rc"
			else
				both_reject=$((both_reject + 1))
			fi
		elif [ "$rc" -ne 0 ]; then
			why="croner accepts it, sked exits $rc"
		elif [ "$out" != "$ref" ]; then
			why="fire times differ"
		fi ;;
	esac
	if [ -z "$why" ]; then
		agree=$((agree + 1))
	else
		record "$kind" "$expr" "$zone" "$from" "$count" "$days" "$why" "$rc" "$out" "$err" "$ref"
	fi
done
exec 3<&- 4<&-

t_all=$(($(date +%s) - start))
cat "$WORK/diffs.txt"
echo "croner-diff: $SKEDCTL_ORIG against croner $croner_version (node $(node -v), its tz data" \
	"$(node -p process.versions.tz); system tzdata" \
	"$(dpkg-query -W -f '${Version}' tzdata 2>/dev/null || echo '?'));" \
	"$(grep -c . "$WORK/random.txt") random expressions (seed $SEED), $ncases cases;" \
	"both reject: $both_reject; ${#diff_exprs[@]} distinct expression/zone pair(s) differ; ${t_all}s (croner ${t_ref}s)"
echo "$agree agree, $differ differ"
[ "$differ" -eq 0 ]
