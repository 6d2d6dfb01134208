/** Removes the package snapshot e2e/globalSetup.ts took (only one it created itself). */
import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
	const staged = process.env.N8N_E2E_STAGED_PACKAGE;
	if (staged && process.env.N8N_E2E_KEEP !== '1') rmSync(staged, { recursive: true, force: true });
}
