// Reference side of tests/diff/croner-diff.sh: croner (npm) for classic 5-field
// expressions, in any IANA zone.  The croner module to load is $CRONER_MODULE (the
// script installs croner outside the source tree).
//
//   node croner-next.mjs             reads "EXPR<TAB>ZONE<TAB>FROM_EPOCH<TAB>COUNT<TAB>DAYS"
//                                    lines on stdin; DAYS is "or" (Vixie's rule when both
//                                    day fields are restricted) or "and".  Prints one line
//                                    per input line: the next COUNT fire times strictly
//                                    after FROM as YYYY-MM-DDTHH:MM:SSZ (UTC) separated by
//                                    spaces, or "INVALID: message".
//   node croner-next.mjs gen SEED N  prints N random classic expressions (a seeded PRNG:
//                                    the same list on every machine).
//
// One node process for everything.  Not part of `make check`; see README.md here.

import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

function mulberry32(seed) {
	let a = seed >>> 0;
	return function () {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// ---------------------------------------------------------------- generator
// Only the classic dialect both sides document: values, ascending ranges, */n, a-b/n,
// lists, month and weekday names (not in steps), weekdays 0-7.  Hours lean towards
// 0-3 and minutes towards 0/15/30/45/59, where the DST transitions of the zones are.
function generate(seed, n) {
	const rnd = mulberry32(seed);
	const r = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
	const p = (percent) => rnd() * 100 < percent;
	const pick = (a) => a[r(0, a.length - 1)];
	const MON = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
	const DOW = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
	const up = (s) => (p(60) ? s.toUpperCase() : s);

	function elem(lo, hi, favoured) {
		const v = () => (favoured && p(50) ? pick(favoured) : r(lo, hi));
		switch (r(0, 9)) {
		case 0: case 1: case 2: case 3:
			return String(v());
		case 4: case 5: {
			const a = r(lo, hi - 1);
			return `${a}-${r(a + 1, hi)}`;
		}
		case 6: {
			const a = r(lo, hi - 1), b = r(a + 1, hi);
			return `${a}-${b}/${r(1, Math.max(1, b - a))}`;
		}
		case 7:
			return `*/${r(1, Math.max(1, Math.floor((hi - lo) / 2)))}`;
		default:
			return String(v());
		}
	}
	function field(lo, hi, star, favoured) {
		if (p(star))
			return "*";
		const k = p(70) ? 1 : r(2, 3), parts = [];
		for (let i = 0; i < k; i++) {
			let e = elem(lo, hi, favoured);
			if (k > 1 && e.startsWith("*"))
				e = String(r(lo, hi));
			parts.push(e);
		}
		return parts.join(",");
	}
	const out = [];
	for (let i = 0; i < n; i++) {
		const minute = p(40) ? String(pick([0, 15, 30, 45, 59, r(0, 59)])) : field(0, 59, 15, [0, 15, 30, 45, 59]);
		const hour = p(40) ? String(pick([0, 1, 2, 3, 23, r(0, 23)])) : field(0, 23, 25, [0, 1, 2, 3, 23]);
		let dom, month, dow;
		dom = p(55) ? "*" : field(1, 31, 0);
		switch (r(0, 6)) {
		case 0: month = up(pick(MON)); break;
		case 1: {
			const a = r(0, 10);
			month = up(`${MON[a]}-${MON[r(a + 1, 11)]}`);
			break;
		}
		case 2: month = field(1, 12, 0); break;
		default: month = "*";
		}
		switch (r(0, 9)) {
		case 0: dow = up(pick(DOW)); break;
		case 1: {
			const a = r(0, 5);
			dow = up(`${DOW[a]}-${DOW[r(a + 1, 6)]}`);
			break;
		}
		case 2: case 3: dow = field(0, 7, 0); break;
		case 4: dow = p(50) ? "7" : "0"; break;
		default: dow = "*";
		}
		out.push(`${minute} ${hour} ${dom} ${month} ${dow}`);
	}
	process.stdout.write(out.map((l) => l + "\n").join(""));
}

// ---------------------------------------------------------------- reference
function iso(d) {
	return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function reference() {
	const modPath = process.env.CRONER_MODULE;
	if (!modPath) {
		console.error("croner-next: CRONER_MODULE is not set");
		process.exit(2);
	}
	const { Cron } = await import(pathToFileURL(modPath).href);
	const out = [];
	const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
	for await (const line of rl) {
		const [expr, zone, from, count, days] = line.split("\t");
		let res;
		try {
			const job = new Cron(expr, {
				timezone: zone,
				mode: "5-part",
				domAndDow: days === "and",      // croner >= 10
				legacyMode: days !== "and",     // the same for croner < 10
				paused: true,
			});
			res = job.nextRuns(Number(count), new Date(Number(from) * 1000)).map(iso).join(" ");
		} catch (e) {
			res = "INVALID: " + String(e && e.message ? e.message : e).replace(/\n/g, " ");
		}
		out.push(res);
	}
	process.stdout.write(out.map((l) => l + "\n").join(""));
}

if (process.argv[2] === "gen")
	generate(Number(process.argv[3]), Number(process.argv[4]));
else
	await reference();
