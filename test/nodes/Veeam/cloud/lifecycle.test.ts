/**
 * What only some cloud products have, end to end through n8n's engine: the MFA enrolment of
 * Veeam Backup for AWS and for Microsoft Azure (Enable → a code from the secret → Accept → the
 * user's own MFA login → Disable), Microsoft Entra ID users on Veeam Backup for Microsoft Azure (onboarded by object ID,
 * offboarded with the directory account flagged), and Sync → Plan / Apply on both.
 */
import { decodeBase32Secret, totpCode } from '../../../../client/login/totp';
import { AZURE_IDP_USER, startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { byId, byName, errorText, mutations } from '../fixtures';
import { CloudFixture, cloudUser, type CloudProduct } from './fixture';

const PASSWORD = 'N3w-Hire-Passw0rd!';

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

function start(product: CloudProduct): { sim: () => SimServer; h: () => CloudFixture } {
	let sim: SimServer;
	let h: CloudFixture;
	beforeAll(async () => {
		sim = await startSimulator(product === 'aws' ? { product, aws: { totpWindow: TOTP_WINDOW } } : { product, azure: { totpWindow: TOTP_WINDOW } });
		h = new CloudFixture(sim, product);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});
	beforeEach(() => {
		sim.reset();
		h.resetCredential();
	});
	return { sim: () => sim, h: () => h };
}

// Azure's MFA set-up over REST: the v8 Overview's "Multi-Factor Authentication" (docs/vbazure/rest/mfa.html).
describe.each<CloudProduct>(['aws', 'azure'])('MFA on %s', (product) => {
	const t = start(product);

	it('enrols a user: Enable gives the QR code and token (no secret key by default), Accept with a code turns MFA on, the user logs in with it, Disable turns it off', async () => {
		const h = t.h();
		const sim = t.sim();
		await h.run({ resource: 'user', operation: 'onboard', userName: 'mfa_hire', password: PASSWORD, roles: ['Portal Operator'] });
		const enabled = await h.run({ resource: 'mfa', operation: 'enable', user: byName('mfa_hire') }, [{}], { allowPendingMfa: true });
		expect(enabled.error).toBeUndefined();
		expect(enabled.json[0]).toMatchObject({ action: 'mfaSetupStarted', secretsIncluded: false, qrString: expect.stringMatching(/^otpauth:\/\/totp\//) });
		expect(enabled.json[0].secretKey).toBeUndefined();
		expect(cloudUser(sim, 'mfa_hire')?.mfaEnabled).toBe(false);

		const secret = String(new URL(String(enabled.json[0].qrString)).searchParams.get('secret'));
		const accepted = await h.run({ resource: 'mfa', operation: 'accept', user: byName('mfa_hire'), code: await currentCode(secret), token: String(enabled.json[0].token) });
		expect(accepted.error).toBeUndefined();
		expect(cloudUser(sim, 'mfa_hire')?.mfaEnabled).toBe(true);

		h.addCredential('hire', { username: 'mfa_hire', password: PASSWORD, totpSecret: secret });
		// The hire's own login now needs the code: the mfa grant, from the secret (a Portal Operator may
		// not list users: refused for the role, after the login).
		const own = await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'hire' });
		expect(sim.stats.grants['mfa:200']).toBe(1);
		expect(errorText(own)).not.toMatch(/wrong user name or password|TOTP|MFA code/);

		const disabled = await h.run({ resource: 'mfa', operation: 'disable', user: byName('mfa_hire') });
		expect(disabled.error).toBeUndefined();
		expect(cloudUser(sim, 'mfa_hire')?.mfaEnabled).toBe(false);
		expect(mutations(sim).map(([a]) => a)).toEqual(expect.arrayContaining(['user.mfaEnable', 'user.mfaAccepted', 'user.mfaDisable']));
	});

	it('recreates the MFA secret of a user whose MFA is on: the old secret keeps working until the new one is accepted', async () => {
		const h = t.h();
		const sim = t.sim();
		const user = h.facts.mfaUser;
		const recreated = await h.run({ resource: 'mfa', operation: 'recreate', user: byName(user.name) }, [{}], { allowPendingMfa: true });
		expect(recreated.error).toBeUndefined();
		expect(recreated.json[0]).toMatchObject({ action: 'mfaSetupStarted', qrString: expect.stringMatching(/^otpauth:/) });
		const secret = String(new URL(String(recreated.json[0].qrString)).searchParams.get('secret'));
		expect(secret).not.toBe(user.secret);
		// Until accepted, the user still logs in with the old secret.
		h.addCredential('old', { username: user.name, password: user.password, totpSecret: user.secret });
		expect((await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'old' })).error).toBeUndefined();
		const accepted = await h.run({ resource: 'mfa', operation: 'accept', user: byName(user.name), code: await currentCode(secret), token: String(recreated.json[0].token) });
		expect(accepted.error).toBeUndefined();
		h.addCredential('new', { username: user.name, password: user.password, totpSecret: secret });
		expect((await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'new' })).error).toBeUndefined();
		expect(cloudUser(sim, user.name)?.mfaEnabled).toBe(true);
	});

	it('refuses a wrong code and leaves MFA off', async () => {
		const h = t.h();
		await h.run({ resource: 'user', operation: 'onboard', userName: 'mfa_two', password: PASSWORD, roles: ['Portal Operator'] });
		const enabled = await h.run({ resource: 'mfa', operation: 'enable', user: byName('mfa_two') }, [{}], { allowPendingMfa: true });
		const secret = String(new URL(String(enabled.json[0].qrString)).searchParams.get('secret'));
		const wrong = wrongCode(secret);
		const run = await h.run({ resource: 'mfa', operation: 'accept', user: byName('mfa_two'), code: wrong, token: String(enabled.json[0].token) });
		expect(errorText(run)).not.toBe('');
		expect(cloudUser(t.sim(), 'mfa_two')?.mfaEnabled).toBe(false);
	});
});

