#!/bin/sh
# skedctl next, driven as a process: output format, exit codes, messages.
. "$TOP_SRCDIR/tests/cli/lib.sh"

expect "quartz, UTC, --utc" 0 "2024-01-01T10:15:00Z
2024-01-02T10:15:00Z
2024-01-03T10:15:00Z" -- \
    "$SKEDCTL" next --cron '0 15 10 ? * *' --tz UTC --from @1704067200 -n 3 --utc

expect "zone offsets across a spring-forward gap" 0 "2024-03-09T02:30:00-05:00
2024-03-10T03:00:00-04:00
2024-03-11T02:30:00-04:00" -- \
    "$SKEDCTL" next --cron '0 30 2 * * ?' --tz America/New_York \
    --from 2024-03-09T00:00:00Z -n 3

expect "classic interval through a repeated hour" 0 "2024-11-03T05:30:00Z
2024-11-03T06:00:00Z
2024-11-03T06:30:00Z
2024-11-03T07:00:00Z" -- \
    "$SKEDCTL" next --cron '*/30 * * * *' --tz America/New_York \
    --from 2024-11-03T05:00:00Z -n 4 --utc

expect "half-hour zone offset" 0 "2024-10-06T02:30:00+11:00
2024-10-07T02:15:00+11:00" -- \
    "$SKEDCTL" next --cron '0 15 2 * * ?' --tz Australia/Lord_Howe \
    --from 2024-10-05T00:00:00Z -n 2

expect "default count is 5" 0 "1970-01-02T00:00:00Z
1970-01-03T00:00:00Z
1970-01-04T00:00:00Z
1970-01-05T00:00:00Z
1970-01-06T00:00:00Z" -- \
    "$SKEDCTL" next --cron '@daily' --tz UTC --from @0 --utc

expect "--from with an offset" 0 "2024-01-01T12:00:00Z" -- \
    "$SKEDCTL" next --cron '0 0 12 * * ?' --tz UTC \
    --from 2024-01-01T06:00:00+02:00 -n 1 --utc

expect "--from on the zone's wall clock, repeated hour: first occurrence" 0 \
    "2024-11-03T05:30:00Z" -- \
    "$SKEDCTL" next --cron '0 */30 * * * ?' --tz America/New_York \
    --from '2024-11-03 01:00:00' -n 1 --utc

expect "--from as a date" 0 "2024-02-29T00:00:00+00:00" -- \
    "$SKEDCTL" next --cron '0 0 0 L 2 ?' --tz Europe/London --from 2024-01-01 -n 1

expect "fewer lines when fewer exist" 0 "2030-01-01T00:00:00Z
2031-01-01T00:00:00Z" -- \
    "$SKEDCTL" next --cron '0 0 0 1 1 ? 2030-2031' --tz UTC --from @0 -n 5 --utc

expect "a date that never exists prints nothing" 0 "" -- \
    "$SKEDCTL" next --cron '0 0 0 30 2 ?' --tz UTC --from @0 --utc

expect "-n 0 prints nothing" 0 "" -- \
    "$SKEDCTL" next --cron '* * * * *' --tz UTC --from @0 -n 0

expect "--count is -n" 0 "1970-01-01T00:01:00Z" -- \
    "$SKEDCTL" next --cron '* * * * *' --tz UTC --from @0 --count 1 --utc

# Default FROM is now: two fire times one minute apart, in the format.
out=$("$SKEDCTL" next --cron '* * * * *' --tz UTC -n 2 --utc)
printf '%s\n' "$out" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:00Z$'
tap_ok $? "default --from is now, UTC format"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
tap_ok $? "default --from is now, two lines"

expect "TZ names the zone when --tz is absent" 0 "2024-01-01T12:00:00-05:00" -- \
    env TZ=America/New_York "$SKEDCTL" next --cron '0 0 12 * * ?' \
    --from 2024-01-01T00:00:00Z -n 1
expect "TZ as a POSIX string" 0 "2024-07-01T12:00:00-04:00" -- \
    env TZ=EST5EDT,M3.2.0,M11.1.0 "$SKEDCTL" next --cron '0 0 12 * * ?' \
    --from 2024-07-01T00:00:00Z -n 1
expect "--tz wins over TZ" 0 "2024-01-01T12:00:00+00:00" -- \
    env TZ=America/New_York "$SKEDCTL" next --cron '0 0 12 * * ?' --tz UTC \
    --from 2024-01-01T00:00:00Z -n 1
expect_err "unknown TZ" 2 "TZ: 'Nowhere/Land'" -- \
    env TZ=Nowhere/Land "$SKEDCTL" next --cron '* * * * *'

expect_err "invalid expression: field and reason" 2 \
    "day-of-week: '6#6': the week number after '#' must be 1-5" -- \
    "$SKEDCTL" next --cron '0 0 0 ? * 6#6'
expect_err "wrong field count" 2 "4 fields: expected 5" -- \
    "$SKEDCTL" next --cron '* * * *'
expect_err "unknown zone" 2 "--tz: 'Mars/Olympus_Mons'" -- \
    "$SKEDCTL" next --cron '* * * * *' --tz Mars/Olympus_Mons
expect_err "malformed zone name" 2 "--tz: '../../etc/passwd'" -- \
    "$SKEDCTL" next --cron '* * * * *' --tz ../../etc/passwd
expect_err "bad --from" 2 "--from: 'yesterday'" -- \
    "$SKEDCTL" next --cron '* * * * *' --from yesterday
expect_err "bad --from epoch" 2 "--from: '@12x'" -- \
    "$SKEDCTL" next --cron '* * * * *' --from @12x
expect_err "impossible --from date" 2 "--from: '2023-02-29T00:00:00Z'" -- \
    "$SKEDCTL" next --cron '* * * * *' --from 2023-02-29T00:00:00Z
expect_err "bad count" 2 "-n: 'many'" -- \
    "$SKEDCTL" next --cron '* * * * *' -n many
expect_err "negative count" 2 "-n: '-1'" -- \
    "$SKEDCTL" next --cron '* * * * *' -n -1
expect_err "neither --cron nor --task" 2 "exactly one of --cron and --task" -- \
    "$SKEDCTL" next
expect_err "both --cron and --task" 2 "exactly one of --cron and --task" -- \
    "$SKEDCTL" next --cron '* * * * *' --task /dev/null
expect_err "unknown option" 2 "usage: skedctl next" -- \
    "$SKEDCTL" next --cron '* * * * *' --bogus
expect_err "stray argument" 2 "unexpected argument 'extra'" -- \
    "$SKEDCTL" next --cron '* * * * *' extra
expect_err "unknown command" 2 "unknown command 'frobnicate'" -- \
    "$SKEDCTL" frobnicate

. "$TOP_SRCDIR/tests/cli/next-task.sh"
finish
