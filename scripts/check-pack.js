#!/usr/bin/env node
// Checks what `npm pack` would publish (run it after `npm run build`):
// - only dist/**, README.md, LICENSE, package.json and index.js are shipped;
// - package.json declares no runtime dependencies (n8n community packages may not have any);
// - `main` and every file listed in `n8n.nodes` / `n8n.credentials` is in the package.
// Plain Node, no dependencies. Exits 1 with one line per problem.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const ALLOWED_FILES = new Set(['README.md', 'LICENSE', 'package.json', 'index.js']);
const ALLOWED_DIR = 'dist/';
const DEPENDENCY_FIELDS = [
	'dependencies',
	'optionalDependencies',
	'bundleDependencies',
	'bundledDependencies',
];

const problems = [];
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

for (const field of DEPENDENCY_FIELDS) {
	const value = pkg[field];
	const count = Array.isArray(value) ? value.length : Object.keys(value ?? {}).length;
	if (value === true || count > 0) {
		problems.push(`package.json has "${field}": n8n community packages must have no runtime dependencies`);
	}
}

// --ignore-scripts: never run prepack/prepare hooks here (also set in .npmrc).
const stdout = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
	cwd: root,
	encoding: 'utf8',
	stdio: ['ignore', 'pipe', 'inherit'],
});
const [report] = JSON.parse(stdout);
const shipped = report.files.map((file) => file.path.replace(/\\/g, '/'));
const shippedSet = new Set(shipped);

for (const file of shipped) {
	if (!ALLOWED_FILES.has(file) && !file.startsWith(ALLOWED_DIR)) {
		problems.push(`would ship ${file}: only ${ALLOWED_DIR}** and ${[...ALLOWED_FILES].join(', ')} may be published`);
	}
}

const normalise = (file) => path.posix.normalize(String(file).replace(/\\/g, '/')).replace(/^\.\//, '');
const required = [
	['main', pkg.main ?? 'index.js'],
	...(pkg.n8n?.nodes ?? []).map((file) => ['n8n.nodes', file]),
	...(pkg.n8n?.credentials ?? []).map((file) => ['n8n.credentials', file]),
];
for (const [field, file] of required) {
	if (!shippedSet.has(normalise(file))) {
		problems.push(`${field} lists ${file}, which is not in the package (was \`npm run build\` run?)`);
	}
}
if (!shippedSet.has('LICENSE')) problems.push('LICENSE is not in the package');
if (!shippedSet.has('README.md')) console.warn('check-pack: warning: README.md is not in the package');

if (problems.length > 0) {
	for (const problem of problems) console.error(`check-pack: ${problem}`);
	process.exit(1);
}
console.log(
	`check-pack: ok, ${shipped.length} files in ${report.filename} (${report.size} bytes packed): ` +
		`${shipped.filter((f) => !f.startsWith(ALLOWED_DIR)).join(', ')}` +
		`${shipped.some((f) => f.startsWith(ALLOWED_DIR)) ? ' + dist/**' : ''}`,
);
