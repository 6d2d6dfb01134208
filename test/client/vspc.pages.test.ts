/**
 * The VSPC adapter reads a whole user list with its pages in parallel once the first page gives the
 * total (client/adapters/vspcPages.ts): ceil(total / 500) requests, at most 8 in flight, the users in
 * the server's order whatever order the answers arrive in; a total that moves mid-read is read again.
 */
import type { IDataObject } from 'n8n-workflow';

import { VspcDirectory } from '../../client/adapters/vspc';
import type { VeeamContext } from '../../client/transport';
import { fakeVspc, pageOf, type FakeRequest } from './vspcFake';

const ORG = '11111111-1111-4111-8111-111111111111';
const uid = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
const USERS: IDataObject[] = Array.from({ length: 4321 }, (_, i) => ({
	instanceUid: uid(i + 1),
	organizationUid: ORG,
	userName: `user${String(i + 1).padStart(5, '0')}`,
	role: 'CompanyLocationUser',
	status: 'Enabled',
	mfaPolicyStatus: 'Disabled',
}));

/** A fake whose user pages answer after a delay that makes later pages arrive first; counts requests in flight. */
function slowServer(total: () => number) {
	let inFlight = 0;
	let maxInFlight = 0;
	const fake = fakeVspc((req: FakeRequest) => {
		if (req.path === '/api/v3/organizations') return pageOf([{ instanceUid: ORG, name: 'Alpha', type: 'Company' }], req);
		if (req.path === '/api/v3/users') return pageOf(USERS, req, total());
		return undefined;
	});
	const helpers = (fake.ctx as unknown as { helpers: { httpRequestWithAuthentication: (...a: unknown[]) => Promise<unknown> } }).helpers;
	const answer = helpers.httpRequestWithAuthentication;
	helpers.httpRequestWithAuthentication = async (...args: unknown[]) => {
		const url = new URL(String((args[1] as { url: string }).url));
		const offset = Number(url.searchParams.get('offset') ?? 0);
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		// Later offsets answer sooner: arrival order is the reverse of the list's.
		await new Promise((resolve) => setTimeout(resolve, url.pathname === '/api/v3/users' ? Math.max(1, 40 - offset / 200) : 1));
		inFlight--;
		return await answer(...args);
	};
	return { ...fake, directory: new VspcDirectory(fake.ctx as VeeamContext), maxInFlight: () => maxInFlight };
}

describe('VSPC whole lists read in parallel', () => {
	it('reads 4,321 users in 9 requests, at most 8 in flight, in the server order whatever order the pages arrive in', async () => {
		const { directory, requests, maxInFlight } = slowServer(() => USERS.length);
		const users = await directory.listUsers();
		expect(users.map((u) => u.ref)).toEqual(USERS.map((u) => u.instanceUid));
		const lists = requests.filter((r) => r.path === '/api/v3/users');
		expect(lists).toHaveLength(Math.ceil(4321 / 500));
		expect(new Set(lists.map((r) => r.query.get('offset'))).size).toBe(lists.length);
		expect(maxInFlight()).toBeGreaterThan(1);
		expect(maxInFlight()).toBeLessThanOrEqual(8);
	});

	it('prefetch: the same, and the first page is not read twice', async () => {
		const { directory, requests } = slowServer(() => USERS.length);
		await expect(directory.prefetchUsers(100)).resolves.toBe(true);
		expect(requests.filter((r) => r.path === '/api/v3/users')).toHaveLength(9);
		await expect(directory.findUserByName('USER04321')).resolves.toMatchObject({ ref: uid(4321) });
		await expect(slowServer(() => USERS.length).directory.prefetchUsers(9)).resolves.toBe(false);
	});

	it('a total of more pages than any list has (MAX_PAGES) is refused after the first page', async () => {
		const { directory, requests } = slowServer(() => 10_000 * 500 + 1);
		await expect(directory.listUsers()).rejects.toThrow(/announced 5000001, more than 10000 pages of 500/);
		expect(requests.filter((r) => r.path === '/api/v3/users')).toHaveLength(1);
	});

	it('a total that moves during the parallel read: read again from the start', async () => {
		let calls = 0;
		const { directory, requests } = slowServer(() => (++calls === 4 ? 4322 : 4321));
		await expect(directory.listUsers()).resolves.toHaveLength(4321);
		expect(requests.filter((r) => r.path === '/api/v3/users')).toHaveLength(18);
	});
});