describe('Microsoft Entra ID users on Veeam Backup for Microsoft Azure', () => {
	const t = start('azure');
	const ENTRA_ID = '6b0e2c57-3c1e-4f8a-9d2b-7e5a1c9f0d34';

	it('onboards an Entra ID account by object ID without a password; offboarding says the directory account remains', async () => {
		const h = t.h();
		const sim = t.sim();
		const run = await h.run({
			resource: 'user',
			operation: 'onboard',
			userName: 'sam.lee@contoso.com',
			userType: 'IdentityProvider',
			identityProviderEntityId: ENTRA_ID,
			roles: ['Restore Operator'],
		});
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({
			action: 'created',
			user: { name: 'sam.lee@contoso.com', type: 'IdentityProvider', identityProviderEntityId: ENTRA_ID, isDirectoryAccount: true },
		});
		const id = String(cloudUser(sim, 'sam.lee@contoso.com')?.id);
		const gone = await h.run({ resource: 'user', operation: 'offboard', user: byId(id), ifNotFound: 'absent' });
		expect(gone.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: true, directoryAccount: 'sam.lee@contoso.com' });
		expect(cloudUser(sim, 'sam.lee@contoso.com')).toBeUndefined();
	});

	it('refuses an Entra ID user without a valid object ID, and a password change for one, before sending anything', async () => {
		const h = t.h();
		const bad = await h.run({ resource: 'user', operation: 'onboard', userName: 'x@contoso.com', userType: 'IdentityProvider', identityProviderEntityId: 'not-a-uuid', roles: ['Restore Operator'] });
		expect(errorText(bad)).toMatch(/Entra Object ID \(item 0\).*UUID/);
		const pwd = await h.run({ resource: 'user', operation: 'changePassword', user: byId(AZURE_IDP_USER.id), newPassword: 'An0ther-Passw0rd!' });
		expect(errorText(pwd)).toMatch(/Entra ID/);
		expect(mutations(t.sim())).toEqual([]);
	});

	it('finds an Entra ID user by name (NameFilter) and offboards by name', async () => {
		const h = t.h();
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(AZURE_IDP_USER.name), ifNotFound: 'absent' });
		expect(run.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: true });
	});
});

describe.each<CloudProduct>(['aws', 'azure'])('Sync on %s', (product) => {
	const t = start(product);

	it('plans, then applies: creates the hire, changes a role, removes the leaver in scope; the built-in administrator is never touched', async () => {
		const h = t.h();
		const sim = t.sim();
		for (const [name, role] of [['team_ann', 'Restore Operator'], ['team_bob', 'Restore Operator']]) {
			await h.run({ resource: 'user', operation: 'onboard', userName: name, password: PASSWORD, roles: [role] });
		}
		const params = {
			resource: 'user',
			operation: 'sync',
			userName: '={{ $json.name }}',
			roles: ['={{ $json.role }}'],
			password: PASSWORD,
			scope: 'namePattern',
			scopePattern: 'team_*',
		};
		const hr = [
			{ name: 'team_ann', role: 'Portal Operator' },
			{ name: 'team_cid', role: 'Restore Operator' },
		];
		const changesBefore = mutations(sim).length;
		const plan = await h.run({ ...params, syncMode: 'plan' }, hr);
		expect(plan.error).toBeUndefined();
		const byAction = (json: Array<Record<string, unknown>>) => Object.fromEntries(json.filter((j) => j.name).map((j) => [j.name, j.action]));
		expect(byAction(plan.json)).toMatchObject({ team_ann: 'changeRoles', team_bob: 'remove', team_cid: 'create' });
		// A plan changes nothing.
		expect(mutations(sim)).toHaveLength(changesBefore);

		const applied = await h.run({ ...params, syncMode: 'apply' }, hr);
		expect(applied.error).toBeUndefined();
		const role = (name: string) => {
			const r = cloudUser(sim, name)?.role;
			return Array.isArray(r) ? r.join() : r;
		};
		expect(role('team_ann')).toBe(h.facts.roleIds['Portal Operator']);
		expect(cloudUser(sim, 'team_bob')).toBeUndefined();
		expect(role('team_cid')).toBe(h.facts.roleIds['Restore Operator']);
		expect(cloudUser(sim, h.facts.admin)).toBeDefined();

		const again = await h.run({ ...params, syncMode: 'plan' }, hr);
		expect(Object.values(byAction(again.json)).every((a) => a === 'unchanged')).toBe(true);
	});
});

describe('An API version Azure does not serve', () => {
	const t = start('azure');

	it('is an error, never "absent": a leaver looked up at a version the appliance lacks is not reported gone', async () => {
		const h = t.h();
		h.resetCredential({ apiVersion: 'custom', customApiVersion: 'v9' });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byId(AZURE_IDP_USER.id), ifNotFound: 'absent' });
		expect(run.json).toEqual([]);
		expect(errorText(run)).toMatch(/does not serve its user list at this address and API version.*v9/s);
		expect(cloudUser(t.sim(), AZURE_IDP_USER.name)).toBeDefined();
		expect(mutations(t.sim())).toEqual([]);
	});
});
