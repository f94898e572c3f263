/*
 * Logging to stderr or syslog.  Without -v, skedd logs notices and worse;
 * each -v adds a level (info, then debug).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int	log_foreground = 1;
static int	log_journal;
static int	log_max = LOG_NOTICE;

/* Is stderr the stream JOURNAL_STREAM names ("dev:inode")? */
static int
stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return (0);
	if (fstat(STDERR_FILENO, &st) != 0)
		return (0);
	return ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino);
}

void
log_init(int foreground, int verbosity)
{
	log_foreground = foreground;
	log_max = LOG_NOTICE + verbosity;
	if (log_max > LOG_DEBUG)
		log_max = LOG_DEBUG;
	log_journal = foreground && stderr_is_journal();
	if (!foreground)
		openlog("skedd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_vmsg(int priority, const char *fmt, va_list ap)
{
	static const char *const names[] = { "emergency", "alert",
	    "critical", "error", "warning", "notice", "info", "debug" };
	char	buf[2048];

	if ((priority & LOG_PRIMASK) > log_max)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (!log_foreground)
		syslog(priority, "%s", buf);
	else if (log_journal)
		fprintf(stderr, "<%d>%s\n", priority & LOG_PRIMASK, buf);
	else
		fprintf(stderr, "skedd: %s: %s\n",
		    names[priority & LOG_PRIMASK], buf);
}

void
log_msg(int priority, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(priority, fmt, ap);
	va_end(ap);
}
