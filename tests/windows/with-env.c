/*
 * Test harness only, never part of the product: tests/windows.rs builds this
 * with mingw-w64 and runs ssoenv.exe through it under Wine.
 *
 *   with-env.exe PROGRAM ARGS...
 *
 * Wine sets USERPROFILE, APPDATA, LOCALAPPDATA, TEMP and TMP from its prefix,
 * over whatever the Linux side passed, so a test cannot point them at a home
 * of its own. This program can: for each variable SSOENV_WINE_SET_<NAME> in
 * its environment it sets <NAME> to that value (and drops the SSOENV_WINE_SET_
 * one), then runs the rest of its own command line, exactly as it was given,
 * with the standard handles it has, and exits with the program's exit code.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define PREFIX L"SSOENV_WINE_SET_"

static void apply_settings(void)
{
	WCHAR *block = GetEnvironmentStringsW();
	size_t prefix_len = wcslen(PREFIX);
	/* Collected first: changing the environment invalidates the block. */
	WCHAR *entries[64];
	int count = 0;
	for (WCHAR *entry = block; *entry && count < 64; entry += wcslen(entry) + 1) {
		if (_wcsnicmp(entry, PREFIX, prefix_len) == 0)
			entries[count++] = _wcsdup(entry);
	}
	FreeEnvironmentStringsW(block);
	for (int i = 0; i < count; i++) {
		WCHAR *equals = wcschr(entries[i], L'=');
		if (!equals)
			continue;
		*equals = 0;
		SetEnvironmentVariableW(entries[i] + prefix_len, equals + 1);
		SetEnvironmentVariableW(entries[i], NULL);
		free(entries[i]);
	}
}

/* The command line after this program's own name (argv[0] as Windows splits
 * it: quoted up to the next quote, else up to white space). */
static WCHAR *rest_of_command_line(void)
{
	WCHAR *line = GetCommandLineW();
	if (*line == L'"') {
		line++;
		while (*line && *line != L'"')
			line++;
		if (*line)
			line++;
	} else {
		while (*line && *line != L' ' && *line != L'\t')
			line++;
	}
	while (*line == L' ' || *line == L'\t')
		line++;
	return line;
}

int main(void)
{
	apply_settings();
	WCHAR *command = rest_of_command_line();
	if (!*command) {
		fputws(L"usage: with-env.exe PROGRAM ARGS...\n", stderr);
		return 2;
	}
	STARTUPINFOW startup = { .cb = sizeof startup };
	PROCESS_INFORMATION process;
	if (!CreateProcessW(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process)) {
		fwprintf(stderr, L"with-env.exe: cannot run %ls: error %lu\n", command, GetLastError());
		return 127;
	}
	CloseHandle(process.hThread);
	WaitForSingleObject(process.hProcess, INFINITE);
	DWORD code = 1;
	GetExitCodeProcess(process.hProcess, &code);
	CloseHandle(process.hProcess);
	return (int)code;
}
