/**
 * MFA → Enable / Accept / Disable / Recreate on Veeam Backup for Google Cloud, what their outputs
 * may hold (secrets only when switched on), and the whole enrolment end to end: Enable → a code
 * from the returned secret → Accept → that user's own fresh login with the secret.
 */
import { decodeBase32Secret, totpCode } from '../../../../client/login/totp';
import { startSimulator, VBGC_MFA_USER, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { MFA_ADMIN_LOGIN, VbgcFixture, activeMfa, byName, errorText, fromList, mutations, pendingMfa, routeCount, vbgcUser } from '../fixtures';

let sim: SimServer;
let h: VbgcFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc', vbgc: { totpWindow: TOTP_WINDOW } });
	h = new VbgcFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
});

const PASSWORD = 'Enr0lment-Passw0rd!';
const mfa = (operation: string, params: Record<string, unknown> = {}) => ({ resource: 'mfa', operation, user: byName('operator'), ...params });

/**
 * The simulator accepts a code of the TOTP step before and after the current one too (`totpWindow: 1`),
 * so a code taken now stays good for at least 30 s, however long a loaded machine takes to send it
 * (a 2-s margin before a step change was overrun under load).
 */
const TOTP_WINDOW = 1;

/** The code an authenticator app shows now for `secret`. */
async function currentCode(secret: string): Promise<string> {
	return totpCode(decodeBase32Secret(secret), Date.now());
}

/** A code the simulator refuses: none of those of the steps it accepts now or a step later. */
function wrongCode(secret: string): string {
	const now = Date.now();
	const accepted = [-1, 0, 1, 2].map((step) => totpCode(decodeBase32Secret(secret), now + step * 30_000));
	return ['000000', '111111', '222222', '333333', '444444'].find((code) => !accepted.includes(code)) ?? '';
}

/** The secret an authenticator app reads from the QR code. */
function secretOf(qrString: unknown): string {
	const url = new URL(String(qrString));
	expect(url.protocol).toBe('otpauth:');
	return String(url.searchParams.get('secret'));
}

