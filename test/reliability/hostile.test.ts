/**
 * Answers no Veeam server should give (issue 15): redirects, a proxy's bare 404, another user than
 * the one asked for, secrets echoed back, a lost DELETE answer, a trickling server, absurd token
 * lifetimes, names that are path segments, a list whose paging never ends. The nodes must not be
 * fooled by any of them: they fail clearly (nothing half-done), or get the truth another way.
 * Runs through n8n's engine on both majors (both jest projects of `npm test`). VBR and VBGC first,
 * then the same distrust on Veeam Backup for AWS and for Microsoft Azure.
 */
import type { IDataObject } from 'n8n-workflow';

import { AZURE_IDP_USER, startSimulator, VBGC_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import { N8N_MAJOR, shutdownEngine } from '../support/engine';
import {
	USERS,
	VBGC_USERS,
	VbgcFixture,
	VeeamFixture,
	byId,
	byName,
	errorText,
	mutations,
	simUser,
	vbgcUser,
} from '../nodes/Veeam/fixtures';
import { activate, summary } from '../nodes/VeeamTrigger/harness';
import { CLOUD_PRODUCTS, CloudFixture, FACTS, cloudUser } from './cloudFixture';

let vbr: SimServer;
let vbgc: SimServer;
/** A second server: where a redirect points, to prove nothing was sent there. */
let elsewhere: SimServer;
let h: VeeamFixture;
let g: VbgcFixture;

beforeAll(async () => {
	[vbr, vbgc, elsewhere] = await Promise.all([
		startSimulator({ product: 'vbr' }),
		startSimulator({ product: 'vbgc' }),
		startSimulator({ product: 'vbr' }),
	]);
	h = new VeeamFixture(vbr);
	g = new VbgcFixture(vbgc);
});
afterAll(async () => {
	await Promise.all([vbr.close(), vbgc.close(), elsewhere.close()]);
	await shutdownEngine();
});
beforeEach(() => {
	for (const sim of [vbr, vbgc, elsewhere]) sim.reset();
	h.resetCredential();
	g.resetCredential();
});

const getAdmin = { resource: 'user', operation: 'get', user: byName('VBR01\\admin') };
const SHEILA = 'TECH\\sheila.d.cory';

describe('redirects are never followed (point 7)', () => {
	it.each([302, 307])('an API call answered %i to another host fails naming the host; the token goes nowhere', async (status) => {
		vbr.addFault({ kind: 'answer', status, headers: { Location: `${elsewhere.url}/api/v1/security/users?x=1` }, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe(
			`${vbr.url} answered GET ${USERS} with a redirect (${status}) to ${elsewhere.url}. The node does not follow redirects from a Veeam server: a redirect could hand the token or the request to another host.`,
		);
		expect(errorText(run)).not.toContain('x=1');
		expect(elsewhere.stats.requests).toBe(0);
		// Not retried: a redirect is an answer, not a hiccup.
		expect(vbr.stats.byStatus[String(status)]).toBe(1);
	});

	it('a redirect to plain http is refused the same way', async () => {
		vbr.addFault({ kind: 'answer', status: 301, headers: { Location: 'http://203.0.113.9/steal' }, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toContain('with a redirect (301) to http://203.0.113.9.');
	});

	it('the login answered with a redirect fails naming the host; the password form goes nowhere', async () => {
		vbr.addFault({ kind: 'answer', status: 307, headers: { Location: `${elsewhere.url}/api/oauth2/token` }, pathIncludes: '/oauth2/token' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe(
			`Veeam Backup & Replication login failed: ${vbr.url}/api/oauth2/token answered with a redirect (307) to ${elsewhere.url}. ` +
				'The login is never sent on to another address (it holds the password): put the server\'s own address into "Server URL".',
		);
		expect(elsewhere.stats.requests).toBe(0);
	});
});

describe('a 404 is "absent" only when Veeam says so (point 4)', () => {
	const sheilaId = () => simUser(vbr, SHEILA)?.id as string;

	it('Offboard: a bare 404 on the DELETE (a proxy, a wrong route) is an error, the user is not reported absent', async () => {
		vbr.addFault({ kind: 'answer', status: 404, method: 'DELETE', pathIncludes: USERS });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(run.error?.message).toBe('Veeam answered 404');
		expect(run.json).toEqual([]);
		expect(simUser(vbr, SHEILA)).toBeDefined();
	});

	it('Get by ID: a bare 404 is an error, not "no such user"', async () => {
		vbr.addFault({ kind: 'answer', status: 404, method: 'GET', pathIncludes: `${USERS}/` });
		const run = await h.run({ resource: 'user', operation: 'get', user: byId(sheilaId()) });
		expect(run.error?.message).toBe('Veeam answered 404');
	});

	it('Offboard by ID: Veeam\'s NotFound about another resource is not an answer about this user', async () => {
		const id = sheilaId();
		vbr.addFault({
			kind: 'answer',
			status: 404,
			body: { errorCode: 'NotFound', message: 'Resource does not exist', resourceId: '00000000-0000-4000-8000-000000000000' },
			method: 'GET',
			pathIncludes: `${USERS}/`,
		});
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byId(id) });
		expect(run.error?.message).toBe('Veeam: Resource does not exist');
		expect(simUser(vbr, SHEILA)).toBeDefined();
	});

	it('Veeam\'s own NotFound for the user still means absent', async () => {
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byId('00000000-0000-4000-8000-000000000000') });
		expect(run.json[0]).toMatchObject({ action: 'absent', directoryAccountRemains: false });
	});
});

describe('another user than the one asked for is never taken for it (point 8)', () => {
	it('VBR: a GET by ID answered with another user fails; nothing is changed', async () => {
		const admin = simUser(vbr, 'VBR01\\admin');
		const sheila = simUser(vbr, SHEILA) as { id: string };
		vbr.addFault({ kind: 'answer', status: 200, body: admin, method: 'GET', pathIncludes: `${USERS}/${sheila.id}` });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byId(sheila.id) });
		expect(run.error?.message).toBe(`Veeam answered GET ${USERS}/${sheila.id} with another user (VBR01\\admin) than ID ${sheila.id}`);
		expect(mutations(vbr)).toEqual([]);
	});

	it('VBGC: a GET by name answered with another user fails; Promote changes nothing', async () => {
		const administrator = vbgcUser(vbgc, 'administrator');
		vbgc.addFault({ kind: 'answer', status: 200, body: administrator, method: 'GET', pathIncludes: `${VBGC_USERS}/operator` });
		const run = await g.run({ resource: 'user', operation: 'promote', user: byName('operator'), roleMode: 'replace', roles: ['Restore Operator'] });
		expect(run.error?.message).toBe(`Veeam answered GET ${VBGC_USERS}/operator with another user (administrator) than "operator"`);
		expect(mutations(vbgc)).toEqual([]);
	});

	it.each([
		['.', 'promote', { roleMode: 'replace', roles: ['Restore Operator'] }],
		['..', 'offboard', {}],
		['.', 'get', {}],
	] as Array<[string, string, Record<string, string | string[]>]>)('VBGC: the name "%s" (a path segment URLs collapse) is refused for %s before any request', async (name, operation, extra) => {
		const run = await g.run({ resource: 'user', operation, user: byName(name), ...extra });
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(`User (item 0): not a Veeam Backup for Google Cloud user name: "${name}" cannot be a user name: in a URL it means the current or parent path`);
		expect(vbgc.stats.requests).toBe(0);
	});

	it('VBGC: onboarding "." or ".." is refused before any request, and MFA Disable of "." too', async () => {
		const onboard = await g.run(
			{ resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', password: VBGC_DEFAULT_PASSWORD, roles: ['Restore Operator'] },
			[{ name: '..' }],
		);
		expect(onboard.error?.message).toMatch(/^User Name \(item 0\): "\.\." cannot be a user name/);
		const mfa = await g.run({ resource: 'mfa', operation: 'disable', user: byName('.') });
		expect(mfa.error?.name).toBe('NodeOperationError');
		expect(vbgc.stats.requests).toBe(0);
	});
});

describe('a lost DELETE answer (point 12)', () => {
	it('Offboard reports "deleted" with the directory flags when the connection dropped after the server deleted', async () => {
		vbr.addFault({ kind: 'drop', afterProcessing: true, method: 'DELETE', pathIncludes: USERS });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: true, directoryAccount: SHEILA });
		expect(simUser(vbr, SHEILA)).toBeUndefined();
		expect(mutations(vbr)).toEqual([['user.delete', SHEILA]]);
	});

	it('VBGC: the same, and the DELETE is not sent twice', async () => {
		vbgc.addFault({ kind: 'drop', afterProcessing: true, method: 'DELETE', pathIncludes: VBGC_USERS });
		const run = await g.run({ resource: 'user', operation: 'offboard', user: byName('operator') });
		expect(run.json[0]).toMatchObject({ action: 'deleted' });
		expect(vbgc.stats.byRoute[`DELETE ${VBGC_USERS}/:name`]).toBe(1);
	});
});

