#!/usr/bin/env node
// n8n's community-package scanner (@n8n/scan-community-package, pinned in devDependencies), run on
// this checkout the way `npx @n8n/scan-community-package <name>` runs on a published version before
// n8n verifies it. The scanner itself has no local mode: it downloads the source commit named by the
// npm provenance attestation and the published tarball. Its module exports what it lints them with,
// so this script runs the same two legs here (run it after `npm run build`):
//   source leg   analyzePackage(<checkout>, SOURCE_FILE_PATTERNS)
//                (package.json and {nodes,credentials}/**/*.{js,ts,json})
//   tarball leg  analyzePackage(<unpacked `npm pack`>, ['**/*.js', 'package.json'])
//                (the built dist/ and index.js as published, and the published package.json)
// The scanner lints with allowInlineConfig: false (an `eslint-disable` comment counts for nothing),
// `no-console: error`, @n8n/eslint-plugin-community-nodes' recommended rules and
// eslint-plugin-n8n-nodes-base's community/credentials/nodes rule sets (its buildScanConfig()).
// A leg fails on any error; warnings do not fail it (nor this script) but are printed.
//
// analyzePackage() only returns a pass/fail verdict and, on failure, a formatted report. To print
// each problem (file:line:column, severity, rule) warnings included, the same files are linted a
// second time with the scanner's own ESLint options and buildScanConfig(). Either finding an error
// fails the run; if the two ever disagree, that is reported too (the scanner changed: update this).
//
// Exits 0 when both legs pass, 1 otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const scannerPath = requireFromRoot.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
// Resolve the scanner's own dependencies from where it sits, so the same copies are used.
const requireFromScanner = createRequire(scannerPath);

// The scanner makes a temporary folder when it is loaded (for downloads this script does not use);
// let `tmp` remove it on exit.
requireFromScanner('tmp').setGracefulCleanup();
const scanner = await import(pathToFileURL(scannerPath).href);
const { ESLint } = requireFromScanner('eslint');
const glob = requireFromScanner('fast-glob');

const scannerVersion = JSON.parse(
	fs.readFileSync(path.join(path.dirname(scannerPath), '..', 'package.json'), 'utf8'),
).version;

// The tarball leg's patterns are written inline in the scanner's analyzePackageByName(), not
// exported. Check they are still what this script uses, so an upgrade cannot drift silently.
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];
const scannerSource = fs.readFileSync(scannerPath, 'utf8');
if (!scannerSource.includes("analyzePackage(packageDir, ['**/*.js', 'package.json'])")) {
	console.error(
		`scan: @n8n/scan-community-package ${scannerVersion} no longer lints the tarball with ${JSON.stringify(TARBALL_FILE_PATTERNS)}; update scripts/scan.mjs`,
	);
	process.exit(1);
}
for (const name of ['analyzePackage', 'buildScanConfig', 'SOURCE_FILE_PATTERNS']) {
	if (!(name in scanner)) {
		console.error(`scan: @n8n/scan-community-package ${scannerVersion} does not export ${name}; update scripts/scan.mjs`);
		process.exit(1);
	}
}

/** Every problem the scanner's configuration finds, as { file, line, column, severity, rule, message }. */
async function listProblems(dir, patterns) {
	// The same ESLint options and file list as the scanner's analyzePackage().
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = files.length > 0 ? await eslint.lintFiles(files) : [];
	const problems = [];
	for (const result of results) {
		for (const message of result.messages) {
			problems.push({
				file: path.relative(dir, result.filePath),
				line: message.line ?? 0,
				column: message.column ?? 0,
				severity: message.severity === 2 ? 'error' : 'warning',
				rule: message.ruleId ?? '(parser)',
				message: message.message,
			});
		}
	}
	return { fileCount: files.length, problems };
}

async function runLeg(name, dir, patterns, shownAs) {
	const verdict = await scanner.analyzePackage(dir, patterns);
	const { fileCount, problems } = await listProblems(dir, patterns);
	const errors = problems.filter((p) => p.severity === 'error');
	const warnings = problems.filter((p) => p.severity === 'warning');
	for (const p of problems) {
		console.log(`${name}: ${path.join(shownAs, p.file)}:${p.line}:${p.column}  ${p.severity}  ${p.message}  (${p.rule})`);
	}
	const failed = errors.length > 0 || !verdict.passed;
	if (!verdict.passed && errors.length === 0) {
		// The verdict is the scanner's: print its own report when the listing found nothing.
		console.log(`${name}: the scanner failed this leg: ${verdict.message}`);
		if (verdict.details) console.log(verdict.details);
	}
	if (verdict.passed && errors.length > 0) {
		console.log(`${name}: the scanner passed this leg but its configuration reports errors; scripts/scan.mjs is out of step with it`);
	}
	console.log(
		`${name}: ${failed ? 'FAILED' : 'passed'} (${fileCount} files; ${errors.length} errors, ${warnings.length} warnings; scanner verdict: ${verdict.passed ? 'passed' : 'failed'})`,
	);
	return !failed;
}

function packAndUnpack() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'veeam-scan-'));
	// --ignore-scripts: no prepack/prepare hooks (also set in .npmrc). Like the scanner, unpack with
	// --strip-components=1 (the tarball's top folder is package/).
	const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const [{ filename }] = JSON.parse(out);
	const packageDir = path.join(work, 'package');
	fs.mkdirSync(packageDir);
	execFileSync('tar', ['-xzf', path.join(work, path.basename(filename)), '-C', packageDir, '--strip-components=1']);
	return { work, packageDir };
}

if (!fs.existsSync(path.join(root, 'dist'))) {
	console.error('scan: no dist/ folder: run `npm run build` first (the tarball leg lints what is published)');
	process.exit(1);
}

console.log(`scan: @n8n/scan-community-package ${scannerVersion}`);
const sourcePassed = await runLeg('source leg', root, scanner.SOURCE_FILE_PATTERNS, '');
const { work, packageDir } = packAndUnpack();
let tarballPassed = false;
try {
	tarballPassed = await runLeg('tarball leg', packageDir, TARBALL_FILE_PATTERNS, 'package/');
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
if (!sourcePassed || !tarballPassed) {
	console.error('scan: n8n\'s community-package scanner would reject this package');
	process.exit(1);
}
console.log('scan: both legs pass');
