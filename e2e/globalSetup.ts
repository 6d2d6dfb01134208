/**
 * Runs once before the e2e tests: builds the package (`npm run build`: credentials/ and nodes/
 * into dist/), then snapshots what would be published (package.json, index.js, dist/ …) into a
 * temp folder that every test installs into its n8n (N8N_E2E_PACKAGE_DIR, read by
 * builtPackageRoot()); globalTeardown.ts removes it. The snapshot keeps a run consistent even when
 * dist/ is rebuilt or cleaned in the working tree meanwhile.
 *
 * N8N_E2E_SKIP_BUILD=1 snapshots dist/ as it is (e.g. right after a build).
 * N8N_E2E_PACKAGE_DIR=<dir> (set by the caller) tests that built package and skips both steps.
 */
import { execFileSync } from 'node:child_process';

import { PACKAGE_ROOT, stagePackage } from './lib/n8n';

export default function globalSetup(): void {
	if (process.env.N8N_E2E_PACKAGE_DIR) return;
	if (process.env.N8N_E2E_SKIP_BUILD !== '1') {
		const started = Date.now();
		execFileSync('npm', ['run', 'build', '--silent'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
		process.stderr.write(`\n[e2e] npm run build: ${Date.now() - started} ms\n`);
	}
	const staged = stagePackage(PACKAGE_ROOT);
	// Inherited by the test workers, which jest starts after this.
	process.env.N8N_E2E_PACKAGE_DIR = staged;
	process.env.N8N_E2E_STAGED_PACKAGE = staged;
	process.stderr.write(`[e2e] testing the package as built, snapshot in ${staged}\n`);
}
