/**
 * The Veeam Trigger for Veeam Backup for AWS (users addressed by name) and Veeam Backup for
 * Microsoft Azure (users addressed by ID, portal and Microsoft Entra ID users), through n8n's
 * engine against their simulators: one role per user, descriptions, MFA per user (AWS over
 * REST; Azure has no such call, so it changes inside the simulator as a user's own set-up would).
 */
import type { IDataObject } from 'n8n-workflow';

import { AZURE_DEFAULT_ADMIN_ID, AZURE_IDP_USER, AZURE_MFA_USER, startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { holdRequest } from '../../support/holdRequest';
import {
	AwsAdmin,
	AzureAdmin,
	USERS_PATH,
	activate,
	comparable,
	emitted,
	serverUsers,
	snapshotUsers,
	summary,
} from './harness';
import { VeeamTrigger } from '../../../nodes/VeeamTrigger/VeeamTrigger.node';

type CloudProduct = 'aws' | 'azure';

interface Facts {
	/** The initial users' refs (the snapshot's keys), in the order the snapshot keeps them. */
	baselineRefs: string[];
	/** The ref of an initial user by name. */
	ref: (name: string) => string;
	/** What a new user's item carries besides name, roles, description, MFA. */
	newUser: (id: string) => IDataObject;
	/** The route of a look-up of one user and of the list (sim stats). */
	lookupRoute: string;
	listRoute: string;
	/** By name, pages of 3: the user whose removal during the poll shifts the next page. */
	shiftRemoved: string;
}

const FACTS: Record<CloudProduct, Facts> = {
	aws: {
		baselineRefs: ['administrator', 'mfa_admin', 'operator', 'restorer'],
		ref: (name) => name,
		newUser: () => ({ type: 'Local' }),
		lookupRoute: 'GET /api/v1/users/:name',
		listRoute: 'GET /api/v1/users',
		shiftRemoved: 'mfa_admin',
	},
	azure: {
		// The snapshot keeps users in the order of the list (by name): Administrator, jane.doe@…, mfa_admin, operator, restorer.
		baselineRefs: [AZURE_DEFAULT_ADMIN_ID, AZURE_IDP_USER.id, AZURE_MFA_USER.id, '1002', '1003'],
		ref: (name) => {
			const ids: Record<string, string> = {
				Administrator: AZURE_DEFAULT_ADMIN_ID,
				mfa_admin: AZURE_MFA_USER.id,
				operator: '1002',
				restorer: '1003',
				[AZURE_IDP_USER.name]: AZURE_IDP_USER.id,
			};
			if (!ids[name]) throw new Error(`no initial Azure user ${name}`);
			return ids[name];
		},
		newUser: (id) => ({ id, type: 'Internal' }),
		lookupRoute: 'GET /api/:version/users/:id',
		listRoute: 'GET /api/:version/users',
		// Azure lists in its own order (the simulator: by ID, 1001 … 1005): restorer (1003) ends page 1.
		shiftRemoved: 'restorer',
	},
};

const ROLE: Record<CloudProduct, { admin: string; operator: string; restore: string }> = {
	aws: { admin: 'PortalAdministrator', operator: 'PortalOperator', restore: 'RestoreOperator' },
	azure: { admin: 'PortalAdmin', operator: 'PortalOperator', restore: 'RestoreOperator' },
};

describe.each(['aws', 'azure'] as const)('%s', (product) => {
	const facts = FACTS[product];
	const role = ROLE[product];
	let sim: SimServer;
	let admin: AwsAdmin | AzureAdmin;

	beforeAll(async () => {
		sim = await startSimulator({ product, aws: { maxPageSize: 3 }, azure: { maxPageSize: 3 } });
		admin = product === 'aws' ? new AwsAdmin(sim) : new AzureAdmin(sim);
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(async () => {
		sim.reset();
		await admin.login();
	});

	async function baselined(opts: Parameters<typeof activate>[2] = {}) {
		const activation = activate(sim, product, opts);
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		return activation;
	}

	it(`records a baseline of every user, keyed by ${product === 'aws' ? 'name' : 'ID'}, and emits nothing`, async () => {
		const activation = activate(sim, product);
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		const snapshot = snapshotUsers(sim, product, first.workflowStaticData);
		expect([...(snapshot?.keys() ?? [])]).toEqual(facts.baselineRefs);
		const mfaAdmin = facts.ref('mfa_admin');
		expect(comparable(snapshot?.get(mfaAdmin))).toEqual(comparable(serverUsers(sim).get(mfaAdmin)));
		expect(snapshot?.get(mfaAdmin)).toMatchObject({ mfaEnabled: true, roles: [{ id: role.admin, name: 'Portal Administrator' }] });
	});

	it('user added and removed; previous is the user as last seen, description included', async () => {
		const activation = await baselined();
		const ref = await admin.addUser('jane_doe', [role.restore], { description: 'Restores for the finance team' });
		const added = await activation.poll();
		expect(emitted(added)).toEqual([
			{
				event: 'userAdded',
				product,
				user: {
					...facts.newUser(ref),
					name: 'jane_doe',
					roles: [{ id: role.restore, name: 'Restore Operator', description: expect.any(String) }],
					mfaEnabled: false,
					description: 'Restores for the finance team',
					isDirectoryAccount: false,
					isGroup: false,
				},
				previous: null,
				changes: [],
				detectedAt: expect.any(String),
			},
		]);
		await admin.removeUser(ref);
		const removed = await activation.poll();
		expect(emitted(removed)).toEqual([
			{ event: 'userRemoved', product, user: null, previous: emitted(added)[0].user, changes: [], detectedAt: expect.any(String) },
		]);
	});

	it('roles changed: the one role replaced by another', async () => {
		const activation = await baselined();
		await admin.setRoles(facts.ref('operator'), [role.restore]);
		const [item, ...more] = emitted(await activation.poll());
		expect(more).toEqual([]);
		expect(item).toMatchObject({
			event: 'rolesChanged',
			user: { name: 'operator', roles: [{ id: role.restore, name: 'Restore Operator' }] },
			previous: { name: 'operator', roles: [{ id: role.operator, name: 'Portal Operator' }] },
			changes: [{ field: 'roles', from: [{ id: role.operator }], to: [{ id: role.restore }] }],
		});
	});

	it('MFA changed: turned on for one user, off for another', async () => {
		const activation = await baselined();
		await admin.setMfa(true, facts.ref('operator'));
		await admin.setMfa(false, facts.ref('mfa_admin'));
		const result = await activation.poll();
		expect(summary(result)).toEqual([
			['mfaChanged', 'mfa_admin'],
			['mfaChanged', 'operator'],
		]);
		expect(emitted(result).map((i) => i.changes)).toEqual([
			[{ field: 'mfaEnabled', from: true, to: false }],
			[{ field: 'mfaEnabled', from: false, to: true }],
		]);
	});

	it('other fields changed: the description, with from and to', async () => {
		const activation = await baselined();
		await admin.setDescription(facts.ref('restorer'), 'Night shift restores');
		const [item] = emitted(await activation.poll());
		expect(item).toMatchObject({
			event: 'otherFieldsChanged',
			user: { name: 'restorer', description: 'Night shift restores' },
			previous: { name: 'restorer', description: 'Restore operator' },
			changes: [{ field: 'description', from: 'Restore operator', to: 'Night shift restores' }],
		});
	});

	it('a long description is kept as a digest: the change is seen, its old value is null', async () => {
		// Letters, digits, dots, commas and spaces only: what Azure accepts in a description.
		const long = `Break glass account. ${'x'.repeat(100)}`;
		await admin.setDescription(facts.ref('restorer'), long);
		const activation = await baselined();
		await admin.setDescription(facts.ref('restorer'), `${long}.`);
		const [item] = emitted(await activation.poll());
		expect(item.changes).toEqual([{ field: 'description', from: null, to: `${long}.` }]);
		expect((item.previous as IDataObject).description).toBeUndefined();
	});

	it('only the events chosen are emitted', async () => {
		const activation = await baselined({ events: ['userRemoved', 'mfaChanged'] });
		const ref = await admin.addUser('new_hire', [role.restore]);
		await admin.setRoles(facts.ref('operator'), [role.admin]);
		await admin.setDescription(facts.ref('restorer'), 'Changed');
		await admin.setMfa(true, facts.ref('restorer'));
		await admin.removeUser(ref);
		await admin.removeUser(facts.ref('operator'));
		expect(summary(await activation.poll())).toEqual([
			['userRemoved', 'operator'],
			['mfaChanged', 'restorer'],
		]);
	});

	it('a removal before the page boundary while paging: the shifted user is looked up, no phantom', async () => {
		const activation = await baselined();
		// Pages of 3 in the server's order; removing a user of page 1 moves the first user of page 2 onto it.
		// The second page is held on the server until the removal is done (a gate, not a delay a loaded machine may overrun).
		let users = 0;
		const path = USERS_PATH[product].toLowerCase();
		const { held, release, restore } = holdRequest(sim, (req) => req.method === 'GET' && req.path.toLowerCase().includes(path) && ++users === 2);
		const poll = activation.poll();
		try {
			await held;
			await admin.removeUser(facts.ref(facts.shiftRemoved));
		} finally {
			release();
		}
		const result = await poll;
		restore();
		expect(result.error).toBeUndefined();
		expect(summary(result)).toEqual([]);
		expect(sim.stats.byRoute[facts.lookupRoute]).toBe(1);
		expect(summary(await activation.poll())).toEqual([['userRemoved', facts.shiftRemoved]]);
	});

	it('a failed poll emits nothing and keeps the snapshot; the next one reports everything', async () => {
		const activation = await baselined();
		const a = await admin.addUser('a_one', [role.restore]);
		const good = await activation.poll();
		await admin.addUser('b_two', [role.restore]);
		await admin.setDescription(a, 'changed');
		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: USERS_PATH[product], after: 1 });
		const failed = await activation.poll();
		expect(failed.error).toMatchObject({ httpCode: '500' });
		expect(failed.workflowStaticData).toEqual(good.workflowStaticData);
		expect(summary(await activation.poll())).toEqual([
			['otherFieldsChanged', 'a_one'],
			['userAdded', 'b_two'],
		]);
	});

	it('never reports a service-account change, and its samples never show one', async () => {
		const result = await activate(sim, product, { events: ['serviceAccountModeChanged', 'rolesChanged'] }).pollManually();
		expect(result.error).toBeUndefined();
		expect(emitted(result).length).toBeGreaterThan(0);
		expect(emitted(result).every((i) => i.event === 'rolesChanged' && i.sample === true)).toBe(true);
	});

	it('approval events, if chosen anyway (an expression, an imported workflow), are not read: no such request, and alone they are "no event"', async () => {
		const activation = await baselined({ events: ['userAdded', 'approvalPending', 'securityChange'] });
		await admin.addUser('c_three', [role.restore]);
		sim.stats.reset();
		expect(summary(await activation.poll())).toEqual([['userAdded', 'c_three']]);
		const routes = Object.keys(sim.stats.byRoute);
		expect(routes.every((r) => r === facts.listRoute || r.endsWith('/token'))).toBe(true);
		const alone = await activate(sim, product, { events: ['approvalApproved'] }).poll();
		expect(alone.error?.message).toBe('No event chosen');
	});
});

describe('azure: Microsoft Entra ID users', () => {
	let sim: SimServer;
	let admin: AzureAdmin;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'azure' });
		admin = new AzureAdmin(sim);
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(async () => {
		sim.reset();
		await admin.login();
	});

	it('an Entra ID user added and removed is a directory account, with its object ID', async () => {
		const activation = activate(sim, 'azure');
		expect((await activation.poll()).response).toBeNull();
		const id = await admin.addUser('john.roe@contoso.example', ['PortalOperator'], { identityProvider: true, description: 'Entra user' });
		const [added] = emitted(await activation.poll());
		expect(added).toMatchObject({
			event: 'userAdded',
			user: {
				id,
				name: 'john.roe@contoso.example',
				type: 'IdentityProvider',
				identityProviderEntityId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				isDirectoryAccount: true,
				roles: [{ id: 'PortalOperator', name: 'Portal Operator' }],
			},
		});
		await admin.removeUser(id);
		const [removed] = emitted(await activation.poll());
		expect(removed).toMatchObject({ event: 'userRemoved', user: null, previous: { id, isDirectoryAccount: true } });
	});

	it('the seeded Entra ID user is in the baseline as a directory account', async () => {
		const first = await activate(sim, 'azure').poll();
		const snapshot = snapshotUsers(sim, 'azure', first.workflowStaticData);
		expect(snapshot?.get(AZURE_IDP_USER.id)).toMatchObject({ name: AZURE_IDP_USER.name, type: 'IdentityProvider', isDirectoryAccount: true });
		expect(comparable(snapshot?.get(AZURE_IDP_USER.id))).toEqual(comparable(serverUsers(sim).get(AZURE_IDP_USER.id)));
	});

	it('the Veeam Updater role (Azure only) is a role like any other', async () => {
		const activation = activate(sim, 'azure', { events: ['rolesChanged'] });
		expect((await activation.poll()).response).toBeNull();
		await admin.setRoles('1003', ['VeeamUpdater']);
		const [item] = emitted(await activation.poll());
		expect(item).toMatchObject({ event: 'rolesChanged', user: { name: 'restorer', roles: [{ id: 'VeeamUpdater', name: 'Veeam Updater' }] } });
	});
});

