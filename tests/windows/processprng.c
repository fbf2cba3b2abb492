/*
 * Test harness only, never part of the product: scripts/wine-prefix builds
 * this into the Wine test prefix as system32/bcryptprimitives.dll.
 *
 * Rust's std (1.78+) imports ProcessPrng from bcryptprimitives.dll, which
 * Wine 8.0 (Debian 12) lacks, so every Rust program fails to start under it
 * (STATUS_DLL_NOT_FOUND, c0000135). This stands in for it, on top of
 * RtlGenRandom (advapi32's SystemFunction036). Windows's own ProcessPrng
 * always succeeds; so does this one unless RtlGenRandom fails.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
