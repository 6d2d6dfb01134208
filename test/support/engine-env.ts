/**
 * Environment for n8n-core in tests. Imported first by `engine.ts` (a side-effect import), so it
 * runs before anything asks n8n's DI container for `InstanceSettings`, which reads
 * `N8N_USER_FOLDER` once and writes `<folder>/.n8n/config` (an encryption key) there.
 *
 * Jest gives each test file its own copy of `process.env`, so the folder is per test file;
 * `shutdownEngine()` (engine.ts) removes it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The temporary user folder this module created, or undefined when one was already set. */
export const createdUserFolder: string | undefined = process.env.N8N_USER_FOLDER
	? undefined
	: mkdtempSync(join(tmpdir(), 'n8n-engine-test-'));

if (createdUserFolder) process.env.N8N_USER_FOLDER = createdUserFolder;
// Quiet, offline defaults for code paths that read them.
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
process.env.N8N_LOG_LEVEL ??= 'silent';
