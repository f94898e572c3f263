#!/bin/sh
# api-list: requests per second of GET /v2/default/scheduled-tasks?limit=50
# over N tasks of one project, one client on one keep-alive connection
# (curl -K), and skedd's CPU time per request.  Run from _build/main:
#   ../../bench/api-list.sh [N_TASKS] [N_REQUESTS]
set -eu
ntasks=${1:-10000}
nreq=${2:-10000}
skedd=${SKEDD:-./skedd}
d=$(mktemp -d "${TMPDIR:-/tmp}/sked-bench.XXXXXX")
trap 'kill "$pid" 2>/dev/null; rm -rf "$d"' EXIT
mkdir -p "$d/tasks.d" "$d/hooks.d" "$d/plugins"
cat >"$d/sked.yaml" <<EOC
socket: $d/s.sock
database: $d/sked.db
tasks_dir: $d/tasks.d
hooks_dir: $d/hooks.d
plugin_dir: $d/plugins
time_zone: UTC
EOC
awk -v n="$ntasks" 'BEGIN { for (i = 0; i < n; i++) printf \
    "- task_name: t%d\n  task_type: START\n  scheduled_type: CRON\n" \
    "  task_cron: \"0 %d %d * * ?\"\n" \
    "  target_infos: [{target_type: HOST, target_id: [h%d]}]\n", \
    i, i % 60, i % 24, i }' >"$d/tasks.d/many.yaml"
awk -v n="$nreq" -v t="$ntasks" 'BEGIN { for (i = 0; i < n; i++) printf \
    "url = \"http://localhost/v2/default/scheduled-tasks?limit=50&" \
    "offset=%d\"\noutput = \"/dev/null\"\n", (i * 50) % (t - 49) }' \
    >"$d/urls"
"$skedd" -f -c "$d/sked.yaml" 2>"$d/log" &
pid=$!
i=0
until curl -sf --unix-socket "$d/s.sock" http://localhost/v1/daemon/status \
    >/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || { cat "$d/log"; exit 1; }
	sleep 0.1
done
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
c0=$(cpu)
t0=$(date +%s.%N)
curl -s --unix-socket "$d/s.sock" -K "$d/urls"
t1=$(date +%s.%N)
c1=$(cpu)
hz=$(getconf CLK_TCK)
echo "$ntasks tasks, $nreq requests of 50: $(echo "$nreq / ($t1 - $t0)" |
    bc) requests/s, skedd $(echo "($c1 - $c0) * 1000000 / $hz / $nreq" |
    bc) us CPU per request"
