/*
 * A plugin from a future skedd: its ABI is one ahead, so skedd must refuse
 * it by reading abi alone, without touching anything else.
 */
#include <sked/plugin.h>

const struct sked_plugin sked_plugin = {
	.abi = SKED_PLUGIN_ABI + 1,
	.name = "badabi",
};
