/*
 * yaml2json_text (skedctl add and edit) under fuzzing.
 *
 * Input: a YAML (or JSON) document.
 *
 * Oracles: no crash, leak or sanitizer report; a refusal has a message;
 * the JSON text of a result, read back as YAML, is the same JSON value
 * (JSON is YAML, and scalars keep their types both ways).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "skedctl/skedctl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*j, *back;
	char	 err[512], *text;

	if (size > 64 * 1024)
		return (0);
	err[0] = '\0';
	j = yaml2json_text("fuzz.yaml", (const char *)data, size, err,
	    sizeof err);
	if (j == NULL) {
		if (err[0] == '\0') {
			fprintf(stderr, "fuzz: refused without a message\n");
			abort();
		}
		return (0);
	}
	if ((text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL) {
		/* jansson refuses to print invalid UTF-8: not ours */
		json_decref(j);
		return (0);
	}
	/*
	 * Read back as skedctl reads a .json file: with jansson (YAML would
	 * fold a raw U+0085 or U+2028 in a string, a line break to it).
	 */
	back = json_loads(text, JSON_DECODE_ANY, NULL);
	if (back != NULL && !json_equal(j, back)) {
		fprintf(stderr, "fuzz: JSON read back differs: %s\n", text);
		abort();
	}
	json_decref(back);
	free(text);
	json_decref(j);
	return (0);
}
