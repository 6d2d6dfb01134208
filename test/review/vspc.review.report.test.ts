/**
 * Review (issue 28, VSPC Access Report: "API keys per user"). The report counts the logins of the
 * users it lists (accessReport.vspc.ts vspcSummary skips every login whose user is not listed), so
 * an enabled API key whose user record is gone (what Offboard's read-back calls "a login of the
 * deleted user", and the trigger "a user deleted meanwhile") appears nowhere: a working key
 * nobody sees. An admin's enabled RSA key (identity "AA", asymmetric authentication, which
 * Veeam's mfa.html names beside API keys for MFA accounts) is not flagged either.
 */
import type { IDataObject } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../sim';
import { useVspc, type VspcFixture } from '../nodes/Veeam/vspc/fixture';

describe('review VSPC: Access Report and keys', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	// FINDING R1 (risk, H-sync-report): an enabled API key of a user the server no longer lists
	// must show in the report (a row, a flag or the summary), by its login ID.
	it('an enabled API key whose user is gone is reported', async () => {
		const uid = String(h.user('alpha.admin')?.instanceUid);
		const { key, login } = h.vspc.addApiKey(uid, { description: 'forgotten script' });
		const store = h.vspc.store as unknown as { users: Map<string, unknown>; usersByName: Map<string, unknown>; usersByOrg: Map<string, Set<string>>; touch(): void };
		store.users.delete(uid);
		store.usersByName.delete('alpha.admin');
		store.usersByOrg.get(VSPC_COMPANY_ALPHA_UID)?.delete(uid);
		store.touch();
		const run = await h.run({ resource: 'user', operation: 'accessReport', reportOptions: {} }, [{}], { secrets: [key] });
		expect(run.error).toBeUndefined();
		const summary = run.json[run.json.length - 1] as IDataObject;
		const text = JSON.stringify(run.json);
		expect(summary.apiKeys === 1 || text.includes(uid) || text.includes(`"${login.id}"`)).toBe(true);
		void sim;
	});
});
