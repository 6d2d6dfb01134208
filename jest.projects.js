// The two jest projects of jest.config.js.
//
// n8n 1.x: n8n-core 1.122.48 (the dev dependency `n8n-core-v1`, an npm alias) with the n8n-workflow
// 1.120.31 and @n8n/* packages it brings. Every import of them, ours and n8n's, resolves to that
// tree, as a community package in n8n 1.123.81 gets n8n's own n8n-workflow. The simulator's own
// tests (test/sim) do not touch n8n and run once, on 2.x.
const fs = require('node:fs');
const path = require('node:path');

const { createDefaultPreset } = require('ts-jest');

const common = {
	...createDefaultPreset({ tsconfig: { isolatedModules: true } }),
	rootDir: __dirname,
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	setupFilesAfterEnv: ['<rootDir>/test/support/secretScan.setup.ts'],
};

const v1 = path.join(__dirname, 'node_modules', 'n8n-core-v1');
const nested = path.join(v1, 'node_modules');
const scoped = fs.readdirSync(path.join(nested, '@n8n')).join('|');

module.exports = {
	n8n2: { ...common, displayName: 'n8n 2.x' },
	n8n1: {
		...common,
		displayName: 'n8n 1.x',
		testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/sim/'],
		moduleNameMapper: {
			'^n8n-core$': v1,
			'^n8n-core/(.*)$': `${v1}/$1`,
			'^n8n-workflow$': `${nested}/n8n-workflow`,
			'^n8n-workflow/(.*)$': `${nested}/n8n-workflow/$1`,
			[`^@n8n/(${scoped})$`]: `${nested}/@n8n/$1`,
			[`^@n8n/(${scoped})/(.*)$`]: `${nested}/@n8n/$1/$2`,
		},
	},
};
