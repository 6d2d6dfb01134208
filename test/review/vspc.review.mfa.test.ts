/**
 * Review (issue 28, VSPC MFA): "Require MFA" on a user whose policy reads EnabledByInheritance
 * (only its company requires MFA now) answers `unchanged` and sends nothing
 * (nodes/Veeam/actions/user/mfa.vspc.ts: `if (required ? mfaRequired(user) : …)`, where
 * mfaRequired() counts inheritance). The user's OWN policy stays Disabled: when the company's
 * policy is lifted, the user the workflow asked to require MFA of no longer has to.
 */
import { VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../sim';
import { byName } from '../nodes/Veeam/fixtures';
import { useVspc, type VspcFixture } from '../nodes/Veeam/vspc/fixture';

describe('review VSPC: Require MFA over an inherited policy', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	it('control: Require MFA sets the user\'s own policy when nothing is inherited', async () => {
		const run = await h.run({ resource: 'user', operation: 'requireMfa', user: byName('alpha.user') });
		expect(run.error).toBeUndefined();
		expect(h.vspc.userNamed('alpha.user')?.mfaPolicy).toBe('Enabled');
	});

	// FINDING M1 (risk, H-ops): the user's own policy must be Enabled after "Require MFA"
	// (or the output must say the requirement is only inherited); today it stays Disabled and the
	// item says `unchanged`. Lifting the company's policy then silently drops the requirement.
	it('Require MFA on an EnabledByInheritance user leaves the requirement on the user itself', async () => {
		h.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, true);
		const run = await h.run({ resource: 'user', operation: 'requireMfa', user: byName('alpha.user') });
		expect(run.error).toBeUndefined();
		h.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, false);
		expect(h.vspc.userNamed('alpha.user')?.mfaPolicy).toBe('Enabled');
		void sim;
	});
});
