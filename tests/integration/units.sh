#!/bin/sh
# systemd-analyze verify on both units, with ExecStart pointing at the
# skedd just built (verify insists that every program a unit runs exists:
# ExecReload's /bin/kill is procps').  The tool comes with the systemd
# package, installed by .ci/run for this test only.
. "$TOP_SRCDIR/tests/cli/lib.sh"
: "${SKEDD:?SKEDD is not set (run through make check)}"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze not installed (apt-get install systemd)"
	exit 0
fi

mkdir -p "$TMPD/units"
sed "s|^ExecStart=[^ ]*|ExecStart=$SKEDD|" \
    "$TOP_BUILDDIR/systemd/skedd.service" >"$TMPD/units/skedd.service"
cp "$TOP_SRCDIR/systemd/skedd.socket" "$TMPD/units/skedd.socket"

grep -q "^ExecStart=$SKEDD -f\$" "$TMPD/units/skedd.service"
tap_ok $? "the service runs skedd in the foreground"

for unit in skedd.service skedd.socket; do
	out=$(cd "$TMPD/units" && systemd-analyze verify --man=no "./$unit" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && [ -z "$out" ]
	tap_ok $? "systemd-analyze verify $unit: clean"
	# on stderr too, so that a CI log shows why
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /' | tee /dev/stderr
done

# Each setting the daemon relies on is there.
for want in Type=notify "ExecReload=/bin/kill -HUP \$MAINPID" \
    WatchdogSec= RuntimeDirectory=sked StateDirectory=sked PrivateTmp=true \
    ProtectSystem= Requires=skedd.socket; do
	grep -q "^$want" "$TMPD/units/skedd.service"
	tap_ok $? "skedd.service has $want"
done
grep -q "^ListenStream=/run/sked/skedd.sock\$" "$TMPD/units/skedd.socket"
tap_ok $? "skedd.socket listens on skedd's default socket"
finish
