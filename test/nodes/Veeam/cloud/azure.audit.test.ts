/**
 * Veeam Backup for Microsoft Azure after the independent audit (/tmp/team/audit-azure.md), through
 * n8n's engine against the simulator: a 403 names the role this product needs, or the license
 * agreement when Veeam's `ProblemDetails403.licenseAgreementAcceptanceRequired` is true; a missing
 * user's 404 is "absent" whether its `instance` is the ID, the request path (ASP.NET Core's
 * default) or missing; the credential says which versions each release serves.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import { VeeamBackupAzureApi } from '../../../../credentials/VeeamBackupAzureApi.credentials';
import { shutdownEngine } from '../../../support/engine';
import { byId, errorText } from '../fixtures';
import { CloudFixture } from './fixture';

let sim: SimServer;
let h: CloudFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'azure' });
	h = new CloudFixture(sim, 'azure');
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
});

describe('a 403 says what Veeam Backup for Microsoft Azure needs', () => {
	it('names Portal Administrator of this product, not VBR\'s or VBGC\'s role, for an operator\'s 403', async () => {
		h.resetCredential({ username: 'operator' });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect((run.error as unknown as { httpCode?: string })?.httpCode).toBe('403');
		const text = errorText(run);
		expect(text).toContain('needs the Portal Administrator (Veeam Backup for Microsoft Azure) role');
		expect(text).not.toContain('Backup Administrator (VBR)');
		expect(text).not.toContain('license agreement');
	});

	it('says the license agreement must be accepted first when the 403 carries licenseAgreementAcceptanceRequired: true (the v8.1 document\'s ProblemDetails403)', async () => {
		const body = { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.4', title: 'Forbidden', status: 403, licenseAgreementAcceptanceRequired: true };
		sim.addFault({ kind: 'answer', method: 'GET', pathIncludes: '/users', status: 403, body });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		const text = errorText(run);
		expect(text).toMatch(/license agreement has not been accepted/);
		expect(text).not.toContain('needs the Portal Administrator');
	});

	it('a 403 whose licenseAgreementAcceptanceRequired is false is about the role', async () => {
		const body = { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.4', title: 'Forbidden', status: 403, licenseAgreementAcceptanceRequired: false };
		sim.addFault({ kind: 'answer', method: 'GET', pathIncludes: '/users', status: 403, body });
		const text = errorText(await h.run({ resource: 'user', operation: 'getMany', returnAll: true }));
		expect(text).toContain('needs the Portal Administrator (Veeam Backup for Microsoft Azure) role');
		expect(text).not.toContain('license agreement');
	});
});

describe.each(['path', 'none'] as const)('a missing user\'s 404 with `instance` as %s (assumed forms) is "absent"', (form) => {
	let other: SimServer;
	let o: CloudFixture;
	beforeAll(async () => {
		other = await startSimulator({ product: 'azure', azure: { notFoundInstance: form } });
		o = new CloudFixture(other, 'azure');
	});
	afterAll(async () => {
		await other.close();
	});

	it('Offboard and Get by an ID that names no user answer absent / nothing; the user list is checked once', async () => {
		o.resetCredential();
		const off = await o.run({ resource: 'user', operation: 'offboard', user: byId('9999') });
		expect(off.error).toBeUndefined();
		expect(off.json[0]).toMatchObject({ action: 'absent' });
		expect(other.stats.byStatus[404]).toBeGreaterThanOrEqual(1);
	});
});

describe('a 404 whose `instance` is another resource\'s path stays an error', () => {
	it('Offboard by ID 9999 answered 404 with instance /api/v8.1/users (the collection) is not "absent"', async () => {
		const body = { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found', status: 404, detail: 'Not found.', instance: '/api/v8.1/users' };
		sim.addFault({ kind: 'answer', method: 'GET', pathIncludes: '/users/9999', status: 404, body, count: 5 });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byId('9999') });
		expect(run.error).toBeDefined();
		expect(errorText(run)).toMatch(/404/);
	});
});

describe('the credential\'s versions', () => {
	it('says which versions each release serves (the v8.1 Overview, "Versioning": 8.x serves v6 and later, not v5)', () => {
		const version = new VeeamBackupAzureApi().properties.find((p) => p.name === 'apiVersion');
		const text = String(version?.description ?? '');
		expect(text).not.toMatch(/and older ones/);
		expect(text).toMatch(/8\.1: v8\.1, v8, v7, v6/);
		expect(text).toMatch(/7\.0: v7, v6, v5/);
	});
});
