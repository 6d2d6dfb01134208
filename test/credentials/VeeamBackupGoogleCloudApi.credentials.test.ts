import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { VeeamBackupGoogleCloudApi } from '../../credentials/VeeamBackupGoogleCloudApi.credentials';
import { decodeBase32Secret, totpCandidates, totpCode } from '../../client/login/totp';
import {
	startSimulator,
	totpAt,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBGC_MFA_USER,
	type SimServer,
} from '../../sim';
import { n8nHttpRequest, trustFields } from '../support/engine';

const helpers: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => await n8nHttpRequest(options),
	} as IHttpRequestHelper['helpers'],
};

const credentialType = new VeeamBackupGoogleCloudApi();
let sim: SimServer;

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: VBGC_DEFAULT_ADMIN,
		password: VBGC_DEFAULT_PASSWORD,
		totpSecret: '',
		apiVersion: '1.4-rev0',
		customApiVersion: '',
		...trustFields(sim.tls.caPem),
		accessToken: '',
		refreshToken: '',
		tokenExpiresAt: '',
		...(overrides as ICredentialDataDecryptedObject),
	};
}

const mfaCreds = (overrides: object = {}) =>
	creds({ username: VBGC_MFA_USER.name, password: VBGC_MFA_USER.password, totpSecret: VBGC_MFA_USER.secret, ...overrides });

async function preAuth(c: ICredentialDataDecryptedObject) {
	return await credentialType.preAuthentication.call(helpers, c);
}

async function failureOf(c: ICredentialDataDecryptedObject): Promise<Error> {
	const error = await preAuth(c).then(
		() => undefined,
		(e: unknown) => e as Error,
	);
	if (!error) throw new Error('expected the login to fail');
	for (const secret of [c.password, c.totpSecret, c.refreshToken]) {
		if (secret) expect(error.message).not.toContain(String(secret));
	}
	return error;
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc' });
});

afterAll(async () => {
	await sim.close();
});

beforeEach(() => {
	sim.reset();
	jest.restoreAllMocks();
});

describe('TOTP (client side)', () => {
	it('computes the same codes as the simulator’s independent implementation, RFC 6238 vectors included', () => {
		const rfcKey = Buffer.from('12345678901234567890');
		expect(totpCode(rfcKey, 59_000)).toBe('287082');
		expect(totpCode(rfcKey, 1_111_111_109_000)).toBe('081804');
		expect(totpCode(rfcKey, 20_000_000_000_000)).toBe('353130');
		for (const t of [0, 1_700_000_000_000, 1_800_000_012_345]) {
			expect(totpCode(decodeBase32Secret(VBGC_MFA_USER.secret), t)).toBe(totpAt(VBGC_MFA_USER.secret, t));
		}
	});

	it('offers the next step’s code late in a step and the previous one early', () => {
		const key = decodeBase32Secret(VBGC_MFA_USER.secret);
		const early = 1_700_000_010_000 + 4_000; // 1700000010 s is a step boundary (÷30)
		expect(totpCandidates(VBGC_MFA_USER.secret, early)).toEqual([totpCode(key, early), totpCode(key, early - 30_000)]);
		const late = 1_700_000_010_000 + 26_000;
		expect(totpCandidates(VBGC_MFA_USER.secret, late)).toEqual([totpCode(key, late), totpCode(key, late + 30_000)]);
	});

	it('refuses a secret that is not base32', () => {
		expect(() => decodeBase32Secret('not base32!')).toThrow(/base32/);
		expect(() => decodeBase32Secret('')).toThrow(/base32/);
	});
});

