/*
 * fc_model_deserialize() (forecast core) on arbitrary bytes: it validates
 * magic, version, lengths and finiteness and must reject, never crash.  A
 * model it accepts must pass fc_model_validate() and serialize back to the
 * same bytes.
 *
 * needs: forecast.h
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forecast.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FcModel		m;
	size_t		n, written = 0;
	void	   *buf;

	memset(&m, 0, sizeof(m));
	if (fc_model_deserialize(data, size, &m) != FC_OK)
		return 0;
	if (fc_model_validate(&m) != FC_OK)
		abort();				/* accepted but inconsistent */
	n = fc_model_size(&m);
	if (n == 0 || n > size)
		abort();
	buf = malloc(n);
	if (buf == NULL)
		return 0;
	if (fc_model_serialize(&m, buf, n, &written) != FC_OK || written != n)
		abort();
	free(buf);
	return 0;
}
