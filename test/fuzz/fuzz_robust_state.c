/*
 * robust_state_deserialize() (analytics core) on arbitrary bytes: magic,
 * version, length, checksum, count and finiteness are validated; any other
 * input is rejected without crash or leak.  An accepted state serializes
 * back to no more bytes than it read.
 *
 * needs: robust.h ana_common.h
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "robust.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	robust_state st;
	size_t		n = 0, written = 0;
	unsigned char *buf;

	robust_state_init(&st);
	if (robust_state_deserialize(&st, data, size, NULL) != 0)
	{
		robust_state_free(&st, NULL);
		return 0;
	}
	if (robust_state_serialized_size(&st, &n) != 0 || n > size)
		abort();
	buf = malloc(n ? n : 1);
	if (buf != NULL)
	{
		if (robust_state_serialize(&st, buf, n, &written) != 0 || written != n)
			abort();
		free(buf);
	}
	robust_state_free(&st, NULL);
	return 0;
}
