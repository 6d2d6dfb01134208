import { mentions } from '../../../../client/adapters/authorizationEvents';

describe('mentions: an authorization event’s text names a user', () => {
	it.each([
		['User TECH\\jane: added with the roles Restore Operator.', 'TECH\\jane', true],
		['User TECH\\jane.doe: deleted.', 'TECH\\jane', false],
		['User TECH\\jane-x: deleted.', 'TECH\\jane', false],
		['User XTECH\\jane: deleted.', 'TECH\\jane', false],
		['Roles of tech\\JANE: changed', 'TECH\\jane', true],
		// A name goes on through a space ($, letters of any script): a group, not the user.
		['Delete user TECH\\Backup Operators', 'TECH\\Backup', false],
		['Delete user TECH\\josé', 'TECH\\jos', false],
		['Delete user TECH\\svc$', 'TECH\\svc', false],
		["Delete user TECH\\jane's", 'TECH\\jane', false],
		['Delete user TECH\\jane+x', 'TECH\\jane', false],
		['Delete user TECH\\josé', 'TECH\\josé', true],
		['Delete user TECH\\Backup Operators', 'TECH\\Backup Operators', true],
		['Delete user "TECH\\jane".', 'TECH\\jane', true],
		['Deleted TECH\\jane. Done', 'TECH\\jane', true],
		['TECH\\jane', 'TECH\\jane', true],
		['User a.b (c): deleted', 'a.b (c)', true],
		['User ab: deleted', 'a.b', false],
	])('%s names %s: %s', (text, name, expected) => {
		expect(mentions(text, name)).toBe(expected);
	});
});
