/**
 * The VSPC credential under the Veeam node, through n8n's engine against the simulator, on both
 * majors: an API key works without any token request, and one revoked between executions fails
 * with the credential's own message (n8n's 401 → preAuthentication → the key checked again); a
 * password login's token expiring between executions is refreshed once; "Automatic" keeps the
 * version the server serves. No secret in any output or error (the fixture checks every run).
 */
import { VSPC_DEFAULT_ADMIN_UID, type SimServer } from '../../sim';
import { byName } from '../nodes/Veeam/fixtures';
import { useVspc, type VspcFixture } from '../nodes/Veeam/vspc/fixture';

const getUser = { resource: 'user', operation: 'get', user: byName('alpha.user') };

describe('the VSPC credential under the Veeam node', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	it('an API key: the node works with no token request; revoked, the next execution says so', async () => {
		const { login, key } = h.vspc.addApiKey(VSPC_DEFAULT_ADMIN_UID);
		h.resetCredential({ authentication: 'apiKey', apiKey: key, username: '', password: '' });
		const first = await h.run(getUser);
		expect(first.error).toBeUndefined();
		expect(first.json[0]).toMatchObject({ name: 'alpha.user' });
		expect(sim.stats.grants).toEqual({});
		// The key's login disabled in the portal ("active until the associated user identity is disabled or deleted").
		login.status = 'disabled';
		const second = await h.run(getUser);
		expect(second.error?.message).toMatch(/^Veeam Service Provider Console refused the API key \(401: .*\)\. Check "API Key"/);
	});

	it('a password login\'s token expiring between executions is refreshed once', async () => {
		await h.run(getUser);
		sim.clock.advance(3601);
		const run = await h.run(getUser);
		expect(run.error).toBeUndefined();
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'refresh_token:200': 1 });
	});

	it('"Automatic": the newest version the server serves, found at the login; one login for the execution', async () => {
		h.vspc.serveVersions(['3.5.1', '3.6']);
		h.resetCredential({ apiVersion: 'auto' });
		const run = await h.run(getUser);
		expect(run.error).toBeUndefined();
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(h.credentials.store.get('vspc')?.data.apiVersionFound).toBe('3.6');
	});
});
