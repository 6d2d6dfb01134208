/**
 * The Veeam Trigger under API version "Automatic" (the default for new credentials), through n8n's
 * engine against the VBR simulator serving chosen version sets. VBR before API 1.3-rev2 reports no
 * MFA state on users (1.3-rev1 reference: no `mfaEnabled` in `UserModel`), so a snapshot read at
 * 1.3-rev1 and a listing at 1.3-rev2 differ in a field only one of them reports.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine, type PollResult } from '../../support/engine';
import { STATIC_KEY, VbrAdmin, activate, credentialsFor, summary } from './harness';

const VIEWER = '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305';
/** VBR 13.0 serves 1.3-rev1 (and older); 13.1 adds 1.3-rev2. */
const VBR_13_0 = ['1.3-rev0', '1.3-rev1'];
const VBR_13_1 = ['1.3-rev1', '1.3-rev2'];

let sim: SimServer;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { maxPageSize: 5 } });
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	sim.serveVersions(VBR_13_1);
});

/** The server upgraded: from now on it serves only `versions` (the kept version refused), users and tokens kept. */
async function upgradeTo(versions: string[]): Promise<void> {
	sim.serveVersions(versions);
	await sim.restart();
}

async function atConsole(): Promise<VbrAdmin> {
	const admin = new VbrAdmin(sim);
	await admin.login();
	return admin;
}

const nodeData = (result: PollResult) => (result.workflowStaticData[STATIC_KEY] ?? {}) as IDataObject;

/** The trigger on an Automatic credential, its baseline saved at once (so a test can take the stored static data). */
function automaticTrigger(staticData?: IDataObject) {
	return activate(sim, 'vbr', { credentials: credentialsFor(sim, 'vbr', { apiVersion: 'auto' }), options: { firstPoll: 'baselineItem' }, staticData });
}

describe('API version Automatic: the version in use changes under the trigger', () => {
	it('a snapshot without MFA states (1.3-rev1) and a listing with them (1.3-rev2): no mfaChanged, the real change between is reported; a real MFA change afterwards is', async () => {
		sim.serveVersions(VBR_13_0);
		const first = await automaticTrigger().poll();
		expect(first.error).toBeUndefined();
		expect(summary(first)).toEqual([['baseline', 'undefined']]);
		expect(nodeData(first).api).toBe('1.3-rev1');
		// A snapshot stored without the version it was read at (as an earlier release of the package stored it).
		const saved = JSON.parse(JSON.stringify(first.staticData)) as IDataObject;
		delete (saved[STATIC_KEY] as IDataObject).api;
		const trigger = automaticTrigger(saved);

		await upgradeTo(['1.3-rev2']);
		const admin = await atConsole();
		await admin.addUser('TECH\\between', [VIEWER]);
		const upgraded = await trigger.poll();
		expect(upgraded.error).toBeUndefined();
		// Every user now reports mfaEnabled (false): that is no change anybody made.
		expect(summary(upgraded)).toEqual([['userAdded', 'TECH\\between']]);
		expect(nodeData(upgraded).api).toBe('1.3-rev2');

		await admin.setMfa(true);
		const mfa = await trigger.poll();
		expect(summary(mfa)).toEqual([
			['mfaChanged', 'TECH\\between'],
			['mfaChanged', 'TECH\\sheila.d.cory'],
			['mfaChanged', 'VBR01\\admin'],
			['mfaChanged', 'VBR01\\viewer'],
		]);
		expect((mfa.response?.[0][0].json as IDataObject).changes).toEqual([{ field: 'mfaEnabled', from: false, to: true }]);
	});

	it('a snapshot read at another known version is another user list: a new baseline, as for a pinned version', async () => {
		sim.serveVersions(VBR_13_0);
		const trigger = automaticTrigger();
		expect(nodeData(await trigger.poll()).api).toBe('1.3-rev1');
		await upgradeTo(['1.3-rev2']);
		const upgraded = await trigger.poll();
		expect(upgraded.error).toBeUndefined();
		expect(summary(upgraded)).toEqual([['baseline', 'undefined']]);
		expect(nodeData(upgraded).api).toBe('1.3-rev2');
		await (await atConsole()).addUser('TECH\\after', [VIEWER]);
		expect(summary(await trigger.poll())).toEqual([['userAdded', 'TECH\\after']]);
	});

	it('the first poll of a new credential (no version kept before it, and not the newest) and the next: the same snapshot, the change between reported', async () => {
		sim.serveVersions(VBR_13_0);
		const trigger = activate(sim, 'vbr', { credentials: credentialsFor(sim, 'vbr', { apiVersion: 'auto' }) });
		const first = await trigger.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		// Found at the login inside this poll's listing: neither "none yet" nor the newest known (1.3-rev2).
		expect(nodeData(first).api).toBe('1.3-rev1');
		// 13.1 still serves the kept 1.3-rev1 (the console's client speaks 1.3-rev2).
		sim.serveVersions(VBR_13_1);
		await (await atConsole()).addUser('TECH\\second', [VIEWER]);
		expect(summary(await trigger.poll())).toEqual([['userAdded', 'TECH\\second']]);
	});

	it('a pinned version records none: it is part of the configuration key', async () => {
		const first = await activate(sim, 'vbr').poll();
		expect(first.error).toBeUndefined();
		expect(nodeData(first).cfg).toEqual(expect.any(String));
		expect(nodeData(first).api).toBeUndefined();
	});
});
