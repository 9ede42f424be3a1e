/*
 * fc_model_deserialize() (forecast core) on arbitrary bytes: formats 1 and 2
 * (x86-64 struct images, decoded field by field) and 3 (the ana_common
 * container, little-endian fields).  It validates magic, version, lengths,
 * checksum and finiteness and must reject, never crash.  A model it accepts
 * must pass fc_model_validate() and serialize (format 3) to bytes that read
 * back and serialize again to the same bytes; a format-3 input must be
 * exactly what the writer gives for the model it decodes to.
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
	FcModel		m,
				m2;
	size_t		n,
				written = 0,
				w2 = 0;
	unsigned char *buf,
			   *buf2;

	memset(&m, 0, sizeof(m));
	if (fc_model_deserialize(data, size, &m) != FC_OK)
		return 0;
	if (fc_model_validate(&m) != FC_OK)
		abort();				/* accepted but inconsistent */
	n = fc_model_size(&m);
	if (n == 0)
		abort();
	buf = malloc(n);
	buf2 = malloc(n);
	if (buf == NULL || buf2 == NULL)
	{
		free(buf);
		free(buf2);
		return 0;
	}
	if (fc_model_serialize(&m, buf, n, &written) != FC_OK || written != n)
		abort();
	if (size >= 6 && data[4] == FC_VERSION && data[5] == 0 &&
		(size != n || memcmp(data, buf, n) != 0))
		abort();				/* format 3 is canonical */
	if (fc_model_deserialize(buf, n, &m2) != FC_OK ||
		fc_model_serialize(&m2, buf2, n, &w2) != FC_OK || w2 != n || memcmp(buf, buf2, n) != 0)
		abort();
	free(buf);
	free(buf2);
	return 0;
}
