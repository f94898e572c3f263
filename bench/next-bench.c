/*
 * next-bench: cost of one next-fire computation, in process.
 *
 *	next-bench [--mix quartz|classic] [--tz ZONE] [--calls N]
 *
 * Each expression of the mix is compiled once; call i asks expression
 * i % 20 for its next fire time after its own previous result (from
 * 2024-01-01T00:00:00Z, and again from there when one runs out).  Prints
 * the parse cost per expression, each of 5 timed runs after a warm-up, and
 * last "median N ns/call".
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"
#include "tz.h"

#define NEXPR		20
#define RUNS		5
#define START		1704067200	/* 2024-01-01T00:00:00Z */
#define PARSE_REPS	20000

/* Peers are measured on exactly this list (issue 2). */
static const char *const quartz_mix[NEXPR] = {
	"0 0 * * * ?", "0 */5 * * * ?", "*/7 * * * * ?", "0 0 12 ? * MON-FRI",
	"0 15 10 ? * 6L", "0 0 0 L * ?", "0 0 0 L-3 * ?", "0 0 0 LW * ?",
	"0 0 0 15W * ?", "0 0 12 ? * 6#5", "0 0/30 8-18 ? * 2-6",
	"0 0 0 29 2 ?", "0 30 2 * * ?", "0 10-50/7 * * * ?",
	"0 0 0 1 1 ? 2030-2090", "0 0 0 ? JAN,MAR,DEC SUN", "15 20 4 1,15 * ?",
	"0 0 3 ? * 1#1", "0 45 23 31 * ?", "0 0 9-17 ? * MON-FRI",
};

/* Lists, ranges, steps, names, the dom/dow OR rule and macros. */
static const char *const classic_mix[NEXPR] = {
	"* * * * *", "*/5 * * * *", "0 * * * *", "30 4 * * *", "0 0 * * 0",
	"0 9-17 * * 1-5", "*/15 9-17 * * mon-fri", "0 0 1 * *", "0 0 1 1 *",
	"30 4 1,15 * 5", "0 12 * * sat,sun", "5 4 * * sun", "0 22 * * 1-5",
	"23 0-20/2 * * *", "0 0 */2 * 1", "0 6,18 * jan-mar *", "15 14 1 * *",
	"@hourly", "@daily", "@weekly",
};

static double
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e9 + ts.tv_nsec);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* Returns a checksum so the compiler cannot drop the calls. */
static int64_t
run(const struct sched *s, int64_t *last, long calls)
{
	int64_t	sum = 0, t;
	long	i;
	int	e = 0;

	for (i = 0; i < calls; i++) {
		if (sched_next(&s[e], last[e], &t) != 0)
			t = START;
		last[e] = t;
		sum += t;
		if (++e == NEXPR)
			e = 0;
	}
	return (sum);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mix", required_argument, NULL, 'm' },
		{ "tz", required_argument, NULL, 'z' },
		{ "calls", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const	*mix = quartz_mix;
	const char		*mixname = "quartz", *zname = "America/New_York";
	const char		*cause;
	struct tz_cache		*zones;
	const struct tz		*zone;
	struct sched		 s[NEXPR];
	int64_t			 last[NEXPR], check = 0;
	double			 ns[RUNS], t0, total_parse = 0;
	char			 err[SCHED_ERRLEN];
	long			 calls = 2000000;
	int			 ch, i, r;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (strcmp(optarg, "quartz") == 0)
				mix = quartz_mix;
			else if (strcmp(optarg, "classic") == 0)
				mix = classic_mix;
			else {
				fprintf(stderr, "next-bench: --mix: quartz or "
				    "classic\n");
				return (2);
			}
			mixname = optarg;
			break;
		case 'z':
			zname = optarg;
			break;
		case 'c':
			calls = strtol(optarg, NULL, 10);
			if (calls < NEXPR) {
				fprintf(stderr, "next-bench: --calls: at least "
				    "%d\n", NEXPR);
				return (2);
			}
			break;
		default:
			fprintf(stderr, "usage: next-bench [--mix quartz|classic]"
			    " [--tz ZONE] [--calls N]\n");
			return (2);
		}
	}
	if ((zones = tz_cache_new(NULL)) == NULL ||
	    tz_cache_get(zones, zname, &zone, &cause) != 0) {
		fprintf(stderr, "next-bench: %s: %s\n", zname,
		    zones ? cause : "out of memory");
		return (2);
	}

	printf("mix %s, zone %s, %ld calls per run\n", mixname, zname, calls);
	printf("parse cost per expression:\n");
	for (i = 0; i < NEXPR; i++) {
		t0 = now_ns();
		for (r = 0; r < PARSE_REPS; r++)
			if (sched_parse_cron(&s[i], mix[i], zone, err,
			    sizeof err) != 0) {
				fprintf(stderr, "next-bench: '%s': %s\n", mix[i],
				    err);
				return (1);
			}
		t0 = (now_ns() - t0) / PARSE_REPS;
		total_parse += t0;
		printf("  %-26s %7.0f ns\n", mix[i], t0);
		last[i] = START;
	}
	printf("  mean parse %.0f ns/expression\n", total_parse / NEXPR);

	check += run(s, last, calls);	/* warm-up */
	for (r = 0; r < RUNS; r++) {
		t0 = now_ns();
		check += run(s, last, calls);
		ns[r] = (now_ns() - t0) / (double)calls;
		printf("run %d: %.1f ns/call\n", r + 1, ns[r]);
	}
	qsort(ns, RUNS, sizeof ns[0], cmp_double);
	fprintf(stderr, "checksum %lld\n", (long long)check);
	printf("median %.0f ns/call\n", ns[RUNS / 2]);
	tz_cache_free(zones);
	return (0);
}
