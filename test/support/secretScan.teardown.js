// Jest globalTeardown: scans every artifact the test files recorded (outputs, errors, log lines)
// for every secret any simulator saw (see secretScan.ts). A leak fails the run.
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { URLSearchParams } = require('node:url');

/** Kinds an MFA set-up run hands out by purpose. */
const MFA_SETUP_KINDS = new Set(['mfaSecret', 'scratchCode', 'mfaSetupToken']);
const PREFIX = 6;

function variants(secret) {
	// As is, in a URL (two encoders disagree on ! ' ( ) *), in a form body, escaped in JSON.
	const out = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)]);
	return [...out];
}

/** Index of secrets (and their encoded forms) by their first PREFIX characters. */
function buildIndex(secrets) {
	const index = new Map();
	for (const [secret, kind] of secrets) {
		for (const form of variants(secret)) {
			const key = form.slice(0, PREFIX);
			if (!index.has(key)) index.set(key, []);
			index.get(key).push({ form, secret, kind, numeric: /^\d+$/.test(secret) });
		}
	}
	return index;
}

function findLeaks(text, index, allowMfaSetup) {
	const leaks = [];
	for (let i = 0; i + PREFIX <= text.length; i++) {
		const candidates = index.get(text.substr(i, PREFIX));
		if (!candidates) continue;
		for (const c of candidates) {
			if (allowMfaSetup && MFA_SETUP_KINDS.has(c.kind)) continue;
			if (!text.startsWith(c.form, i)) continue;
			// A numeric secret (a scratch code) counts only as a whole number, not inside a longer one.
			if (c.numeric && (/\d/.test(text[i - 1] ?? '') || /\d/.test(text[i + c.form.length] ?? ''))) continue;
			leaks.push({ ...c, at: i });
		}
	}
	return leaks;
}

async function teardown() {
	const dir = process.env.VEEAM_SECRET_SCAN_DIR;
	if (!dir) return;
	const started = Date.now();
	const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
	const secrets = new Map();
	for (const file of files) for (const [value, kind] of file.secrets) secrets.set(value, kind);
	const index = buildIndex(secrets);
	let artifacts = 0;
	let bytes = 0;
	const found = [];
	for (const file of files) {
		for (const artifact of file.artifacts) {
			artifacts++;
			bytes += artifact.text.length;
			for (const leak of findLeaks(artifact.text, index, artifact.mfaSetup === true)) {
				const context = artifact.text.slice(Math.max(0, leak.at - 40), leak.at).replace(/\s+/g, ' ');
				found.push(`${file.testFile.replace(/^.*\/test\//, 'test/')} › ${artifact.where} [${artifact.kind}]: a ${leak.kind} (${leak.secret.slice(0, 3)}…) after "…${context}"`);
			}
		}
	}
	rmSync(dir, { recursive: true, force: true });
	const kinds = {};
	for (const kind of secrets.values()) kinds[kind] = (kinds[kind] ?? 0) + 1;
	process.stdout.write(
		`\nsecret scan: ${files.length} test file runs, ${artifacts} outputs/errors/log lines (${(bytes / 1e6).toFixed(1)} MB), ` +
			`${secrets.size} secrets (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}): ${found.length} leak(s), ${Date.now() - started} ms\n`,
	);
	if (found.length) {
		process.stdout.write(`${[...new Set(found)].slice(0, 50).join('\n')}\n`);
		throw new Error(`secret scan: ${found.length} secret(s) found in outputs, errors or logs`);
	}
}

module.exports = teardown;
module.exports.buildIndex = buildIndex;
module.exports.findLeaks = findLeaks;
