#!/usr/bin/env node
// Checks what `npm pack` would publish (run it after `npm run build`):
// - only dist/** (no source maps: the sources are not shipped), examples/*.json, docs/*.md (the
//   pages README.md links to), README.md, LICENSE, package.json and index.js are shipped;
// - every relative link in README.md points at a file or folder that is shipped;
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
const EXAMPLES = /^examples\/[^/]+\.json$/;
const DOCS = /^docs\/[^/]+\.md$/;
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
	if (!ALLOWED_FILES.has(file) && !file.startsWith(ALLOWED_DIR) && !EXAMPLES.test(file) && !DOCS.test(file)) {
		problems.push(`would ship ${file}: only ${ALLOWED_DIR}**, examples/*.json, docs/*.md and ${[...ALLOWED_FILES].join(', ')} may be published`);
	}
	if (file.endsWith('.map')) problems.push(`would ship ${file}: a source map of sources that are not shipped`);
}

// README links that are not URLs or anchors must resolve inside the package.
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
	if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
	const file = target.split('#')[0].replace(/^\.\//, '');
	const folder = file.endsWith('/') ? file : `${file}/`;
	if (!shipped.some((f) => f === file || f.startsWith(folder))) {
		problems.push(`README.md links to ${target}, which is not in the package`);
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
		`${shipped.filter((f) => !f.startsWith(ALLOWED_DIR) && !EXAMPLES.test(f) && !DOCS.test(f)).join(', ')}` +
		`${shipped.some((f) => f.startsWith(ALLOWED_DIR)) ? ' + dist/**' : ''}` +
		`${shipped.some((f) => EXAMPLES.test(f)) ? ` + ${shipped.filter((f) => EXAMPLES.test(f)).length} examples` : ''}` +
		`${shipped.some((f) => DOCS.test(f)) ? ` + ${shipped.filter((f) => DOCS.test(f)).length} docs pages` : ''}`,
);
