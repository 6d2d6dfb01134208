/**
 * Suite-wide secret scan (issue: "no secret in any output, error or log line of the whole test
 * run"). Every test file records, through test/support/secretScan.setup.ts:
 * - artifacts: each engine run's outputs and run data, each error's message, description and
 *   stack, each poll's emitted items, every console line and every line n8n's loggers wrote;
 * - secrets: what every simulator saw as secret (its SecretLedger: passwords sent, tokens issued,
 *   MFA secrets, scratch codes and set-up tokens handed out), plus the simulators' built-in ones.
 * At the end of each file both are written to $VEEAM_SECRET_SCAN_DIR; after the whole run,
 * test/support/secretScan.teardown.js scans every artifact for every secret and fails the run
 * on a leak.
 *
 * Allowed: an MFA set-up run (MFA → Enable / Recreate) hands out the pending secret, scratch
 * codes and set-up token by purpose (QR code string and token by default, the rest when the user
 * opts in); artifacts of such runs are not scanned for those three kinds.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type ArtifactKind = 'output' | 'error' | 'log';

export interface Artifact {
	kind: ArtifactKind;
	/** Where it came from (test name, node operation). */
	where: string;
	text: string;
	/** An MFA set-up run: may contain the pending MFA secret, scratch codes and set-up token. */
	mfaSetup?: boolean;
}

export interface ScanFile {
	testFile: string;
	artifacts: Artifact[];
	secrets: Array<[string, string]>;
}

/** The current test file's records (jest gives each test file its own module registry). */
const records: { artifacts: Artifact[]; secrets: Map<string, string>; ledgers: Set<{ seen: Map<string, string> }> } = {
	artifacts: [],
	secrets: new Map(),
	ledgers: new Set(),
};

export function scanEnabled(): boolean {
	return Boolean(process.env.VEEAM_SECRET_SCAN_DIR);
}

function currentTest(): string {
	const state = (globalThis as { expect?: { getState?: () => { currentTestName?: string; testPath?: string } } }).expect?.getState?.();
	return state?.currentTestName ?? '(outside a test)';
}

export function recordArtifact(kind: ArtifactKind, value: unknown, options: { where?: string; mfaSetup?: boolean } = {}): void {
	if (!scanEnabled() || value === undefined || value === null) return;
	let text: string;
	try {
		text = typeof value === 'string' ? value : JSON.stringify(value);
	} catch {
		text = String(value);
	}
	if (!text) return;
	records.artifacts.push({ kind, where: options.where ?? currentTest(), text, ...(options.mfaSetup ? { mfaSetup: true } : {}) });
}

/** An error as n8n shows and stores it: message, description, stack and its JSON form. */
export function recordError(error: unknown, options: { where?: string; mfaSetup?: boolean } = {}): void {
	if (!error) return;
	const e = error as Error & { description?: unknown };
	recordArtifact('error', [e.message, e.description, e.stack].filter(Boolean).join('\n'), options);
	recordArtifact('error', error, options);
}

/**
 * Shorter values are not scanned for: they match ordinary text (a test's password "changed" is in
 * "unchanged"). Every secret the nodes handle is longer: tokens, TOTP keys, 8-digit scratch codes,
 * and passwords, which Veeam's policies want at least 8 characters long.
 */
export const MIN_SECRET_LENGTH = 8;

export function recordSecret(value: unknown, kind: string): void {
	if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) records.secrets.set(value, kind);
}

export function trackLedger(ledger: { seen: Map<string, string> }): void {
	records.ledgers.add(ledger);
}

/** Writes this test file's records (called once, after all its tests). */
export function flush(testFile: string): void {
	const dir = process.env.VEEAM_SECRET_SCAN_DIR;
	if (!dir) return;
	for (const ledger of records.ledgers) for (const [value, kind] of ledger.seen) recordSecret(value, kind);
	const file: ScanFile = { testFile, artifacts: records.artifacts, secrets: [...records.secrets] };
	mkdirSync(dir, { recursive: true });
	const name = testFile.replace(/[^a-z0-9]+/gi, '_').slice(-120);
	// One file per run of a test file: the same file runs once per jest project (n8n 2.x and 1.x),
	// possibly in the same worker, and neither run's records may overwrite the other's.
	writeFileSync(join(dir, `${name}.${process.pid}.${randomUUID()}.json`), JSON.stringify(file));
}
