/*
 * Logging.  In the foreground: stderr, with sd-daemon "<N>" priority
 * prefixes when stderr is the journal (JOURNAL_STREAM), so journald keeps
 * the level; a plain "skedd: level: " prefix otherwise.  In the background:
 * syslog(3).  Priorities are syslog's.
 */
#ifndef SKED_LOG_H
#define SKED_LOG_H

#include <stdarg.h>
#include <syslog.h>

void	log_init(int foreground, int verbosity);
void	log_msg(int priority, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(int priority, const char *fmt, va_list);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
