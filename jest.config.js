// Jest runs every suite on n8n 2.x and the engine suites (nodes, trigger, credentials, faults) again
// on n8n 1.x, in one run: two projects (jest.projects.js). `npx jest --selectProjects "n8n 2.x"`
// runs one of them.
//
// ts-jest's default preset (transform `^.+\.tsx?$` with ts-jest), built by its own factory.
// `isolatedModules: true` (a compiler option, merged over tsconfig.json) makes ts-jest transpile
// each file on its own with `ts.transpileModule`: fast, no type checking in tests. Types are
// checked by `npm run lint` (tsc --noEmit over tsconfig.json, which includes test/ and sim/).
const { n8n1, n8n2 } = require('./jest.projects');

/** @type {import('jest').Config} */
module.exports = {
	projects: [n8n2, n8n1],
	// Only a hang reaches it: no test may need the clock to be fast. The slowest tests wait out five
	// 1-s request deadlines and their back-offs (9-13 s of timers on any machine; 11 s measured on two
	// cores shared with other jobs, load 14); long runs are cut into blocks of bounded work
	// (VeeamTrigger.random.test.ts), each with its own hang limit.
	testTimeout: 120_000,
	// The suites mostly wait (on the simulator, back-offs, time-outs): more workers than cores.
	maxWorkers: 4,
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
	// The suite-wide secret scan (test/support/secretScan.ts): every output, error and log line of
	// the run, against every secret the simulators saw. VEEAM_SECRET_SCAN=0 turns it off.
	globalSetup: '<rootDir>/test/support/secretScan.globalSetup.js',
	globalTeardown: '<rootDir>/test/support/secretScan.teardown.js',
};
