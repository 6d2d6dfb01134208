/**
 * Jest setupFilesAfterEnv: wires this test file into the suite-wide secret scan (secretScan.ts).
 * Patches, for this file's module registry only: the engine harness (runs, polls), the
 * simulator's SecretLedger (to find every simulator the file starts), console, and n8n's loggers.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { LoggerProxy, type IDataObject } from 'n8n-workflow';

import { VB365_DEFAULT_PASSWORD, VBGC_DEFAULT_PASSWORD, VBGC_MFA_USER, VBR_DEFAULT_PASSWORD, VSPC_DEFAULT_PASSWORD, VSPC_MFA_USER } from '../../sim';
import { SecretLedger } from '../../sim/core/secrets';
import * as engine from './engine';
import { TestCredentialsHelper } from './engine/credentials';
import * as enginePoll from './engine/poll';
import * as engineWorkflow from './engine/workflow';
import { flush, recordArtifact, recordError, recordSecret, scanEnabled, trackLedger } from './secretScan';

if (scanEnabled()) {
	// The simulators' built-in secrets (accounts that exist before any request).
	recordSecret(VBR_DEFAULT_PASSWORD, 'password');
	recordSecret(VBGC_DEFAULT_PASSWORD, 'password');
	recordSecret(VBGC_MFA_USER.password, 'password');
	recordSecret(VBGC_MFA_USER.secret, 'mfaSecret');
	for (const code of VBGC_MFA_USER.scratchCodes) recordSecret(code, 'scratchCode');
	recordSecret(VSPC_DEFAULT_PASSWORD, 'password');
	recordSecret(VSPC_MFA_USER.password, 'password');
	recordSecret(VSPC_MFA_USER.secret, 'mfaSecret');
	recordSecret(VB365_DEFAULT_PASSWORD, 'password');

	// Every credential a test stores: its password-typed fields (password, TOTP secret, VSPC's API
	// key, tokens), whatever the product, so a secret no simulator saw (a key typed into the
	// credential only) is scanned for too.
	const add = TestCredentialsHelper.prototype.add;
	TestCredentialsHelper.prototype.add = function (this: TestCredentialsHelper, ...args: Parameters<typeof add>) {
		const [, credential] = args;
		const properties = this.credentialTypes.getByName(credential.type).properties ?? [];
		for (const p of properties) if (p.typeOptions?.password) recordSecret(credential.data?.[p.name], `credential ${p.name}`);
		return add.apply(this, args);
	};

	// Every simulator that handles a request reports its ledger.
	const fromRequest = SecretLedger.prototype.fromRequest;
	SecretLedger.prototype.fromRequest = function (this: SecretLedger, ...args: Parameters<typeof fromRequest>) {
		trackLedger(this);
		return fromRequest.apply(this, args);
	};

	/** Whether a run includes an MFA set-up node (its purpose is to hand out the pending secret). */
	const isMfaSetup = (nodes: Array<{ parameters?: IDataObject }>) =>
		nodes.some((n) => n.parameters?.resource === 'mfa' && ['enable', 'recreate'].includes(String(n.parameters?.operation)));

	// The modules that define them (engine.ts re-exports them, read-only, and reads them live).
	const runWorkflow = engineWorkflow.runWorkflow;
	(engineWorkflow as { runWorkflow: typeof runWorkflow }).runWorkflow = async (options) => {
		const result = await runWorkflow(options);
		const mfaSetup = isMfaSetup(options.nodes as Array<{ parameters?: IDataObject }>);
		// The harness's start node holds the test's own input (which may pass a secret on purpose,
		// e.g. the set-up token to MFA → Accept): only the nodes under test are scanned.
		const ours = <T>(byNode: Record<string, T>) => Object.fromEntries(Object.entries(byNode).filter(([name]) => name !== engine.START_NODE_NAME));
		recordArtifact('output', ours(result.outputs), { mfaSetup });
		recordArtifact('output', ours(result.runData), { mfaSetup });
		recordError(result.error, { mfaSetup });
		return result;
	};
	const poll = enginePoll.PollActivation.prototype.poll;
	enginePoll.PollActivation.prototype.poll = async function (this: enginePoll.PollActivation) {
		const result = await poll.call(this);
		recordArtifact('output', result.response);
		recordArtifact('output', result.staticData);
		recordError(result.error);
		return result;
	};
	const runPoll = enginePoll.runPoll;
	(enginePoll as { runPoll: typeof runPoll }).runPoll = async (options) => {
		const result = await runPoll(options);
		recordArtifact('output', result.response);
		recordError(result.error);
		return result;
	};

	// Log lines: console (still printed) and n8n's loggers (recorded, not printed).
	for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		const original = console[level].bind(console);
		console[level] = (...args: unknown[]) => {
			recordArtifact('log', args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
			original(...args);
		};
	}
	const capture =
		(level: string) =>
		(message: string, meta?: unknown): void =>
			recordArtifact('log', `${level}: ${message} ${meta === undefined ? '' : JSON.stringify(meta)}`);
	const logger = {
		error: capture('error'),
		warn: capture('warn'),
		info: capture('info'),
		debug: capture('debug'),
		scoped() {
			return logger;
		},
	};
	LoggerProxy.init(logger);
	Container.set(Logger, logger as unknown as Logger);

	afterAll(() => {
		flush(expect.getState().testPath ?? 'unknown');
	});
}
