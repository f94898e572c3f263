#!/bin/bash
# Authorization and server limits of the control API: who may use which
# project over the unix socket (as a second, unprivileged uid: needs root)
# and over TCP with tokens; 413, 431, 405 + Allow, one percent-decoding,
# slow clients.
. "$TOP_SRCDIR/tests/integration/lib.sh"

port=$(( 20000 + $$ % 20000 ))
token=sekrit-$$
hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
tuser=
tgroup=sked-adm-$$
if [ "$(id -u)" -eq 0 ]; then
	tuser=sked-test-$$
	groupadd -r "$tgroup" && useradd -M -r -s /bin/false "$tuser" ||
	    tuser=
fi
auth_cleanup() {
	if [ -n "$tuser" ]; then
		userdel "$tuser" 2>/dev/null
		groupdel "$tgroup" 2>/dev/null
	fi
	cleanup
}
trap auth_cleanup EXIT

for p in p1 p2; do
	cat >"$TASKS/$p.yaml" <<EOF2
- task_name: t-$p
  project_id: $p
  task_type: EXECUTE_SCRIPT
  scheduled_type: CRON
  task_cron: "0 0 3 * * ?"
  input_param: { command: "true" }
EOF2
done
write_config "listen_tcp: 127.0.0.1:$port
socket_mode: 0666
admin_group: $tgroup
request_body_max: 1024
request_header_max: 2048
connection_timeout: 2
tokens:
  - { name: ci, sha256: $hash, projects: [p1] }
projects:
  p1: { users: [${tuser:-nobody}] }"
start_skedd
tap_ok $? "skedd starts with listen_tcp"

status() { printf '%s' "${1%% *}"; }
body() { printf '%s' "${1#* }"; }

# tcp [CURL ARGS...] PATH: "STATUS BODY" over TCP
tcp() {
	local path=${*: -1}
	curl -s -o "$TMPD/tcp.body" -w '%{http_code}' "${@:1:$#-1}" \
	    "http://127.0.0.1:$port$path"
	printf ' '
	cat "$TMPD/tcp.body"
}

out=$(api GET /v2/p2/scheduled-tasks)
check "root on the socket: any project" "200 1" \
    "$(status "$out") $(jget "$(body "$out")" .total_count)"

# TCP and tokens
out=$(tcp /v2/p1/scheduled-tasks)
check "TCP without a token: 401" "401 SKED.0401" \
    "$(status "$out") $(jget "$(body "$out")" .error_code)"
out=$(tcp -H "X-Auth-Token: wrong" /v2/p1/scheduled-tasks)
check "TCP with a wrong token: 401" "401" "$(status "$out")"
out=$(tcp -H "X-Auth-Token: $token" /v2/p1/scheduled-tasks)
check "TCP token on its project: 200" "200 1" \
    "$(status "$out") $(jget "$(body "$out")" .total_count)"
out=$(tcp -H "X-Auth-Token: $token" /v2/p2/scheduled-tasks)
check "TCP token on another project: 403 naming it" "403 SKED.0403 yes" \
    "$(status "$out") $(jget "$(body "$out")" .error_code) $(jget "$(body "$out")" '.error_msg | contains("p2")' | sed 's/true/yes/')"
out=$(tcp -H "X-Auth-Token: $token" /v1/daemon/status)
check "TCP token: status 200" "200" "$(status "$out")"
out=$(tcp -H "X-Auth-Token: $token" -X POST /v1/daemon/reload)
check "TCP token of one project: reload 403" "403" "$(status "$out")"

# limits
head -c 4096 /dev/zero | tr '\0' x >"$TMPD/big"
out=$(api POST /v1/p1/schedule-task "$(cat "$TMPD/big")")
check "body past request_body_max: 413" "413 SKED.0413" \
    "$(status "$out") $(jget "$(body "$out")" .error_code)"
