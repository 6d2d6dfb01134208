/**
 * The simulators serve a configurable set of API versions and answer the others as their contracts
 * say (sim/contracts/*.md): `x-api-version` products 400 `NotImplemented` (the token request
 * included), Azure a 404 problem details for the path's version (its token path has none). The set
 * changes while running (`serveVersions`, `POST /__sim/versions`), users and tokens kept.
 */
import { AZURE_DEFAULT_ADMIN, AZURE_DEFAULT_PASSWORD, startSimulator, type SimServer } from '../../sim';
import { simClient } from '../support/simClient';

interface Case {
	product: 'vbr' | 'vbgc' | 'aws';
	tokenPath: string;
	usersPath: string;
	/** Whether the refusal names the versions (the product's default wording). */
	names: boolean;
}

const HEADER_PRODUCTS: Case[] = [
	{ product: 'vbr', tokenPath: '/api/oauth2/token', usersPath: '/api/v1/security/users', names: false },
	{ product: 'vbgc', tokenPath: '/api/v1/token', usersPath: '/api/v1/users', names: true },
	{ product: 'aws', tokenPath: '/api/v1/token', usersPath: '/api/v1/users', names: true },
];

describe.each(HEADER_PRODUCTS)('$product: versions served', ({ product, tokenPath, usersPath, names }) => {
	let sim: SimServer;
	beforeAll(async () => {
		sim = await startSimulator({ product });
	});
	afterAll(async () => {
		await sim.close();
	});

	it('refuses a version outside the set with 400 NotImplemented, on the token path too; the set changes at runtime', async () => {
		sim.serveVersions(['1.0-rev0', '1.1-rev0']);
		const token = await simClient(sim, { apiVersion: '1.3-rev2' }).post(tokenPath, 'grant_type=password&username=x&password=y', {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expect(token.status).toBe(400);
		expect(token.data).toMatchObject({ errorCode: 'NotImplemented' });
		const list = await simClient(sim, { apiVersion: '1.3-rev2' }).get(usersPath);
		expect(list.status).toBe(400);
		expect(JSON.stringify(list.data)).toContain(names ? 'Supported versions: 1.0-rev0, 1.1-rev0' : 'The specified API version is not supported.');
		const control = await simClient(sim).post('/__sim/versions', { versions: ['1.3-rev2'] });
		expect(control.status).toBe(204);
		const after = await simClient(sim, { apiVersion: '1.3-rev2' }).get(usersPath);
		expect(after.status).not.toBe(400);
		expect((await simClient(sim).post('/__sim/versions', { versions: [] })).status).toBe(400);
	});
});

describe('azure: versions served', () => {
	let sim: SimServer;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'azure' });
	});
	afterAll(async () => {
		await sim.close();
	});

	it('answers a path version outside the set with 404 problem details naming the set; the token path has no version; tokens survive a restart with a new set', async () => {
		const login = await simClient(sim).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD }).toString(), {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expect(login.status).toBe(200);
		const token = (login.data as { access_token: string }).access_token;
		sim.serveVersions(['v6', 'v7']);
		await sim.restart();
		const client = simClient(sim, { token });
		const refused = await client.get('/api/v8.1/users');
		expect(refused.status).toBe(404);
		expect(refused.data).toMatchObject({ status: 404, detail: 'The API version v8.1 is not supported. Supported versions: v6, v7.' });
		expect((await client.get('/api/v7/users')).status).toBe(200);
	});
});

describe('azure: the other answers to an unserved version (sim/azure/versions.ts), and the token checked first', () => {
	const sims: SimServer[] = [];
	afterAll(async () => {
		for (const sim of sims) await sim.close();
	});
	async function loggedIn(options: Parameters<typeof startSimulator>[0]['azure']): Promise<{ sim: SimServer; token: string }> {
		const sim = await startSimulator({ product: 'azure', azure: options });
		sims.push(sim);
		const login = await simClient(sim).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD }).toString(), {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		sim.serveVersions(['v6', 'v7']);
		return { sim, token: (login.data as { access_token: string }).access_token };
	}

	it('bare-404: ASP.NET API Versioning 6+ (no body); unsupported-400: its older 400 UnsupportedApiVersion', async () => {
		const bare = await loggedIn({ unservedVersion: 'bare-404' });
		const refused = await simClient(bare.sim, { token: bare.token }).get('/api/v8.1/users');
		expect(refused.status).toBe(404);
		expect(refused.data === '' || refused.data === undefined).toBe(true);
		const old = await loggedIn({ unservedVersion: 'unsupported-400' });
		const bad = await simClient(old.sim, { token: old.token }).get('/api/v8.1/users');
		expect(bad.status).toBe(400);
		expect(bad.data).toMatchObject({ error: { code: 'UnsupportedApiVersion', message: expect.stringContaining("does not support the API version '8.1'") } });
		expect((await simClient(old.sim, { token: old.token }).get('/api/v7/users')).status).toBe(200);
	});

	it('tokenBeforeVersion: an unserved version with a bad token is answered 401, with a good one as the version', async () => {
		const first = await loggedIn({ tokenBeforeVersion: true });
		expect((await simClient(first.sim, { token: 'expired' }).get('/api/v8.1/users')).status).toBe(401);
		expect((await simClient(first.sim, { token: first.token }).get('/api/v8.1/users')).status).toBe(404);
		const def = await loggedIn({});
		expect((await simClient(def.sim, { token: 'expired' }).get('/api/v8.1/users')).status).toBe(404);
	});
});
