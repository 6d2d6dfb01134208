#!/usr/bin/env node
// The one command of the end-to-end tests (e2e/README.md): installs the n8n versions to test into
// the cache outside the repository (e2e/install-n8n.sh, skipped for versions already there), the
// browser and the queue services when missing, then runs jest (e2e/jest.config.js) on them.
//
//   npm run test:e2e                                      # the target: the first version in e2e/versions.json
//   npm run test:e2e -- --n8n 2.41.1                      # any other published version (or "2.41.1,1.123.81")
//   npm run test:e2e -- --n8n 2.41.1 --n8n 1.123.81 e2e/smoke.e2e.ts   # several; other arguments go to jest
//   N8N_E2E_VERSIONS="2.41.1 1.123.81" npm run test:e2e   # the same through the environment
//   npm run test:e2e -- --pinned --ci                     # every version in e2e/versions.json (= test:e2e:ci)
//
// Which versions: --n8n (repeatable) if given, else every pinned one with --pinned, else
// N8N_E2E_VERSIONS, else the target. The tests read the list from N8N_E2E_VERSIONS, which this sets.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const PINNED = JSON.parse(readFileSync(join(__dirname, 'versions.json'), 'utf8')).n8n;

function parse(argv) {
	const asked = [];
	const jestArgs = [];
	let pinned = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--pinned') pinned = true;
		else if (arg === '--n8n') {
			if (i + 1 >= argv.length) fail('--n8n needs a version, e.g. --n8n 2.41.1');
			asked.push(argv[++i]);
		} else if (arg.startsWith('--n8n=')) asked.push(arg.slice('--n8n='.length));
		else jestArgs.push(arg);
	}
	const source = asked.length > 0 ? asked.join(' ') : pinned ? PINNED.join(' ') : process.env.N8N_E2E_VERSIONS || PINNED[0];
	const versions = [...new Set(source.split(/[\s,]+/).filter(Boolean))];
	for (const v of versions) {
		if (!/^\d+\.\d+\.\d+$/.test(v)) fail(`not an n8n version: "${v}" (expected e.g. 2.41.1)`);
	}
	if (versions.length === 0) fail('no n8n version to test');
	return { versions, jestArgs };
}

function fail(message) {
	process.stderr.write(`[e2e] ${message}\n`);
	process.exit(2);
}

function step(script, args = []) {
	const result = spawnSync('bash', [join(__dirname, script), ...args], { cwd: ROOT, stdio: 'inherit' });
	if (result.status !== 0) {
		process.stderr.write(`[e2e] ${script} ${args.join(' ')} failed (${result.signal ?? `exit ${result.status}`})\n`);
		process.exit(result.status || 1);
	}
}

const { versions, jestArgs } = parse(process.argv.slice(2));
process.stderr.write(`[e2e] n8n ${versions.join(', ')}\n`);
step('install-n8n.sh', versions);
step('install-browser.sh');
step('install-queue.sh');

const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', 'e2e/jest.config.js', ...jestArgs], {
	cwd: ROOT,
	stdio: 'inherit',
	env: { ...process.env, N8N_E2E_VERSIONS: versions.join(' ') },
});
// A time limit (.ci/run's timeout) signals this process: pass it on so jest's teardown runs.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => jest.kill(signal));
jest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
