/**
 * The VSPC poll's first requests go out together (the organizations, the first users page and the
 * first logins page: 89d7607). What that must not change, found by review of that commit:
 * - a poll logs in once on a fresh credential;
 * - a refused organizations read fails the poll without the logins list being read on (before the
 *   guard in vspcListing.ts, all 62 logins pages of this server went out first);
 * - a request that waited for another's login and fails through an async action whose errors echo
 *   the bearer token never shows the token (secretsNow.ts; before, the token read after the login
 *   was not among the secrets scrubbed on that path).
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../../sim';
import type { SimResponse } from '../../../sim/core/http';
import { shutdownEngine } from '../../support/engine';
import { aroundRoutes } from '../../support/simRoutes';
import { PAGE_CONCURRENCY } from '../../../nodes/VeeamTrigger/pages';
import { activate, emitted } from './harness';
import { vspcProduct } from './vspcHarness';

const ALL = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
const ORGS = '/api/v3/organizations';

describe('VSPC poll: the first pages with the organizations', () => {
	let sim: SimServer;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vspc', vspc: { maxPageSize: 5, limitOverMax: 'clamp' } });
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});
	beforeEach(() => {
		sim.reset();
		sim.faults.clear();
	});

	it('logs in once on a fresh credential', async () => {
		const first = await activate(sim, 'vspc', { events: ALL }).poll();
		expect(first.error).toBeUndefined();
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('a refused organizations read fails the poll with no more than the pages already under way', async () => {
		vspcProduct(sim).seedUsers({ count: 300, organizationUid: VSPC_COMPANY_ALPHA_UID });
		const activation = activate(sim, 'vspc', { events: ALL });
		expect((await activation.poll()).error).toBeUndefined();
		sim.stats.reset();
		sim.addFault({ kind: 'answer', status: 403, body: { errors: [{ message: 'forbidden', type: 'security', code: 403 }] }, method: 'GET', pathIncludes: ORGS, count: 5 });
		const second = await activation.poll();
		expect(second.error?.message).toMatch(/forbidden/);
		expect(emitted(second)).toEqual([]);
		const routes = sim.stats.byRoute as Record<string, number>;
		// Each list: its first page, then at most one round of pages in flight when the failure came
		// (the users' pages no longer wait for the organizations either).
		expect(routes['GET /api/v3/users/logins'] ?? 0).toBeLessThanOrEqual(1 + PAGE_CONCURRENCY);
		expect(routes['GET /api/v3/users'] ?? 0).toBeLessThanOrEqual(1 + PAGE_CONCURRENCY);
	});

	it("the users' pages go on from the first page's total while the organizations are still read, and get them", async () => {
		vspcProduct(sim).seedUsers({ count: 30, organizationUid: VSPC_COMPANY_ALPHA_UID });
		const activation = activate(sim, 'vspc', { events: ALL });
		const baseline = await activation.poll();
		expect(baseline.error).toBeUndefined();
		vspcProduct(sim).seedUsers({ count: 2, organizationUid: VSPC_COMPANY_ALPHA_UID });
		// The organizations are answered only once a users page past the first was asked (or, should
		// none come, after a while: then the test fails on the order, it does not hang).
		let laterPage!: () => void;
		const asked = new Promise<void>((resolve) => (laterPage = resolve));
		const order: string[] = [];
		const undo = aroundRoutes(
			sim,
			(method, path) => method === 'GET' && (path === ORGS || path === '/api/v3/users'),
			async (req, handler, path) => {
				if (path === '/api/v3/users' && Number(req.query.get('offset') ?? 0) > 0) {
					order.push('users page past the first');
					laterPage();
				}
				if (path === ORGS) {
					await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
					order.push('organizations answered');
				}
				return await handler(req);
			},
		);
		try {
			const second = await activation.poll();
			expect(second.error).toBeUndefined();
			expect(order[0]).toBe('users page past the first');
			// The two new users and nothing else: every other user compared with its organization attached as before.
			const added = emitted(second);
			expect(added.map((e) => e.event)).toEqual(['userAdded', 'userAdded']);
			for (const e of added) {
				const user = e.user as IDataObject;
				expect(user.type).toBe('Company');
				expect(user.organization).toEqual({ uid: VSPC_COMPANY_ALPHA_UID, name: expect.any(String), type: 'Company' });
			}
		} finally {
			undo();
		}
	}, 60_000);

	it.each([
		['a users page that waited for the login', ['GET /users']],
		['the organizations read that logged in', ['GET /organizations']],
	])('an async action failing with the bearer token in its errors, %s: the token is not in the error', async (_name, operations) => {
		const product = sim.product as unknown as { options: IDataObject };
		product.options.asyncOperations = operations;
		const tokens: string[] = [];
		const undo = aroundRoutes(
			sim,
			(method, path) => method === 'GET' && path.startsWith('/api/v3/asyncActions/'),
			async (req, handler, path) => {
				const auth = String(req.headers.authorization ?? '');
				tokens.push(auth.replace(/^Bearer\s+/i, ''));
				if (path.endsWith('/result')) return { status: 200, body: { errors: [{ message: `Bad request from ${auth} (token ${auth.slice(7)})`, type: 'logical', code: 400 }] } } as SimResponse;
				const answer = await handler(req);
				const body = answer.body as { data?: { status?: string } };
				if (body?.data) body.data.status = 'failed';
				return answer;
			},
		);
		try {
			const first = await activate(sim, 'vspc', { events: ALL }).poll();
			expect(first.error).toBeDefined();
			const token = tokens.find((t) => t.length > 8);
			expect(token).toBeDefined();
			const text = JSON.stringify({ message: first.error?.message, description: (first.error as { description?: string } | undefined)?.description, error: first.error });
			expect(text).toContain('Bad request from');
			expect(text.includes(String(token))).toBe(false);
		} finally {
			undo();
			product.options.asyncOperations = [];
		}
	});
});
