// ts-jest's default preset (transform `^.+\.tsx?$` with ts-jest), built by its own factory.
// `isolatedModules: true` (a compiler option, merged over tsconfig.json) makes ts-jest transpile
// each file on its own with `ts.transpileModule`: fast, no type checking in tests. Types are
// checked by `npm run lint` (tsc --noEmit over tsconfig.json, which includes test/ and sim/).
// ts-jest 29.4 deprecates its own `isolatedModules` option in favour of this one.
const { createDefaultPreset } = require('ts-jest');

/** @type {import('jest').Config} */
module.exports = {
	...createDefaultPreset({ tsconfig: { isolatedModules: true } }),
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testTimeout: 30_000,
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
	// The suite-wide secret scan (test/support/secretScan.ts): every output, error and log line of
	// the run, against every secret the simulators saw. VEEAM_SECRET_SCAN=0 turns it off.
	globalSetup: '<rootDir>/test/support/secretScan.globalSetup.js',
	setupFilesAfterEnv: ['<rootDir>/test/support/secretScan.setup.ts'],
	globalTeardown: '<rootDir>/test/support/secretScan.teardown.js',
};
