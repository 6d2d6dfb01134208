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
		const logins = routes['GET /api/v3/users/logins'] ?? 0;
		// The first logins page, then at most one round of pages in flight when the failure came.
		expect(logins).toBeLessThanOrEqual(1 + PAGE_CONCURRENCY);
		expect(routes['GET /api/v3/users'] ?? 0).toBeLessThanOrEqual(1);
	});

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
