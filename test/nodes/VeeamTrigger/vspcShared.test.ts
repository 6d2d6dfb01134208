/**
 * SharedValues (vspcListing.ts): a poll keeps one copy of each text and scope list its users and
 * logins repeat, so that a page's copies die young. Same values, fewer objects; scope lists frozen.
 */
import type { VspcLogin } from '../../../client/vspcModel';
import { SharedValues, trackedLogin } from '../../../nodes/VeeamTrigger/vspcListing';

/** A login as the adapter reads it from a page: its own strings and array (as JSON.parse makes them). */
const listed = (id: string): VspcLogin =>
	JSON.parse(JSON.stringify({ id, userUid: `u${id}`, kind: 'password', provider: 'VSPC', description: 'Created with the user.', status: 'enabled', scopes: ['integration', 'rest', 'ui'] })) as VspcLogin;

describe('SharedValues', () => {
	it('gives every login of a poll the same description, status, provider and scope list objects, equal to what was read', () => {
		const shared = new SharedValues();
		const a = trackedLogin(listed('1'), shared);
		const b = trackedLogin(listed('2'), shared);
		expect(b).toEqual({ ...a, id: '2' });
		expect(b.scopes).toBe(a.scopes);
		expect(Object.isFrozen(a.scopes)).toBe(true);
		expect(a.scopes).toEqual(['integration', 'rest', 'ui']);
		expect(shared.text(`${'Created with'} the user.`)).toBe(a.description);
	});

	it('keeps different scope lists apart (order and content matter) and leaves undefined as it is', () => {
		const shared = new SharedValues();
		const one = shared.scopes(['rest', 'ui']);
		expect(shared.scopes(['ui', 'rest'])).not.toBe(one);
		expect(shared.scopes(['rest\nui'])).toEqual(['rest\nui']);
		expect(shared.scopes(['rest', 'ui'])).toBe(one);
		expect(shared.text(undefined)).toBeUndefined();
	});

	it('without SharedValues a login keeps its own array (the Access Report and look-ups read logins so)', () => {
		const own = listed('3');
		expect(trackedLogin(own).scopes).toBe(own.scopes);
	});
});
