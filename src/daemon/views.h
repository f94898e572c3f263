/*
 * The JSON shapes of the API (the seeds' field names), built with jansson.
 */
#ifndef SKED_VIEWS_H
#define SKED_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct daemon;
struct dtask;
struct store_execution;

json_t	*view_task(struct daemon *, struct dtask *);
json_t	*view_task_list_item(struct daemon *, struct dtask *);
/* The same as compact JSON text, from a small cache; valid until the next
 * call. */
const char *view_task_list_text(struct daemon *, struct dtask *,
	    size_t *len);
void	 view_cache_free(struct daemon *);
/* The O&M shape of seed 004. */
json_t	*view_task_om(struct daemon *, struct dtask *);
json_t	*view_execution(const struct store_execution *, bool subtasks);
/* "2024-03-07T10:40:43.858Z", or JSON null for 0 */
json_t	*view_time_ms(int64_t ms);
/* The same text: 2024-03-07T10:40:43.000Z (size 32 is enough). */
void	 view_iso_ms(int64_t ms, char *out, size_t size);
/* "yyyy-MM-dd HH:mm:ss" in the task's zone, or null */
json_t	*view_next_execution(struct daemon *, struct dtask *);

#endif