describe('secrets a server echoes back never reach the user (point 10)', () => {
	it('a token endpoint that repeats the login form: the password is not in the error', async () => {
		vbr.addFault({ kind: 'echo', pathIncludes: '/oauth2/token' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/^Veeam Backup & Replication login failed \(password grant, 400 UnexpectedContent: The request could not be processed: grant_type=password&username=VBR01%5Csvc-n8n&password=\[redacted\]\)\.$/);
	});

	it('an API error that repeats the request body: a new user\'s password is in neither the error nor the continue-on-fail item', async () => {
		const password = 'N3w-Hire-Secret!x';
		vbgc.addFault({ kind: 'echo', method: 'POST', pathIncludes: VBGC_USERS });
		const params = { resource: 'user', operation: 'onboard', userName: 'new_hire', password, roles: ['Restore Operator'] };
		const run = await g.run(params, [{}], { secrets: [password] });
		expect(run.error?.message).toContain('"password":"[redacted]"');
		const continued = await g.run(params, [{}], { continueOnFail: true, secrets: [password] });
		// The echo fault is spent: the second run created the user.
		expect(continued.json[0]).toMatchObject({ action: 'created' });
		vbgc.addFault({ kind: 'echo', method: 'POST', pathIncludes: 'changePassword' });
		const change = await g.run(
			{ resource: 'user', operation: 'changePassword', user: byName('new_hire'), oldPassword: password, newPassword: 'An0ther-Secret!y' },
			[{}],
			{ continueOnFail: true, secrets: [password, 'An0ther-Secret!y'] },
		);
		expect(String(change.json[0].error)).toContain('[redacted]');
	});

	it('a Server URL with user info is refused without repeating it', async () => {
		h.resetCredential({ url: 'svc-n8n:Pa55-Word-Here@vbr.example.com:9419' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe('Server URL (credential, item 0): must not contain a user name or password: use the credential fields');
		expect(JSON.stringify(run.error)).not.toContain('Pa55-Word-Here');
	});
});

/**
 * A byte every 500 ms keeps an idle timeout (1 s) from ever firing, so only a deadline ends these
 * runs early. The answers trickled whole would take minutes (the user list's ~320 bytes: 160 s an
 * attempt; the token answer's ~240 bytes: 120 s); a deadline ends them in seconds. The bounds sit
 * between the two, far from both: a busy machine stretches the run's own work, not the deadlines.
 */
const TRICKLE_MS = 500;

describe('the Request Timeout is a deadline (point 13)', () => {
	it('a server trickling a byte every 500 ms fails a 1-s timeout in seconds, not after the whole answer', async () => {
		h.resetCredential({ timeoutSeconds: 1 });
		await h.run(getAdmin); // logged in
		vbr.addFault({ kind: 'trickle', ms: TRICKLE_MS, count: 10, method: 'GET', pathIncludes: USERS });
		const started = Date.now();
		const run = await h.run(getAdmin);
		const elapsed = Date.now() - started;
		expect(run.error?.message).toMatch(new RegExp(`^No answer from ${vbr.url.replace(/[.]/g, '\\.')} within 1 s`));
		// A read is retried after a timeout (4 retries with backoff): 5 deadlines of 1 s and the waits
		// (9-13 s in all), against 160 s for the first trickled answer alone.
		expect(elapsed).toBeLessThan(60_000);
	}, 300_000);

	it('the login too: a login past the deadline fails the run clearly (a login failure is not retried)', async () => {
		h.resetCredential({ timeoutSeconds: 1 });
		vbr.addFault({ kind: 'trickle', ms: TRICKLE_MS, pathIncludes: '/oauth2/token' });
		const started = Date.now();
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/^Veeam Backup & Replication login failed\. No answer from .* within 1 s/);
		// One deadline of 1 s, against 120 s for the trickled answer.
		expect(Date.now() - started).toBeLessThan(30_000);
	}, 300_000);
});

describe('expires_in beyond reason (point 14)', () => {
	it.each([1e13, 1e300])('a login answering expires_in %d succeeds, the stored expiry capped at a day', async (expiresIn) => {
		vbr.addFault({ kind: 'patch', set: { expires_in: expiresIn }, pathIncludes: '/oauth2/token' });
		const run = await h.run(getAdmin);
		expect(run.error).toBeUndefined();
		const expiry = Date.parse(String(h.storedCredential().tokenExpiresAt));
		expect(expiry - Date.now()).toBeLessThanOrEqual(86_400_000);
		expect(expiry - Date.now()).toBeGreaterThan(86_000_000);
	});
});

describe('a list whose paging never ends (point 11)', () => {
	const getMany = { resource: 'user', operation: 'getMany', returnAll: true };

	it('Get Many (Return All) fails clearly when the total promises more than the pages bring', async () => {
		vbr.seed({ count: 600 });
		vbr.addFault({ kind: 'patch', set: { pagination: { total: 1_000_000, count: 500, skip: 0, limit: 500 } }, count: 100, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getMany);
		expect(run.error?.message).toBe("The server's list of users is broken: it announced 1000000 but sent none from position 606 on");
		expect(vbr.stats.byRoute[`GET ${USERS}`]).toBe(3);
	});

	it('… and when the server sends the same page again and again (it ignores the offset)', async () => {
		const page = { data: [simUser(vbr, 'VBR01\\admin'), simUser(vbr, SHEILA)], pagination: { total: 1_000_000, count: 2, skip: 0, limit: 500 } };
		vbr.addFault({ kind: 'answer', status: 200, body: page, count: 100, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getMany);
		expect(run.error?.message).toBe("The server's list of users is broken: the page from position 2 repeated users it had already sent");
		expect(vbr.stats.requests).toBe(1 + 2); // the login, two pages
	});
});

describe('the trigger and a role listed twice (point 15)', () => {
	it('a user whose role list names a role twice gives no rolesChanged, on this poll or the next', async () => {
		const trigger = activate(vbr, 'vbr', { events: ['rolesChanged'] });
		expect((await trigger.poll()).response).toBeNull(); // the baseline
		const users = vbr.product.snapshot().users as Array<{ name: string; roles: unknown[] }>;
		const doubled = users.map((u) => (u.name === SHEILA ? { ...u, roles: [...u.roles, ...u.roles] } : u));
		const page = { data: doubled, pagination: { total: doubled.length, count: doubled.length, skip: 0, limit: 500 } };
		vbr.addFault({ kind: 'answer', status: 200, body: page, count: 2, method: 'GET', pathIncludes: USERS });
		for (let poll = 0; poll < 2; poll++) {
			const result = await trigger.poll();
			expect(result.error).toBeUndefined();
			expect(summary(result)).toEqual([]);
		}
		expect(vbr.stats.faultsInjected).toBe(2);
	});
});

describe('a user removed by someone else between the look-up and the DELETE', () => {
	it('Offboard reports "absent" and still says the directory account remains', async () => {
		const sheila = simUser(vbr, SHEILA) as { id: string };
		vbr.addFault({
			kind: 'answer',
			status: 404,
			body: { errorCode: 'NotFound', message: 'Resource does not exist', resourceId: sheila.id },
			method: 'DELETE',
			pathIncludes: USERS,
		});
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(run.json[0]).toMatchObject({ action: 'absent', name: SHEILA, directoryAccountRemains: true, directoryAccount: SHEILA });
	});
});

// ---------------------------------------------------------------------------------------------
// Veeam Backup for AWS and Veeam Backup for Microsoft Azure: the same distrust
// ---------------------------------------------------------------------------------------------

describe.each(CLOUD_PRODUCTS)('%s: answers no Veeam server should give', (product) => {
	const facts = FACTS[product];
	const USERS_PATH = facts.usersPath;
	let sim: SimServer;
	let f: CloudFixture;
	/** AWS addresses users by name, Azure by ID: the locator and path of the initial user "operator". */
	// Azure's user IDs are opaque strings (Veeam's examples: 1003, 1423); the simulator's operator is 1002.
	const OPERATOR_ID = '1002';
	const operator = () => (product === 'aws' ? byName('operator') : byId(OPERATOR_ID));
	const operatorPath = `${USERS_PATH}/${product === 'aws' ? 'operator' : OPERATOR_ID}`;
	const getOperator = () => ({ resource: 'user', operation: 'get', user: operator() });
	const loginPath = product === 'aws' ? '/api/v1/token' : '/api/oauth2/token';

	beforeAll(async () => {
		sim = await startSimulator({ product });
		f = new CloudFixture(sim, product);
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(() => {
		sim.reset();
		f.resetCredential();
	});

	describe('redirects are never followed', () => {
		it.each([302, 307])('a user read answered %i to another host fails naming the host; the token goes nowhere', async (status) => {
			sim.addFault({ kind: 'answer', status, headers: { Location: `${elsewhere.url}${USERS_PATH}?x=1` }, method: 'GET', pathIncludes: USERS_PATH });
			const run = await f.run(getOperator());
			expect(run.error?.message).toBe(
				`${sim.url} answered GET ${operatorPath} with a redirect (${status}) to ${elsewhere.url}. The node does not follow redirects from a Veeam server: a redirect could hand the token or the request to another host.`,
			);
			expect(errorText(run)).toContain('Put the Veeam server\'s own address');
			expect(errorText(run)).not.toContain('x=1');
			expect(elsewhere.stats.requests).toBe(0);
			expect(sim.stats.byStatus[String(status)]).toBe(1);
			expect(mutations(sim)).toEqual([]);
		});

		it('a create answered with a redirect is not sent on, and not sent again', async () => {
			sim.addFault({ kind: 'answer', status: 308, headers: { Location: `${elsewhere.url}${USERS_PATH}` }, method: 'POST', pathIncludes: USERS_PATH, count: 10 });
			const params = { resource: 'user', operation: 'onboard', userName: 'new_hire', ...(product === 'azure' ? { userType: 'Internal' } : {}), password: 'N3w-Hire-Secret!x', roles: ['Restore Operator'] };
			const run = await f.run(params, [{}], { secrets: ['N3w-Hire-Secret!x'] });
			expect(run.error?.message).toContain(`with a redirect (308) to ${elsewhere.url}.`);
			expect(elsewhere.stats.requests).toBe(0);
			expect(sim.stats.byStatus['308']).toBe(1);
			expect(cloudUser(sim, 'new_hire')).toBeUndefined();
		});

		it('the login answered with a redirect fails naming the host; the password form goes nowhere', async () => {
			sim.addFault({ kind: 'answer', status: 307, headers: { Location: `${elsewhere.url}${loginPath}` }, pathIncludes: loginPath });
			const run = await f.run(getOperator());
			expect(run.error?.message).toBe(
				`${facts.name} login failed: ${sim.url}${loginPath} answered with a redirect (307) to ${elsewhere.url}. ` +
					'The login is never sent on to another address (it holds the password): put the server\'s own address into "Server URL".',
			);
			expect(elsewhere.stats.requests).toBe(0);
		});
	});

	describe('a 404 is "absent" only when Veeam says so', () => {
		it('Offboard: a bare 404 on the DELETE (a proxy, a wrong route) is an error; the user is not reported absent', async () => {
			sim.addFault({ kind: 'answer', status: 404, method: 'DELETE', pathIncludes: USERS_PATH });
			const run = await f.run({ resource: 'user', operation: 'offboard', user: operator() });
			expect(run.error?.message).toBe('Veeam answered 404');
			expect(run.json).toEqual([]);
			expect(cloudUser(sim, 'operator')).toBeDefined();
		});

		it('Get: a bare 404 on the look-up is an error, not "no such user"', async () => {
			sim.addFault({ kind: 'answer', status: 404, method: 'GET', pathIncludes: USERS_PATH });
			const run = await f.run(getOperator());
			expect(run.error?.message).toBe('Veeam answered 404');
		});

		if (product === 'azure') {
			// Azure answers a version segment it does not accept with 404 NotFound ("The API version v4
			// is not supported. Supported versions: …"), naming no resource: that NotFound must not be
			// read as "this user does not exist" (Offboard would report an existing user "absent").
			const v4 = { apiVersion: 'custom', customApiVersion: 'v4' };

			it('Offboard by ID with an API version the server does not accept fails naming the version; the user is not reported absent', async () => {
				f.resetCredential(v4);
				const run = await f.run({ resource: 'user', operation: 'offboard', user: operator() });
				expect(run.error?.message).toMatch(/API version v4 is not supported/);
				expect(run.json).toEqual([]);
			});

			it('Get by ID with that version fails naming the version, not "no Veeam user"', async () => {
				f.resetCredential(v4);
				const run = await f.run(getOperator());
				expect(run.error?.message).toMatch(/API version v4 is not supported/);
			});

			it('nothing is deleted, and a look-up by name (a list) fails naming the version', async () => {
				f.resetCredential(v4);
				await f.run({ resource: 'user', operation: 'offboard', user: operator() });
				const run = await f.run({ resource: 'user', operation: 'offboard', user: byName('operator') });
				expect(run.error?.message).toBe('Veeam: The API version v4 is not supported. Supported versions: v5, v6, v7, v8, v8.1.');
				expect(mutations(sim)).toEqual([]);
				expect(cloudUser(sim, 'operator')).toBeDefined();
			});
		}

		it('Veeam\'s own NotFound for the user still means absent', async () => {
			const ghost = product === 'aws' ? byName('ghost_user') : byId('00000000-0000-4000-8000-000000000000');
			const run = await f.run({ resource: 'user', operation: 'offboard', user: ghost });
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({ action: 'absent', directoryAccountRemains: false });
			expect(mutations(sim)).toEqual([]);
		});
	});

	describe('another user than the one asked for is never taken for it', () => {
		const administrator = () => ({ ...cloudUser(sim, facts.admin) });

		it('a look-up answered with another user fails; Promote and Offboard change nothing', async () => {
			sim.addFault({ kind: 'answer', status: 200, body: administrator(), method: 'GET', pathIncludes: operatorPath, count: 2 });
			const promote = await f.run({ resource: 'user', operation: 'promote', user: operator(), roleMode: 'replace', roles: ['Restore Operator'] });
			expect(promote.error?.name).toBe('NodeApiError');
			expect(promote.error?.message).toMatch(new RegExp(`with another user \\(${facts.admin}\\) than "${product === 'aws' ? 'operator' : OPERATOR_ID}"$`));
			const offboard = await f.run({ resource: 'user', operation: 'offboard', user: operator() });
			expect(offboard.error?.message).toBe(promote.error?.message);
			expect(mutations(sim)).toEqual([]);
			expect(cloudUser(sim, 'operator')).toBeDefined();
		});

		// Azure: the message names the path as it was sent, the credential's API version in it.
		it('… and the message names the call as it was sent (the API version in the path)', async () => {
			sim.addFault({ kind: 'answer', status: 200, body: administrator(), method: 'GET', pathIncludes: operatorPath });
			const run = await f.run(getOperator());
			expect(run.error?.message).toBe(
				`Veeam answered GET ${operatorPath} with another user (${facts.admin}) than "${product === 'aws' ? 'operator' : OPERATOR_ID}"`,
			);
		});

		it('a create answered with another user is not taken for the new one', async () => {
			sim.addFault({ kind: 'answer', status: 201, body: administrator(), method: 'POST', pathIncludes: USERS_PATH });
			const params = { resource: 'user', operation: 'onboard', userName: 'new_hire', ...(product === 'azure' ? { userType: 'Internal' } : {}), password: 'N3w-Hire-Secret!x', roles: ['Restore Operator'] };
			const run = await f.run(params, [{}], { secrets: ['N3w-Hire-Secret!x'] });
			expect(run.error?.message).toMatch(new RegExp(`^Veeam answered POST ${USERS_PATH} with another user \\(${facts.admin}\\) than "new_hire"$`));
			expect(run.json).toEqual([]);
		});
	});

	if (product === 'aws') {
		describe('names that are path segments or other calls are refused before any request', () => {
			it.each([
				['.', 'promote', { roleMode: 'replace', roles: ['Restore Operator'] }, 'not a Veeam Backup for AWS user name: "." cannot be a user name: in a URL it means the current or parent path'],
				['..', 'offboard', {}, 'not a Veeam Backup for AWS user name: ".." cannot be a user name: in a URL it means the current or parent path'],
				['..', 'get', {}, 'not a Veeam Backup for AWS user name: ".." cannot be a user name: in a URL it means the current or parent path'],
				['validateName', 'offboard', {}, '"validateName" cannot be a user name: the API uses /users/validateName for another call'],
				['VALIDATEPASSWORD', 'get', {}, '"VALIDATEPASSWORD" cannot be a user name: the API uses /users/VALIDATEPASSWORD for another call'],
				['export', 'promote', { roleMode: 'replace', roles: ['Restore Operator'] }, '"export" cannot be a user name: the API uses /users/export for another call'],
			] as Array<[string, string, Record<string, string | string[]>, string]>)('"%s" for %s', async (name, operation, extra, problem) => {
				const run = await f.run({ resource: 'user', operation, user: byName(name), ...extra });
				expect(run.error?.name).toBe('NodeOperationError');
				expect(run.error?.message).toBe(`User (item 0): ${problem}`);
				expect(sim.stats.requests).toBe(0);
			});

			it('MFA Disable of "..", and by ID mode too (AWS IDs are names)', async () => {
				for (const user of [byName('..'), byId('..'), byId('validateName')]) {
					const run = await f.run({ resource: 'mfa', operation: 'disable', user });
					expect(run.error?.name).toBe('NodeOperationError');
				}
				expect(sim.stats.requests).toBe(0);
			});
		});
	} else {
		describe('an ID that cannot be one is refused before any request (IDs are opaque strings, encoded into the path)', () => {
			// From an expression (a literal is refused by n8n itself: the locator's check, below).
			it.each([
				['..', 'User (item 0): ".." cannot be a user ID: in a URL it means the current or parent path'],
				['.', 'User (item 0): "." cannot be a user ID: in a URL it means the current or parent path'],
				['10\u000002', 'User (item 0): the user ID holds control characters, which no Veeam Backup for Microsoft Azure user ID has'],
			])('%j', async (id, message) => {
				for (const operation of ['get', 'offboard', 'changePassword']) {
					const run = await f.run({ resource: 'user', operation, user: byId('={{ $json.id }}'), newPassword: 'N3w-Passw0rd!x' }, [{ id }]);
					expect(run.error?.name).toBe('NodeOperationError');
					expect(run.error?.message).toBe(message);
				}
				expect(sim.stats.requests).toBe(0);
			});

			it('an ID with a path or query in it is encoded into one path segment: looked up, absent, nothing else reached', async () => {
				for (const id of [`${OPERATOR_ID}/../..`, `${OPERATOR_ID}?x=1`]) {
					const run = await f.run({ resource: 'user', operation: 'get', user: byId('={{ $json.id }}') }, [{ id }]);
					expect(run.error?.message).toBe(`User (item 0): no Veeam user or group with ID ${id}`);
				}
				expect(Object.keys(sim.stats.byRoute).filter((r) => !/^(POST \/api\/oauth2\/token|GET \/api\/:version\/users(\/:id)?)$/.test(r))).toEqual([]);
			});

			it('a literal ".." in the ID field: n8n refuses to run the workflow at all', async () => {
				// n8n 2.x names the issue (the locator's own message); n8n 1.x says only that there are issues.
				const issue = N8N_MAJOR >= 2 ? /Enter the user ID Veeam gave the user/ : /The workflow has issues and cannot be executed/;
				await expect(f.run({ resource: 'user', operation: 'offboard', user: byId('..') })).rejects.toThrow(issue);
				expect(sim.stats.requests).toBe(0);
			});
		});
	}

	if (product === 'azure') {
		describe('the trigger and a role listed twice (an answer with role as a list, as v3 wrote it)', () => {
			it('a user whose role list names its one role twice gives no rolesChanged, on this poll or the next', async () => {
				const trigger = activate(sim, 'azure', { events: ['rolesChanged'] });
				expect((await trigger.poll()).response).toBeNull(); // the baseline
				const users = (sim.product.snapshot().users as IDataObject[]).map((u) => (u.name === 'operator' ? { ...u, role: [u.role, u.role] } : u));
				sim.addFault({ kind: 'answer', status: 200, body: { offset: 0, limit: -1, totalCount: users.length, results: users }, count: 2, method: 'GET', pathIncludes: USERS_PATH });
				for (let poll = 0; poll < 2; poll++) {
					const result = await trigger.poll();
					expect(result.error).toBeUndefined();
					expect(summary(result)).toEqual([]);
				}
				expect(sim.stats.faultsInjected).toBe(2);
			});
		});
	}

	describe('a lost DELETE answer', () => {
		it('Offboard reports "deleted" when the connection dropped after the server deleted, and the DELETE is not sent twice', async () => {
			sim.addFault({ kind: 'drop', afterProcessing: true, method: 'DELETE', pathIncludes: USERS_PATH });
			const run = await f.run({ resource: 'user', operation: 'offboard', user: operator() });
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: false });
			expect(cloudUser(sim, 'operator')).toBeUndefined();
			expect(mutations(sim)).toEqual([['user.delete', 'operator']]);
			expect(sim.stats.byRoute[`DELETE ${facts.routes.one.slice('GET '.length)}`]).toBe(1);
		});

		if (product === 'azure') {
			it('… for a Microsoft Entra ID user, with the directory account flagged', async () => {
				sim.addFault({ kind: 'drop', afterProcessing: true, method: 'DELETE', pathIncludes: USERS_PATH });
				const run = await f.run({ resource: 'user', operation: 'offboard', user: byName(AZURE_IDP_USER.name) });
				expect(run.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: true, directoryAccount: AZURE_IDP_USER.name });
				expect(mutations(sim)).toEqual([['user.delete', AZURE_IDP_USER.name]]);
			});
		}
	});

	describe('secrets a server echoes back never reach the user', () => {
		it('a token endpoint that repeats the login form: the password is not in the error', async () => {
			sim.addFault({ kind: 'echo', pathIncludes: loginPath });
			const run = await f.run(getOperator());
			expect(run.error?.message).toMatch(
				// Azure: problem details without errorCode, and the grant as its Login reference writes it.
				product === 'azure'
					? new RegExp(`^${facts.name} login failed \\(password grant, 400: The request could not be processed: grant_type=Password&username=${facts.admin}&password=\\[redacted\\]\\)\\.`)
					: new RegExp(`^${facts.name} login failed \\(password grant, 400 UnexpectedContent: The request could not be processed: grant_type=password&username=${facts.admin}&password=\\[redacted\\]\\)\\.`),
			);
		});

		it('an API error that repeats the request body: the new user\'s password is in neither the error nor the continue-on-fail item', async () => {
			const password = 'N3w-Hire-Secret!x';
			// The create's body holds the password (AWS then asks validateName and validatePassword why: fine, so the create's error stands).
			sim.addFault({ kind: 'echo', method: 'POST', pathIncludes: USERS_PATH });
			const params = { resource: 'user', operation: 'onboard', userName: 'new_hire', ...(product === 'azure' ? { userType: 'Internal' } : {}), password, roles: ['Restore Operator'] };
			const run = await f.run(params, [{}], { secrets: [password] });
			expect(run.error?.message).toContain('"password":"[redacted]"');
			expect(JSON.stringify(run.error)).not.toContain(password);
			sim.addFault({ kind: 'echo', method: 'PUT', pathIncludes: USERS_PATH });
			const change = await f.run(
				{ resource: 'user', operation: 'changePassword', user: operator(), ...(product === 'aws' ? { oldPassword: facts.password } : {}), newPassword: 'An0ther-Secret!y' },
				[{}],
				{ continueOnFail: true, secrets: ['An0ther-Secret!y'] },
			);
			expect(String(change.json[0].error)).toContain('[redacted]');
			expect(JSON.stringify(change.json)).not.toContain('An0ther-Secret!y');
		});
	});

	describe('expires_in beyond reason', () => {
		it.each([1e13, 1e300])('a login answering expires_in %d succeeds, the stored expiry capped at a day', async (expiresIn) => {
			sim.addFault({ kind: 'patch', set: { expires_in: expiresIn }, pathIncludes: loginPath });
			const run = await f.run(getOperator());
			expect(run.error).toBeUndefined();
			const expiry = Date.parse(String(f.storedCredential().tokenExpiresAt));
			expect(expiry - Date.now()).toBeLessThanOrEqual(86_400_000);
			expect(expiry - Date.now()).toBeGreaterThan(86_000_000);
		});
	});

	describe('a list whose paging never ends', () => {
		const getMany = { resource: 'user', operation: 'getMany', returnAll: true };

		it('Get Many (Return All) fails clearly when totalCount promises more than the pages bring', async () => {
			sim.seed({ count: 30 });
			const total = (sim.product.snapshot().users as unknown[]).length;
			sim.addFault({ kind: 'patch', set: { totalCount: 1_000_000 }, count: 100, method: 'GET', pathIncludes: USERS_PATH });
			const run = await f.run(getMany);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toBe(`The server's list of users is broken: it announced 1000000 but sent none from position ${total} on`);
			expect(sim.stats.byRoute[facts.routes.list]).toBe(2);
		});

		it('… and when the server sends the same page again and again (it ignores Offset)', async () => {
			const users = (sim.product.snapshot().users as IDataObject[]).slice(0, 2);
			sim.addFault({ kind: 'answer', status: 200, body: { totalCount: 1_000_000, results: users }, count: 100, method: 'GET', pathIncludes: USERS_PATH });
			const run = await f.run(getMany);
			expect(run.error?.message).toBe("The server's list of users is broken: the page from position 2 repeated users it had already sent");
			expect(sim.stats.requests).toBe(1 + 2); // the login, two pages
		});

		it('… and a totalCount that is not a number is not trusted to end the list early', async () => {
			sim.seed({ count: 5 });
			const total = (sim.product.snapshot().users as unknown[]).length;
			sim.addFault({ kind: 'patch', set: { totalCount: 'lots' }, count: 100, method: 'GET', pathIncludes: USERS_PATH });
			const run = await f.run(getMany);
			expect(run.error).toBeUndefined();
			expect(run.json).toHaveLength(total);
		});

		it('the trigger\'s poll fails the same way, emits nothing, and the next good poll reports the change', async () => {
			const trigger = activate(sim, product);
			expect((await trigger.poll()).response).toBeNull(); // the baseline
			sim.seed({ count: 3 });
			sim.addFault({ kind: 'patch', set: { totalCount: 1_000_000 }, count: 100, method: 'GET', pathIncludes: USERS_PATH });
			const broken = await trigger.poll();
			expect(broken.error?.message).toMatch(/^The server's list of users is broken: it announced 1000000 but sent none from position \d+ on$/);
			expect(broken.response).toBeNull();
			sim.faults.clear();
			expect(summary(await trigger.poll()).map(([event]) => event)).toEqual(['userAdded', 'userAdded', 'userAdded']);
		});
	});
});