describe('MFA → Enable', () => {
	it('by default outputs the QR code string and the token, not the secret key or scratch codes', async () => {
		const run = await h.run(mfa('enable'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		expect(run.error).toBeUndefined();
		const pending = pendingMfa(sim, 'operator');
		expect(pending).toBeDefined();
		expect(run.items).toEqual([
			{
				json: {
					action: 'mfaSetupStarted',
					secretsIncluded: false,
					qrString: expect.stringMatching(/^otpauth:\/\/totp\//),
					token: pending?.token,
					user: expect.objectContaining({ name: 'operator', mfaEnabled: false }),
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(secretOf(run.json[0].qrString)).toBe(pending?.secret);
		// The scratch codes were scanned for (not allowed) by the run; the fields are absent too.
		expect(run.json[0]).not.toHaveProperty('secretKey');
		expect(run.json[0]).not.toHaveProperty('scratchCodes');
		// Not on before Accept.
		expect(vbgcUser(sim, 'operator')?.mfaEnabled).toBe(false);
		expect(mutations(sim)).toEqual([['user.mfaEnable', 'operator']]);
	});

	it('outputs the secret key, the scratch codes, the QR code string and the token only with "Include Secrets in Output"', async () => {
		const run = await h.run(mfa('enable', { includeSecrets: true }), [{}], {
			allow: { pendingSecret: true, pendingToken: true, pendingScratchCodes: true },
		});
		const pending = pendingMfa(sim, 'operator');
		expect(run.json[0]).toMatchObject({
			action: 'mfaSetupStarted',
			secretsIncluded: true,
			secretKey: pending?.secret,
			scratchCodes: pending?.scratchCodes,
			token: pending?.token,
			qrString: expect.stringContaining(`secret=${pending?.secret}`),
		});
		expect(run.json[0].scratchCodes).toHaveLength(5);
	});

	it('refuses a user whose MFA is on already, pointing to Recreate, and changes nothing', async () => {
		const run = await h.run(mfa('enable', { user: byName(VBGC_MFA_USER.name) }));
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('User (item 0): multi-factor authentication is already on for "mfa-admin"');
		expect(errorText(run)).toContain('Use MFA → Recreate');
		expect(mutations(sim)).toEqual([]);
		expect(routeCount(sim, 'POST /api/v1/users/:name/mfaEnable')).toBe(0);
	});

	it('a repeated setup (the answer was lost) is harmless: the last secret counts', async () => {
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/mfaEnable' });
		const run = await h.run(mfa('enable'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		expect(run.error).toBeUndefined();
		expect(routeCount(sim, 'POST /api/v1/users/:name/mfaEnable')).toBe(2);
		expect(run.json[0].token).toBe(pendingMfa(sim, 'operator')?.token);
	});
});

describe('MFA → Accept', () => {
	it.each([
		['5 digits', '12345'],
		['7 digits', '1234567'],
		['letters', 'abcdef'],
		['a number that lost its leading zero', '={{ 12345 }}'],
		['a scratch code (8 digits)', '12345678'],
		['empty', '={{ "" }}'],
	])('refuses a code of %s before any request', async (_what, code) => {
		const run = await h.run(mfa('accept', { code, token: 'some-token' }));
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toMatch(/^Verification Code \(item 0\): (must be the 6 digits the authenticator app shows|is empty)$/);
		expect(sim.stats.requests).toBe(0);
	});

	it('refuses an empty token before any request', async () => {
		const run = await h.run(mfa('accept', { code: '123456', token: '={{ "" }}' }));
		expect(run.error?.message).toBe('Token (item 0): is empty');
		expect(sim.stats.requests).toBe(0);
	});

	it('a wrong code is Veeam’s error; MFA stays off', async () => {
		const enabled = await h.run(mfa('enable'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		const wrong = wrongCode(secretOf(enabled.json[0].qrString));
		const run = await h.run(mfa('accept', { code: wrong, token: enabled.json[0].token }));
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: The verification code is not valid.');
		expect(vbgcUser(sim, 'operator')?.mfaEnabled).toBe(false);
	});

	it('an Accept whose answer is lost is confirmed by reading the user, not sent again', async () => {
		const enabled = await h.run(mfa('enable'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		const code = await currentCode(secretOf(enabled.json[0].qrString));
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/mfaAccepted' });
		const run = await h.run(mfa('accept', { code, token: enabled.json[0].token }));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'mfaEnabled', user: { mfaEnabled: true } });
		expect(routeCount(sim, 'POST /api/v1/users/:name/mfaAccepted')).toBe(1);
		expect(mutations(sim).map(([action]) => action)).toEqual(['user.mfaEnable', 'user.mfaAccepted']);
	});

	it('an Accept after Recreate whose answer is lost is reported as unclear (MFA was on before: nothing tells)', async () => {
		const recreated = await h.run(mfa('recreate', { user: byName(VBGC_MFA_USER.name), includeSecrets: true }), [{}], {
			allow: { pendingSecret: true, pendingToken: true, pendingScratchCodes: true },
		});
		const code = await currentCode(String(recreated.json[0].secretKey));
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/mfaAccepted' });
		const run = await h.run(mfa('accept', { user: byName(VBGC_MFA_USER.name), code, token: recreated.json[0].token }));
		expect(run.error?.name).toBe('UnclearOutcomeError');
		expect(errorText(run)).toContain('The request may or may not have been carried out.');
		expect(routeCount(sim, 'POST /api/v1/users/:name/mfaAccepted')).toBe(1);
	});

	it('a token from another setup is Veeam’s error', async () => {
		await h.run(mfa('enable'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		const run = await h.run(mfa('accept', { code: '123456', token: 'not-the-token' }));
		expect(run.error?.message).toBe('Veeam: The token does not match the one mfaEnable returned.');
	});
});

describe('end to end', () => {
	it('Enable → code from the returned secret → Accept → the user’s fresh login with the secret works', async () => {
		const onboarded = await h.run({
			resource: 'user',
			operation: 'onboard',
			userName: 'e2e-user',
			password: PASSWORD,
			roles: ['Restore Operator'],
		});
		expect(onboarded.json[0]).toMatchObject({ action: 'created' });

		// 1. Enable, default output: what a workflow hands the user (QR code) and keeps for Accept (token).
		const enabled = await h.run(mfa('enable', { user: fromList('e2e-user') }), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		const { qrString, token } = enabled.json[0];
		const secret = secretOf(qrString);

		// 2. The user's authenticator app, fed the QR code, shows a code.
		const code = await currentCode(secret);

		// 3. Accept with that code and the token.
		const accepted = await h.run(mfa('accept', { user: byName('e2e-user'), code: '={{ $json.code }}', token: '={{ $json.token }}' }), [{ code, token }]);
		expect(accepted.error).toBeUndefined();
		expect(accepted.json[0]).toMatchObject({ action: 'mfaEnabled', user: { name: 'e2e-user', mfaEnabled: true } });
		expect(vbgcUser(sim, 'e2e-user')?.mfaEnabled).toBe(true);
		expect(activeMfa(sim, 'e2e-user')?.secret).toBe(secret);

		// 4. A fresh login of that user: password (202 + mfa_token), then a code from the secret.
		const grantsBefore = { ...sim.stats.grants };
		h.addCredential('e2e', { username: 'e2e-user', password: PASSWORD, totpSecret: secret });
		const own = await h.run({ resource: 'user', operation: 'get', user: byName('e2e-user') }, [{}], { credentialId: 'e2e' });
		expect(own.error).toBeUndefined();
		expect(own.json[0]).toMatchObject({ name: 'e2e-user', mfaEnabled: true });
		expect(sim.stats.grants['password:202']).toBe((grantsBefore['password:202'] ?? 0) + 1);
		expect(sim.stats.grants['mfa:200']).toBe((grantsBefore['mfa:200'] ?? 0) + 1);

		// Without the secret the same user can no longer log in.
		h.addCredential('e2e-no-secret', { username: 'e2e-user', password: PASSWORD });
		const refused = await h.run({ resource: 'user', operation: 'get', user: byName('e2e-user') }, [{}], { credentialId: 'e2e-no-secret' });
		expect(refused.error?.message).toMatch(/has multi-factor authentication on\. Add its TOTP secret/);
		expect(mutations(sim).map(([action]) => action)).toEqual(['user.create', 'user.mfaEnable', 'user.mfaAccepted']);
	});
});

describe('MFA → Recreate', () => {
	it('issues a new secret; the old one works until Accept, then only the new one', async () => {
		const recreated = await h.run(mfa('recreate', { user: byName(VBGC_MFA_USER.name), includeSecrets: true }), [{}], {
			allow: { pendingSecret: true, pendingToken: true, pendingScratchCodes: true },
		});
		expect(recreated.json[0]).toMatchObject({ action: 'mfaSetupStarted', user: { mfaEnabled: true } });
		expect(recreated.json[0]).not.toHaveProperty('recreate');
		const newSecret = String(recreated.json[0].secretKey);
		expect(newSecret).not.toBe(VBGC_MFA_USER.secret);

		// The old secret still logs in.
		h.addCredential('old', MFA_ADMIN_LOGIN);
		expect((await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'old' })).error).toBeUndefined();

		const code = await currentCode(newSecret);
		const accepted = await h.run(mfa('accept', { user: byName(VBGC_MFA_USER.name), code, token: recreated.json[0].token }), [{}], {
			secrets: [newSecret],
		});
		expect(accepted.json[0]).toMatchObject({ action: 'mfaSecretReplaced', user: { mfaEnabled: true } });

		h.addCredential('stale', MFA_ADMIN_LOGIN);
		const stale = await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'stale' });
		expect(stale.error?.message).toMatch(/refused the MFA code/);
		h.addCredential('fresh', { ...MFA_ADMIN_LOGIN, totpSecret: newSecret });
		const fresh = await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'fresh' });
		expect(fresh.error).toBeUndefined();
	});

	it('on a user without MFA starts a setup like Enable', async () => {
		const run = await h.run(mfa('recreate'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		expect(run.json[0]).toMatchObject({ action: 'mfaSetupStarted', user: { mfaEnabled: false } });
		expect(pendingMfa(sim, 'operator')).toBeDefined();
	});
});

describe('MFA → Disable', () => {
	it('turns MFA off: the user then logs in with the password alone', async () => {
		const run = await h.run(mfa('disable', { user: byName(VBGC_MFA_USER.name) }));
		expect(run.json[0]).toMatchObject({ action: 'mfaDisabled', user: { name: 'mfa-admin', mfaEnabled: false } });
		expect(vbgcUser(sim, 'mfa-admin')?.mfaEnabled).toBe(false);
		h.addCredential('plain', { username: VBGC_MFA_USER.name, password: VBGC_MFA_USER.password });
		const plain = await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'plain' });
		expect(plain.error).toBeUndefined();
		expect(sim.stats.grants['password:200']).toBeGreaterThanOrEqual(1);
	});

	it('is "unchanged" for a user without MFA, and cancels a setup that was never accepted', async () => {
		await h.run(mfa('enable'), [{}], { allow: { pendingSecret: true, pendingToken: true } });
		expect(pendingMfa(sim, 'operator')).toBeDefined();
		const run = await h.run(mfa('disable'));
		expect(run.json[0]).toMatchObject({ action: 'unchanged', user: { mfaEnabled: false } });
		expect(pendingMfa(sim, 'operator')).toBeUndefined();
	});

	it('retries a 503 (the server did nothing) and succeeds', async () => {
		sim.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, method: 'POST', pathIncludes: '/mfaDisable' });
		const run = await h.run(mfa('disable', { user: byName(VBGC_MFA_USER.name) }));
		expect(run.json[0]).toMatchObject({ action: 'mfaDisabled' });
		expect(sim.stats.byStatus['503']).toBe(1);
	});
});
