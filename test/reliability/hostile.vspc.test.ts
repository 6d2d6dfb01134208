/**
 * Answers no Veeam Service Provider Console should give (as hostile.test.ts for the other
 * products), through n8n's engine on both majors: a paging envelope whose total moves or is
 * absent, `skip` instead of `offset` (the 9.1 reference's Overview sample prints it:
 * helpcenter.veeam.com/references/vac/9.1/rest/tag/SectionOverview), a page longer than the
 * limit, users of other organizations in a filtered list, users sent twice, a redirect, an error
 * body echoing secrets, wrong types (numbers for texts, a login ID past 2^53 as Veeam's own API-key
 * example prints one: …/docs/vac/rest/api_keys.html), HTML instead of JSON.
 *
 * The rule: the filter the user asked for holds; nothing is reported that the server does not
 * show (a run either gives the truth or fails clearly); no secret reaches an error or an output
 * (VspcFixture.run checks every secret the simulator saw and every one the credential holds).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, VSPC_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import type { SimRequest, SimResponse } from '../../sim/core/http';
import { shutdownEngine } from '../support/engine';
import { byName, errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { VspcFixture } from '../nodes/Veeam/vspc/fixture';
import { mutatingRequests } from './badInput.shared';

const USERS = '/api/v3/users';
const LOGINS = '/api/v3/users/logins';

let sim: SimServer;
/** A second server: where a redirect points, to prove nothing was sent there. */
let elsewhere: SimServer;
let h: VspcFixture;
let undo: Array<() => void> = [];

beforeAll(async () => {
	// Pages of 2 (a larger limit clamped, as a server may): every list is several pages.
	[sim, elsewhere] = await Promise.all([startSimulator({ product: 'vspc', vspc: { maxPageSize: 2, limitOverMax: 'clamp' } }), startSimulator({ product: 'vspc' })]);
	h = new VspcFixture(sim);
});
afterAll(async () => {
	await Promise.all([sim.close(), elsewhere.close()]);
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	elsewhere.reset();
	h.resetCredential();
});
afterEach(() => {
	for (const u of undo) u();
	undo = [];
	sim.faults.clear();
});

type Rewrite = (response: SimResponse, req: SimRequest, n: number) => SimResponse;

/**
 * The simulator's answers to `method` on exactly `path` (no query) rewritten by `rewrite` (its
 * n-th matching request, from 0): a server that lies in ways its fault kinds cannot say.
 */
function rewrite(method: string, path: string, fn: Rewrite): void {
	const router = sim.product.router as { match: (m: string, p: string) => ReturnType<SimServer['product']['router']['match']> };
	const original = router.match.bind(router);
	let n = 0;
	router.match = (m, p) => {
		const found = original(m, p);
		if (found.kind !== 'found' || m !== method || p !== path) return found;
		return { ...found, handler: async (req) => fn(await found.handler(req), req, n++) };
	};
	undo.push(() => {
		router.match = original;
	});
}

interface Page {
	meta?: { pagingInfo?: Record<string, unknown> } | null;
	data: IDataObject[];
}
const page = (r: SimResponse) => r.body as Page;
const truthNames = (orgUid?: string) =>
	(h.vspc.snapshot().users as Array<{ userName: string; organizationUid: string }>)
		.filter((u) => !orgUid || u.organizationUid === orgUid)
		.map((u) => u.userName)
		.sort();
const outputNames = (run: VeeamRun) => run.json.map((j) => String(j.name)).sort();
const getMany = (filters: IDataObject = {}, extra: IDataObject = {}): INodeParameters => ({ resource: 'user', operation: 'getMany', returnAll: true, filters, ...extra }) as INodeParameters;

/** The run gave exactly the server's users (`names`), or failed clearly with nothing output. */
function truthOrClearFailure(run: VeeamRun, names: string[]): void {
	if (run.error) {
		expect(errorText(run).length).toBeGreaterThan(20);
		expect(run.json).toEqual([]);
	} else {
		expect(outputNames(run)).toEqual(names);
	}
}

