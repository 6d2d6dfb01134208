import { mentions } from '../../../../client/adapters/authorizationEvents';

describe('mentions: an authorization event’s text names a user', () => {
	it.each([
		['User TECH\\jane: added with the roles Restore Operator.', 'TECH\\jane', true],
		['User TECH\\jane.doe: deleted.', 'TECH\\jane', false],
		['User TECH\\jane-x: deleted.', 'TECH\\jane', false],
		['User XTECH\\jane: deleted.', 'TECH\\jane', false],
		['Roles of tech\\JANE changed', 'TECH\\jane', true],
		['TECH\\jane', 'TECH\\jane', true],
		['User a.b (c): deleted', 'a.b (c)', true],
		['User ab: deleted', 'a.b', false],
	])('%s names %s: %s', (text, name, expected) => {
		expect(mentions(text, name)).toBe(expected);
	});
});
