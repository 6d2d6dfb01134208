/**
 * A server that refuses long query strings (IIS, which VSPC runs under, answers 404.15 past its
 * `maxQueryString`, 2,048 bytes by default; Veeam documents no limit). The trigger's look-ups ask
 * for 50 users a request (about 7,000 characters of filter): such a group is asked again in halves,
 * down to one user at a time, and the poll reports what it should (audit of 2026-12-06, risk 1).
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { aroundRoutes } from '../../support/simRoutes';
import { activate, emitted } from './harness';
import { VSPC_USERS, VspcAdmin, vspcProduct } from './vspcHarness';

const ALL = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
const LIMIT = 2048;

describe('VSPC poll against a server with a short query string limit', () => {
	let sim: SimServer;
	const refused: number[] = [];
	const answered: number[] = [];
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vspc' });
		aroundRoutes(
			sim,
			(method, path) => method === 'GET' && path === VSPC_USERS,
			async (req, handler) => {
				const length = req.query.toString().length;
				if (!req.query.has('filter')) return await handler(req);
				if (length > LIMIT) {
					refused.push(length);
					return { status: 404, rawBody: '<html><body><h2>HTTP Error 404.15 - Not Found</h2>The request filtering module is configured to deny a request where the query string is too long.</body></html>', headers: { 'content-type': 'text/html' } };
				}
				answered.push(length);
				return await handler(req);
			},
		);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	it('asks the profiles of 60 users in smaller groups and emits every change with its profile', async () => {
		vspcProduct(sim).seedUsers({ count: 80, organizationUid: VSPC_COMPANY_ALPHA_UID });
		const activation = activate(sim, 'vspc', { events: ALL });
		expect((await activation.poll()).error).toBeUndefined();
		const admin = new VspcAdmin(sim);
		await admin.login();
		const everyone: IDataObject[] = [];
		for (let offset = 0; ; offset += 100) {
			const page = (await admin.page(VSPC_USERS, offset, 100)).data;
			everyone.push(...page);
			if (page.length < 100) break;
		}
		const some = everyone.filter((u) => u.role === 'CompanyLocationUser').slice(0, 60);
		expect(some).toHaveLength(60);
		for (const u of some) await admin.setRole(String(u.instanceUid), 'CompanyAdministrator');
		refused.length = 0;
		answered.length = 0;
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		const events = emitted(result);
		expect(events).toHaveLength(60);
		expect(events.every((e) => e.event === 'rolesChanged')).toBe(true);
		// Each user with the profile the server has.
		// (its texts: null means not set, as the adapter reads a profile)
		const texts = (p: unknown) => Object.fromEntries(Object.entries((p ?? {}) as IDataObject).filter(([, v]) => typeof v === 'string'));
		const profiles = new Map(everyone.map((u) => [u.instanceUid, texts(u.profile)]));
		for (const e of events) {
			const user = e.user as IDataObject;
			expect(user.profile).toBeDefined();
			expect(user.profile).toEqual(profiles.get(user.id));
		}
		// The 50-user group was refused, then asked in halves until each fit.
		expect(refused.length).toBeGreaterThan(0);
		expect(answered.length).toBeGreaterThan(2);
		expect(Math.max(...answered)).toBeLessThanOrEqual(LIMIT);
	});
});