describe('a paging envelope not to be trusted', () => {
	it('a total that moves on every page: Get Many gives every user once, or fails clearly', async () => {
		rewrite('GET', USERS, (r, _q, n) => {
			const info = page(r).meta?.pagingInfo;
			if (info) info.total = Number(info.total) + n;
			return r;
		});
		truthOrClearFailure(await h.run(getMany()), truthNames());
	});

	it('a total that shrinks past page 1 (9 on the first page, 2 on the later ones): no user is lost without a word', async () => {
		rewrite('GET', USERS, (r) => {
			const info = page(r).meta?.pagingInfo;
			if (info && Number(info.offset) > 0) info.total = 2;
			return r;
		});
		truthOrClearFailure(await h.run(getMany()), truthNames());
	});

	it('no total at all (meta absent), pages shorter than asked: every user, or a clear failure', async () => {
		rewrite('GET', USERS, (r) => {
			delete (page(r) as Partial<Page>).meta;
			return r;
		});
		truthOrClearFailure(await h.run(getMany()), truthNames());
	});

	it('`skip` instead of `offset` in pagingInfo (the 9.1 Overview sample): every user once', async () => {
		rewrite('GET', USERS, (r) => {
			const info = page(r).meta?.pagingInfo;
			if (info) {
				info.skip = info.offset;
				delete info.offset;
			}
			return r;
		});
		truthOrClearFailure(await h.run(getMany()), truthNames());
	});

	it('a page longer than the limit asked: Get Many with Limit 3 outputs at most 3 real users', async () => {
		rewrite('GET', USERS, (r) => {
			const all = (h.vspc.snapshot().users as IDataObject[]).slice(0, 7);
			const body = page(r);
			return { ...r, body: { ...body, meta: { pagingInfo: { total: all.length, count: all.length, offset: 0 } }, data: all } };
		});
		const run = await h.run(getMany({}, { returnAll: false, limit: 3 }));
		expect(run.error).toBeUndefined();
		expect(run.json.length).toBeLessThanOrEqual(3);
		for (const name of outputNames(run)) expect(truthNames()).toContain(name);
	});

	it('the same page sent again and again (offset ignored): fails clearly, never loops or repeats a user', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['offset'], count: 1_000, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getMany());
		if (!run.error) expect(new Set(outputNames(run)).size).toBe(run.json.length);
		truthOrClearFailure(run, truthNames());
	});
});

describe('a filter the user asked for holds whatever the server sends', () => {
	it('Get Many of company Beta, answered with every organization\'s users (filter ignored): only Beta\'s', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['filter'], count: 1_000, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getMany({ companies: 'Beta' }));
		expect(run.error).toBeUndefined();
		expect(outputNames(run)).toEqual(truthNames(VSPC_COMPANY_BETA_UID));
	});

	it('Get Many with Role, answered with users of other roles and organizations: only those of the role', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['filter'], count: 1_000, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getMany({ companies: 'Alpha', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicy: 'notRequired' }));
		expect(run.error).toBeUndefined();
		expect(outputNames(run)).toEqual(['alpha.admin']);
	});

	it('Offboard, the logins list answered with every user\'s logins (filter ignored): only that user\'s API key is deleted', async () => {
		const admin = String(h.user('alpha.admin')?.instanceUid);
		const other = String(h.user('alpha.user')?.instanceUid);
		const mine = h.vspc.addApiKey(admin, { description: 'mine' });
		const theirs = h.vspc.addApiKey(other, { description: 'theirs' });
		sim.addFault({ kind: 'ignoreQuery', params: ['filter'], count: 1_000, method: 'GET', pathIncludes: LOGINS });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('alpha.admin'), offboardMode: 'disable' }, [{}], { secrets: [mine.key, theirs.key] });
		expect(h.logins(other).map((l) => l.id)).toContain(theirs.login.id);
		expect(sim.log.since().filter((e) => e.action === 'login.delete').map((e) => e.target)).not.toContain('alpha.user');
		if (!run.error) expect(h.logins(admin).some((l) => l.kind === 'apiKey')).toBe(false);
	});

	it('Sync of company Alpha, answered with Beta\'s users too: Beta\'s users are neither planned nor touched', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['filter'], count: 1_000, method: 'GET', pathIncludes: USERS });
		const run = await h.run(
			{ resource: 'user', operation: 'sync', syncOrganization: 'company', syncCompany: 'Alpha', scope: 'all', userName: '={{ $json.name }}', roles: '={{ $json.role }}', password: 'Sync-Passw0rd!42', syncMode: 'plan', syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 } },
			[{ name: 'alpha.admin', role: 'CompanyAdministrator' }],
			{ secrets: ['Sync-Passw0rd!42'] },
		);
		expect(run.error).toBeUndefined();
		const planned = run.json.map((j) => String(j.name));
		for (const name of truthNames(VSPC_COMPANY_BETA_UID)) expect(planned).not.toContain(name);
		expect(planned).not.toContain('administrator');
	});

	it('users of the list sent twice (a page repeated in itself): each user output once', async () => {
		rewrite('GET', USERS, (r) => {
			const body = page(r);
			return { ...r, body: { ...body, data: [...body.data, ...body.data] } };
		});
		const run = await h.run(getMany());
		if (!run.error) expect(new Set(outputNames(run)).size).toBe(run.json.length);
		truthOrClearFailure(run, truthNames());
	});

	it('a user whose organizationUid is not the company asked for, in that company\'s list: left out', async () => {
		rewrite('GET', USERS, (r) => {
			const body = page(r);
			return { ...r, body: { ...body, data: body.data.map((u) => (u.userName === 'alpha.admin' ? { ...u, organizationUid: VSPC_COMPANY_BETA_UID } : u)) } };
		});
		const run = await h.run(getMany({ companies: 'Alpha' }));
		if (!run.error) expect(outputNames(run)).not.toContain('alpha.admin');
	});
});