describe('preAuthentication', () => {
	it('logs in without MFA with the password grant', async () => {
		const stored = await preAuth(creds());
		expect(Object.keys(stored).sort()).toEqual(['accessToken', 'refreshToken', 'tokenExpiresAt']);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('finishes an MFA login (202 + mfa_token) with the code computed from the stored secret', async () => {
		const stored = await preAuth(mfaCreds());
		expect(stored.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:202': 1, 'mfa:200': 1 });
	});

	it('tries the adjacent step once when the server’s clock is already in the next step', async () => {
		// 26 s into a step on our side; the server is 30 s ahead.
		jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000 + 26_000);
		sim.clock.advance(30);
		const stored = await preAuth(mfaCreds());
		expect(stored.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:202': 1, 'mfa:401': 1, 'mfa:200': 1 });
	});

	it('tries the previous step once when the server’s clock is behind', async () => {
		jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000 + 3_000);
		sim.clock.advance(-30);
		expect((await preAuth(mfaCreds())).accessToken).toMatch(/^at\./);
		expect(sim.stats.grants['mfa:200']).toBe(1);
	});

	it('says what to add when an MFA account has no TOTP secret in the credential', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: '' }));
		expect(error.message).toMatch(/multi-factor authentication on\. Add its TOTP secret/);
		expect(sim.stats.grants).toEqual({ 'password:202': 1 });
	});

	it('fails clearly with a wrong secret, after at most two codes', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: 'JBSWY3DPEHPK3PXP' }));
		expect(error.message).toMatch(/refused the MFA code \(401 AccessDenied/);
		expect(error.message).toMatch(/"TOTP Secret" belongs to this account/);
		expect(sim.stats.grants['mfa:401']).toBe(2);
	});

	it('refuses a TOTP secret that is not base32 before sending a code', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: 'abc!def' }));
		expect(error.message).toMatch(/TOTP Secret: .*base32/);
		expect(sim.stats.grants['mfa:401']).toBeUndefined();
	});

	it('uses the refresh token, and falls back to password + MFA when it is refused', async () => {
		const first = await preAuth(mfaCreds());
		const second = await preAuth(mfaCreds(first));
		expect(sim.stats.grants['refresh_token:200']).toBe(1);
		const third = await preAuth(mfaCreds(first)); // first's refresh token was used already
		expect(third.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:202': 2, 'mfa:200': 2, 'refresh_token:200': 1, 'refresh_token:401': 1 });
		expect(second.refreshToken).not.toBe(first.refreshToken);
	});

	it('says the password is wrong', async () => {
		const error = await failureOf(creds({ password: 'Nope-Nope-1!' }));
		expect(error.message).toMatch(/^Veeam Backup for Google Cloud login failed: wrong user name or password/);
	});

	it('says which server it reached when that server has no such login (a VBR server in "Server URL")', async () => {
		const vbr = await startSimulator({ product: 'vbr' });
		try {
			const error = await failureOf(creds({ url: vbr.url, ...trustFields(vbr.tls.caPem) }));
			expect(error.message).toBe(
				`Veeam Backup for Google Cloud login failed: ${vbr.url}/api/v1/token does not exist on that server (404). ` +
					'Check that "Server URL" is the address of a Veeam Backup for Google Cloud server (its REST API listens on port 13140 unless changed).',
			);
		} finally {
			await vbr.close();
		}
	});

	it('names the supported versions when the API version is refused', async () => {
		const error = await failureOf(creds({ apiVersion: 'custom', customApiVersion: '1.5-rev0' }));
		expect(error.message).toBe(
			'The server does not accept API version 1.5-rev0. It supports: 1.1-rev0, 1.2-rev0, 1.3-rev0, 1.4-rev0. Choose one of them in the credential\'s "API Version".',
		);
	});

	it('adds the default port 13140 to a URL without one', async () => {
		const options = await credentialType.authenticate(creds({ accessToken: 'at.y', url: 'https://vbgc.example.com' }), {
			url: '/api/v1/users/roles',
			baseURL: 'x',
		});
		expect(options.baseURL).toBe('https://vbgc.example.com:13140');
		expect(options.headers).toMatchObject({ Authorization: 'Bearer at.y', 'x-api-version': '1.4-rev0' });
	});
});