describe('the events offered', () => {
	const events = new VeeamTrigger().description.properties.find((p) => p.name === 'events');
	const options = (events?.options ?? []) as Array<{ value: string; displayOptions?: unknown }>;

	it.each(['approvalApproved', 'approvalExpired', 'approvalPending', 'approvalRejected', 'securityChange', 'serviceAccountModeChanged'])(
		'%s is shown for Veeam Backup & Replication only',
		(value) => {
			expect(options.find((o) => o.value === value)?.displayOptions).toEqual({ show: { product: ['vbr'] } });
		},
	);

	it.each(['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'otherFieldsChanged'])('%s is shown for every product with users, AWS and Azure included (not VB365: restore-operator roles)', (value) => {
		expect(options.find((o) => o.value === value)?.displayOptions).toEqual({ hide: { product: ['vb365'] } });
	});

	it('AWS and Azure are products of the trigger, each with its own credential', () => {
		const product = new VeeamTrigger().description.properties.find((p) => p.name === 'product');
		expect((product?.options as Array<{ value: string }>).map((o) => o.value)).toEqual(expect.arrayContaining(['aws', 'azure']));
		expect(new VeeamTrigger().description.credentials).toEqual(
			expect.arrayContaining([
				{ name: 'veeamBackupAwsApi', required: true, displayOptions: { show: { product: ['aws'] } } },
				{ name: 'veeamBackupAzureApi', required: true, displayOptions: { show: { product: ['azure'] } } },
			]),
		);
	});
});

afterAll(async () => {
	await shutdownEngine();
});