out=$(curl -s -o "$TMPD/h.body" -w '%{http_code}' --unix-socket "$SKED_SOCKET" \
    -H "X-Pad: $(head -c 3000 /dev/zero | tr '\0' y)" \
    http://localhost/v1/daemon/status)
check "header block past request_header_max: 431 in JSON" "431 SKED.0431" \
    "$out $(jq -r .error_code "$TMPD/h.body")"
out=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SKED_SOCKET" \
    -H "X-Pad: $(head -c 40000 /dev/zero | tr '\0' y)" \
    http://localhost/v1/daemon/status)
check "a huge header block: still 431" "431" "$out"
allow=$(curl -s -D - -o /dev/null -X DELETE --unix-socket "$SKED_SOCKET" \
    http://localhost/v2/p1/scheduled-tasks | tr -d '\r' |
    sed -n 's/^Allow: //Ip')
check "405 carries Allow" "GET" "$allow"
out=$(api GET /v1/p1/schedule-task/x%2Fexecute-history)
check "%2F stays in its segment: 404 for task x/execute-history" \
    "404 no task 'x/execute-history' in project p1" \
    "$(status "$out") $(jget "$(body "$out")" .error_msg | sed 's/^task_id: //')"
tid=$(jget "$(api GET /v2/p1/scheduled-tasks | cut -d' ' -f2-)" '.scheduled_tasks[0].id')
out=$(api GET "/v1/p%31/schedule-task/$tid")
check "an encoded project name is decoded once" "200" "$(status "$out")"

# a client that sends half a request does not hold up the others, and is
# closed after connection_timeout
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /v1/daemon/status HTTP/1.1\r\nHost: x\r\n' >&3
t0=$(date +%s)
out=$(tcp -m 2 -H "X-Auth-Token: $token" /v1/daemon/status)
check "others are served while a client dawdles" "200" "$(status "$out")"
timeout 10 cat <&3 >/dev/null
t1=$(date +%s)
[ $((t1 - t0)) -le 6 ]
tap_ok $? "the slow client is closed after connection_timeout ($((t1 - t0)) s)"
exec 3<&-

# listen_tcp is bound at start: a reload keeps the listener, and says so
sed -i "s/127.0.0.1:$port/127.0.0.1:$((port + 1))/" "$CONF"
out=$(api POST /v1/daemon/reload)
check "reload with another listen_tcp: 200" "200" "$(status "$out")"
grep -q "listen_tcp changes at the next restart" "$LOG"
tap_ok $? "the log says listen_tcp changes at the next restart"
out=$(tcp -H "X-Auth-Token: $token" /v1/daemon/status)
check "the TCP listener stays where it was" "200" "$(status "$out")"
sed -i "s/127.0.0.1:$((port + 1))/127.0.0.1:$port/" "$CONF"

# another uid on the socket
if [ -z "$tuser" ]; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - another uid on the socket # SKIP needs root (to" \
	    "create a throwaway user and run curl as it)"
else
	chmod 0755 "$TMPD"
	as_user() {
		setpriv --reuid="$tuser" --regid="$tuser" --init-groups \
		    curl -s -o /dev/null -w '%{http_code}' \
		    --unix-socket "$SKED_SOCKET" "$@"
	}
	check "listed user: its project 200" "200" \
	    "$(as_user http://localhost/v2/p1/scheduled-tasks)"
	check "listed user: another project 403" "403" \
	    "$(as_user http://localhost/v2/p2/scheduled-tasks)"
	check "listed user: status 200" "200" \
	    "$(as_user http://localhost/v1/daemon/status)"
	check "listed user: reload 403" "403" \
	    "$(as_user -X POST http://localhost/v1/daemon/reload)"
	check "listed user: approve 403 (administrators only)" "403" \
	    "$(as_user -X POST --data '{"approve_status":"PASSED"}' \
	    "http://localhost/v1/schedule/task/$tid/approve")"
	body='{"task_name":"by-user","task_type":"EXECUTE_SCRIPT","scheduled_type":"CRON","task_cron":"0 0 3 * * ?","input_param":{"command":"true"}}'
	check "listed user: create in its project 200" "200" \
	    "$(as_user -X POST --data "$body" \
	    http://localhost/v1/p1/schedule-task)"
	check "listed user: create in another project 403" "403" \
	    "$(as_user -X POST --data "$body" \
	    http://localhost/v1/p2/schedule-task)"
	check "and nothing was created there" "0" \
	    "$(jget "$(api GET '/v2/p2/scheduled-tasks?task_name=by-user' |
	    cut -d' ' -f2-)" .total_count)"
	usermod -a -G "$tgroup" "$tuser"
	check "admin_group member: every project" "200" \
	    "$(as_user http://localhost/v2/p2/scheduled-tasks)"
	check "admin_group member: reload" "200" \
	    "$(as_user -X POST http://localhost/v1/daemon/reload)"
fi

stop_skedd
check "skedd exits 0" 0 "$skedd_rc"

# max_connections: the one past the limit is refused, the next one after a
# slot frees is served
write_config "listen_tcp: 127.0.0.1:$port
max_connections: 2
tokens:
  - { name: ci, sha256: $hash, projects: [p1] }"
start_skedd
tap_ok $? "skedd starts with max_connections 2"
exec 3<>"/dev/tcp/127.0.0.1/$port" 4<>"/dev/tcp/127.0.0.1/$port"
sleep 0.3
out=$(tcp -m 2 -H "X-Auth-Token: $token" /v1/daemon/status)
check "a third connection is refused" "000" "$(status "$out")"
exec 3<&- 4<&-
# skedd sees the closes at its next turn; a slow (ASan) run needs longer
tcp_status() {
	[ "$(status "$(tcp -m 2 -H "X-Auth-Token: $token" \
	    /v1/daemon/status)")" = 200 ]
}
wait_for 10 tcp_status
tap_ok $? "served again once the others close"
stop_skedd
check "skedd exits 0 again" 0 "$skedd_rc"
show_log_on_failure
finish
