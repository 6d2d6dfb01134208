// End-to-end tests in a real n8n (see e2e/README.md). Separate from the unit tests
// (jest.config.js at the root): `npm run test:e2e` installs n8n into a cache outside the
// repository (e2e/install-n8n.sh) and then runs this config.
const { createDefaultPreset } = require('ts-jest');

/** @type {import('jest').Config} */
module.exports = {
	...createDefaultPreset({ tsconfig: { isolatedModules: true } }),
	rootDir: '..',
	roots: ['<rootDir>/e2e'],
	testMatch: ['**/*.e2e.ts'],
	testEnvironment: 'node',
	// Builds the package once (npm run build) and snapshots it before any test file runs.
	globalSetup: '<rootDir>/e2e/globalSetup.ts',
	globalTeardown: '<rootDir>/e2e/globalTeardown.ts',
	// Each n8n CLI call takes seconds (2.x: ~3-6 s); `n8n start` up to a minute. Only a hang reaches
	// this: every wait in the tests is for work (a poll, an execution, a process healthy), each with
	// its own limit, and a busy machine makes the CLI calls several times slower.
	testTimeout: 600_000,
	// Two cores here: an n8n process per worker is plenty.
	maxWorkers: 2,
	verbose: true,
};