describe('redirects are never followed', () => {
	it.each([302, 307])('a user list answered %i to another host fails naming the host; the token goes nowhere', async (status) => {
		sim.addFault({ kind: 'answer', status, headers: { Location: `${elsewhere.url}${USERS}?x=1` }, method: 'GET', pathIncludes: USERS });
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('alpha.admin') });
		expect(run.error?.message).toContain(`with a redirect (${status}) to ${elsewhere.url}`);
		expect(errorText(run)).not.toContain('x=1');
		expect(elsewhere.stats.requests).toBe(0);
	});

	it('a create answered 307 is not sent on, and not sent twice', async () => {
		sim.addFault({ kind: 'answer', status: 307, headers: { Location: `${elsewhere.url}${USERS}` }, method: 'POST', pathIncludes: USERS });
		const run = await h.run({ resource: 'user', operation: 'onboard', userName: 'r.hire', organizationType: 'company', company: 'Alpha', roles: 'CompanyAdministrator', password: 'R3direct-Passw0rd!' }, [{}], { secrets: ['R3direct-Passw0rd!'] });
		expect(run.error?.message).toContain('with a redirect (307)');
		expect(elsewhere.stats.requests).toBe(0);
		expect(sim.stats.byRoute[`POST ${USERS}`] ?? 0).toBeLessThanOrEqual(1);
		expect(h.user('r.hire')).toBeUndefined();
	});

	it('the login answered with a redirect fails; the password form goes nowhere', async () => {
		sim.addFault({ kind: 'answer', status: 307, headers: { Location: `${elsewhere.url}/api/v3/token` }, pathIncludes: '/api/v3/token' });
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('alpha.admin') });
		expect(run.error?.message).toMatch(/redirect \(307\)/);
		expect(elsewhere.stats.requests).toBe(0);
	});
});

describe('secrets a server echoes back never reach the user', () => {
	it('a token endpoint that repeats the login form: the password is not in the error', async () => {
		sim.addFault({ kind: 'echo', pathIncludes: '/api/v3/token' });
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('alpha.admin') });
		expect(run.error).toBeDefined();
	});

	it('a create refused with the request body repeated: the new password is in neither the error nor the continue-on-fail item', async () => {
		const password = 'Ech0ed-Passw0rd!';
		sim.addFault({ kind: 'echo', method: 'POST', pathIncludes: USERS });
		const params = { resource: 'user', operation: 'onboard', userName: 'echo.hire', organizationType: 'company', company: 'Alpha', roles: 'CompanyAdministrator', password };
		const run = await h.run(params, [{}], { secrets: [password] });
		expect(run.error).toBeDefined();
		sim.addFault({ kind: 'echo', method: 'POST', pathIncludes: USERS });
		const cof = await h.run(params, [{}], { continueOnFail: true, secrets: [password] });
		expect(JSON.stringify(cof.json)).not.toContain(password);
	});

	// What the node can know is secret: the token it sent, the credential's password and TOTP secret.
	// (A secret it never saw, another user's key a server made up an error with, it cannot know.)
	it("an error body naming the bearer token and the credential's password and TOTP secret: none of them in the error", async () => {
		const totp = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
		h.resetCredential({ totpSecret: totp });
		rewrite('GET', USERS, (_r, req) => ({
			status: 400,
			body: { errors: [{ message: `Bad request from ${String(req.headers.authorization)} (${VSPC_DEFAULT_PASSWORD}, ${totp})`, type: 'logical', code: 400, parameterName: String(req.headers.authorization) }] },
		}));
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { continueOnFail: true, secrets: [totp] });
		expect(JSON.stringify(run.json)).toMatch(/error/);
	});

	it('the API-key credential: a refusal echoing the Authorization header does not show the key', async () => {
		const { key } = h.vspc.addApiKey(String(h.user('administrator')?.instanceUid), { description: 'n8n', scopes: ['rest'] });
		h.resetCredential({ authentication: 'apiKey', apiKey: key, username: '', password: '' });
		rewrite('GET', USERS, (_r, req) => ({ status: 401, body: { errors: [{ message: `Token ${String(req.headers.authorization)} refused.`, type: 'security', code: 401 }] } }));
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { secrets: [key] });
		expect(run.error).toBeDefined();
	});
});

