// Reference side of tests/diff/quartz-diff.sh: Quartz 2.3.2's CronExpression.
//
//   java QuartzNext            reads "EXPR<TAB>FROM_EPOCH<TAB>COUNT" lines on stdin and
//                              prints one line per input line: the next COUNT fire times
//                              strictly after FROM in UTC, as YYYY-MM-DDTHH:MM:SSZ separated
//                              by single spaces (an empty line when there are none), or
//                              "INVALID: message" when the constructor throws, or
//                              "TIMEOUT" when Quartz loops (-Dquartz.timeout=SECONDS, 10).
//                              EXPR may be "PART || PART ...": the union of the parts.
//   java QuartzNext gen SEED N prints N random expressions that Quartz 2.3.2 and sked both
//                              accept, each followed by a TAB and two random instants
//                              (epoch seconds, 1990-2090) separated by a TAB
//                              (java.util.Random: the same list on every machine).
//
// Everything runs in one JVM.  Not part of `make check`; see README.md here.

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Random;
import java.util.TimeZone;
import java.util.TreeSet;

import org.quartz.CronExpression;

public final class QuartzNext {
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("gen")) {
            generate(Long.parseLong(args[1]), Integer.parseInt(args[2]));
            return;
        }
        if (args.length != 0) {
            System.err.println("usage: QuartzNext [gen SEED N] < cases");
            System.exit(2);
        }
        SimpleDateFormat fmt = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
        fmt.setTimeZone(UTC);
        long timeoutMs = Long.parseLong(System.getProperty("quartz.timeout", "10")) * 1000L;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            if (f.length != 3) {
                out.write("BADCASE: " + line + "\n");
                continue;
            }
            out.write(guarded(fmt, f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), timeoutMs));
            out.write('\n');
        }
        out.flush();
        System.exit(0);         // a runaway worker thread must not keep the JVM alive
    }

    // Quartz 2.3.2 loops forever on a few expressions: compute on a worker thread and
    // give up after timeoutMs, answering "TIMEOUT".
    private static final java.util.Set<String> hung = new java.util.HashSet<>();

    @SuppressWarnings({"deprecation", "removal"})
    private static String guarded(SimpleDateFormat fmt, String expr, long from, int count, long timeoutMs)
            throws InterruptedException {
        if (hung.contains(expr))        // once is enough: do not wait again for each FROM
            return "TIMEOUT";
        final String[] result = new String[1];
        Thread t = new Thread(() -> result[0] = next(fmt, expr, from, count));
        t.setDaemon(true);
        t.start();
        t.join(timeoutMs);
        if (t.isAlive()) {
            try {
                t.stop();       // deprecated, still works on Java 17; harmless to try
            } catch (Throwable e) {
                // newer JVMs: the daemon thread spins on, the JVM exits at the end anyway
            }
            hung.add(expr);
            return "TIMEOUT";
        }
        return result[0];
    }

    // EXPR may be "PART || PART ...": the union of the parts' fire times (used to check
    // sked's documented extensions, which Quartz rejects, against Quartz itself).
    private static String next(SimpleDateFormat fmt, String expr, long from, int count) {
        TreeSet<Long> all = new TreeSet<>();
        String error = null;
        for (String part : expr.split(" \\|\\| ")) {
            CronExpression ce;
            try {
                ce = new CronExpression(part);
            } catch (Exception e) {     // ParseException, and anything else it throws
                return "INVALID: " + String.valueOf(e.getMessage()).replace('\n', ' ');
            }
            ce.setTimeZone(UTC);
            Date d = new Date(from * 1000L);
            try {
                for (int i = 0; i < count; i++) {
                    d = ce.getNextValidTimeAfter(d);
                    if (d == null)
                        break;
                    all.add(d.getTime());
                }
            } catch (RuntimeException e) {
                error = "EXCEPTION:" + e.getClass().getSimpleName();
            }
        }
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (long t : all) {
            if (n++ == count)
                break;
            if (sb.length() > 0)
                sb.append(' ');
            sb.append(fmt.format(new Date(t)));
        }
        if (error != null)
            sb.append(sb.length() > 0 ? " " : "").append(error);
        return sb.toString();
    }

    // ------------------------------------------------------------------ generator
    //
    // Only what both sides document and accept: no plain L in a day-of-month list,
    // no #/L rules in a day-of-week list, no step after a name (Quartz ignores it),
    // years 1990-2098 (Quartz's own limit is now + 100 years).

    private static Random rnd;

    private static int r(int lo, int hi) { return lo + rnd.nextInt(hi - lo + 1); }
    private static boolean p(int percent) { return rnd.nextInt(100) < percent; }

    private static final String[] MON = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DOW = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    private static String maybeLower(String s) {
        return p(15) ? s.toLowerCase() : s;
    }

    // One list element of a numeric field lo..hi; wrap allows a-b with a > b.
    private static String elem(int lo, int hi, boolean wrap) {
        int span = hi - lo;
        switch (r(0, 9)) {
            case 0: case 1: case 2:
                return Integer.toString(r(lo, hi));
            case 3: case 4: {
                int a = r(lo, hi - 1), b = r(a + 1, hi);
                return a + "-" + b;
            }
            case 5: {
                int a = r(lo, hi - 1), b = r(a + 1, hi);
                return a + "-" + b + "/" + r(1, Math.max(1, b - a));
            }
            case 6:
                return r(lo, hi) + "/" + r(1, Math.max(1, span / 2));
            case 7:
                return "*/" + r(1, Math.max(1, span / 2));
            case 8:
                if (wrap) {
                    int a = r(lo + 1, hi), b = r(lo, a - 1);
                    return p(70) ? a + "-" + b : a + "-" + b + "/" + r(1, 3);
                }
                return Integer.toString(r(lo, hi));
            default:
                return Integer.toString(r(lo, hi));
        }
    }

    private static String field(int lo, int hi, boolean wrap, int starPercent) {
        if (p(starPercent))
            return "*";
        int n = p(70) ? 1 : r(2, 3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0)
                sb.append(',');
            String e = elem(lo, hi, wrap);
            if (n > 1 && e.startsWith("*"))
                e = Integer.toString(r(lo, hi));
            sb.append(e);
        }
        return sb.toString();
    }

    private static String seconds() {
        if (p(55))
            return p(60) ? "0" : Integer.toString(r(0, 59));
        return field(0, 59, true, 10);
    }

    private static String minutes() {
        if (p(35))
            return Integer.toString(r(0, 59));
        return field(0, 59, true, 15);
    }

    private static String hours() {
        if (p(35))
            return Integer.toString(r(0, 23));
        return field(0, 23, true, 20);
    }

    private static String months() {
        if (p(45))
            return "*";
        switch (r(0, 4)) {
            case 0:
                return maybeLower(MON[r(0, 11)]);
            case 1: {
                int a = r(0, 11), b = r(0, 11);
                if (a == b)
                    b = (b + 1) % 12;
                return maybeLower(MON[a] + "-" + MON[b]);     // may wrap (NOV-FEB)
            }
            case 2: {
                int a = r(0, 11), b = r(0, 11);
                if (a == b)
                    b = (b + 1) % 12;
                return maybeLower(MON[a] + "," + MON[b]);
            }
            default:
                return field(1, 12, true, 0);
        }
    }

    private static String daysOfMonth() {
        switch (r(0, 14)) {
            case 0:
                return "L";
            case 1:
                return "L-" + r(0, 30);
            case 2:
                return "LW";
            case 3:
                return "L-" + r(0, 10) + "W";
            case 4:
            case 5:
                return r(1, 31) + "W";
            case 6:
                return "*";
            case 7:
                return p(50) ? "29" : "31";
            default:
                return field(1, 31, true, 0);
        }
    }

    private static String daysOfWeek() {
        switch (r(0, 12)) {
            case 0:
                return r(1, 7) + "L";
            case 1:
            case 2:
                return (p(30) ? maybeLower(DOW[r(0, 6)]) : Integer.toString(r(1, 7))) + "#" + r(1, 5);
            case 3:
                return "L";
            case 4:
                return "*";
            case 5:
                return maybeLower(DOW[r(0, 6)]);
            case 6: {
                int a = r(0, 6), b = r(0, 6);
                if (a == b)
                    b = (b + 1) % 7;
                return maybeLower(DOW[a] + "-" + DOW[b]);     // may wrap (FRI-MON)
            }
            case 7: {
                int a = r(0, 6), b = r(0, 6);
                if (a == b)
                    b = (b + 1) % 7;
                return maybeLower(DOW[a] + "," + DOW[b]);
            }
            default:
                return field(1, 7, true, 0);
        }
    }

    private static String years() {
        switch (r(0, 4)) {
            case 0:
                return "*";
            case 1:
                return Integer.toString(r(1990, 2098));
            case 2: {
                int a = r(1990, 2090);
                return a + "-" + r(a + 1, Math.min(2098, a + 20));
            }
            case 3:
                return r(1990, 2060) + "/" + r(1, 12);
            default: {
                int a = r(1990, 2098), b = r(1990, 2098);
                if (a == b)
                    b = a == 2098 ? 1990 : a + 1;
                return a + "," + b;
            }
        }
    }

    private static void generate(long seed, int n) {
        rnd = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String dom, dow;
            if (p(50)) {
                dom = daysOfMonth();
                dow = "?";
            } else {
                dom = "?";
                dow = daysOfWeek();
            }
            String e = seconds() + " " + minutes() + " " + hours() + " " + dom + " " + months() + " " + dow;
            if (p(30))
                e += " " + years();
            // and two instants between 1990 and 2090 to start from
            sb.append(e).append('\t').append(631152000L + (long) (rnd.nextDouble() * 3155760000L))
                    .append('\t').append(631152000L + (long) (rnd.nextDouble() * 3155760000L)).append('\n');
        }
        System.out.print(sb);
    }
}
