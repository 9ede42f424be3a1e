/*
 * Template for a libFuzzer target over a pure C core (src/*.c that is not
 * pg_*.c or doliflow.c).  Copy to fuzz_<core>.c, list the headers it needs
 * on the "needs:" line (test/fuzz/run skips a target whose headers are not
 * in src/), and feed the bytes to a deserializer or validator: it must
 * return an error code for any input, never crash, leak or trip UBSan.
 *
 * needs:
 */
#include <stddef.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void) data;
	(void) size;
	return 0;
}