describe('wrong types are not taken at face value', () => {
	it('a user name as a number, a UID as a number: not output as users (or a clear failure)', async () => {
		rewrite('GET', USERS, (r) => {
			const body = page(r);
			return { ...r, body: { ...body, data: body.data.map((u) => (u.userName === 'alpha.user' ? { ...u, userName: 12345 } : u.userName === 'alpha.admin' ? { ...u, instanceUid: 7 } : u)) } };
		});
		const run = await h.run(getMany());
		for (const j of run.json) {
			expect(typeof j.name).toBe('string');
			expect(String(j.id)).toMatch(/^[0-9a-f-]{36}$/i);
		}
	});

	it('a role that is a number or unknown text: never output as a role it is not', async () => {
		rewrite('GET', USERS, (r) => {
			const body = page(r);
			return { ...r, body: { ...body, data: body.data.map((u) => (u.userName === 'alpha.user' ? { ...u, role: 3 } : u.userName === 'alpha.admin' ? { ...u, role: 'SuperAdministrator' } : u)) } };
		});
		const run = await h.run(getMany({ role: 'CompanyAdministrator' }));
		if (!run.error) expect(outputNames(run)).not.toContain('alpha.admin');
		if (!run.error) expect(outputNames(run)).not.toContain('alpha.user');
	});

	it('an API-key login ID past 2^53 as a bare number: Offboard never reports the key deleted while the server still has it', async () => {
		const admin = String(h.user('alpha.admin')?.instanceUid);
		const { key, login } = h.vspc.addApiKey(admin, { description: 'old script' });
		const big = '11217524525076510964';
		let rewritten = 0;
		rewrite('GET', LOGINS, (r) => {
			const plain = JSON.stringify(r.body);
			const text = plain.replace(new RegExp(`"id":${JSON.stringify(login.id)}(?=[,}])`, 'g'), `"id":${big}`);
			if (text !== plain) rewritten++;
			return { status: r.status, headers: r.headers, rawBody: text };
		});
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('alpha.admin'), offboardMode: 'disable' }, [{}], { secrets: [key] });
		expect(rewritten).toBeGreaterThan(0);
		const stillThere = h.logins(admin).some((l) => l.id === login.id);
		if (stillThere) {
			expect(run.error).toBeDefined();
			expect(errorText(run)).toMatch(/not complete|API|key/i);
		} else {
			expect(run.json[0]).toMatchObject({ action: 'disabled' });
		}
	});
});

describe('HTML instead of JSON', () => {
	const html = { kind: 'answer' as const, status: 200, headers: { 'Content-Type': 'text/html' }, rawBody: '<html><body>Welcome to the portal</body></html>' };

	it('a user list answered with a web page fails clearly; no user is output, none is called absent', async () => {
		sim.addFault({ ...html, count: 1_000, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getMany());
		expect(run.error).toBeDefined();
		expect(run.json).toEqual([]);
		expect(errorText(run)).not.toMatch(/no (VSPC|Veeam) user/i);
	});

	it('Offboard whose DELETE is answered with a web page: never "deleted" unless the server shows the user gone', async () => {
		sim.addFault({ ...html, method: 'DELETE', pathIncludes: `${USERS}/`, count: 1_000 });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('alpha.user') });
		if (h.user('alpha.user')) {
			expect(run.error).toBeDefined();
			expect(run.json.filter((j) => j.action === 'deleted')).toEqual([]);
		}
	});

	it('Onboard whose create is answered with a web page: the user is reported created only if the server has it, once', async () => {
		sim.addFault({ ...html, method: 'POST', pathIncludes: USERS });
		const password = 'Html-Passw0rd!1';
		const run = await h.run({ resource: 'user', operation: 'onboard', userName: 'html.hire', organizationType: 'company', company: 'Alpha', roles: 'CompanyAdministrator', password }, [{}], { secrets: [password] });
		const created = (h.vspc.snapshot().users as Array<{ userName: string }>).filter((u) => u.userName === 'html.hire');
		expect(created.length).toBeLessThanOrEqual(1);
		if (!run.error) expect(created).toHaveLength(1);
		else expect(errorText(run).length).toBeGreaterThan(20);
	});

	it('Get of a user by name whose list page is a web page: no writes, a clear error', async () => {
		sim.addFault({ ...html, count: 1_000, method: 'GET', pathIncludes: USERS });
		const run = await h.run({ resource: 'user', operation: 'promote', user: byName('alpha.user'), roleMode: 'replace', roles: ['CompanyAdministrator'] });
		expect(run.error).toBeDefined();
		expect(mutatingRequests(sim)).toBe(0);
		expect(h.user('alpha.user')?.organizationUid).toBe(VSPC_COMPANY_ALPHA_UID);
	});
});
