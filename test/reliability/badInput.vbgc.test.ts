/**
 * Bad-input table, VBGC (the rule and the shared parameters: badInput.shared.ts): users, MFA,
 * passwords and the credential.
 */
import { byName } from '../nodes/Veeam/fixtures';
import { badInputSuite, GOOD_VBGC, VBGC_ONBOARD, type BadInput, type BadCredential } from './badInput.shared';

const CASES: BadInput[] = [
	{ product: 'vbgc', what: 'empty name', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: '' } },
	{ product: 'vbgc', what: 'name with a space', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: 'jane doe' } },
	{ product: 'vbgc', what: 'name with a slash', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: 'a/b' } },
	{ product: 'vbgc', what: 'name "." (a path segment)', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: '.' } },
	{
		product: 'vbgc',
		what: 'promote ".." (a path segment)',
		parameters: { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: ['Restore Operator'] },
		field: 'User',
		good: { name: 'operator' },
		bad: { name: '..' },
	},
	{ product: 'vbgc', what: 'over-long name (65)', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: 'x'.repeat(65) } },
	{ product: 'vbgc', what: 'empty password', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: '' } },
	{ product: 'vbgc', what: 'weak password (short)', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: 'Ab1!' } },
	{ product: 'vbgc', what: 'weak password (no upper case)', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: 'weak-passw0rd!' } },
	{ product: 'vbgc', what: 'weak password (no symbol)', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: 'WeakPassw0rd' } },
	{ product: 'vbgc', what: 'unknown role', parameters: VBGC_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBGC, bad: { ...GOOD_VBGC, roles: ['Backup Administrator'] } },
	{ product: 'vbgc', what: 'empty role list', parameters: VBGC_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBGC, bad: { ...GOOD_VBGC, roles: [] } },
	{ product: 'vbgc', what: 'description is an object', parameters: VBGC_ONBOARD, field: 'Description', good: GOOD_VBGC, bad: { ...GOOD_VBGC, description: { a: 1 } } },
	...(['12345', '1234567', 'abcdef', '12 345'] as const).map(
		(code): BadInput => ({
			product: 'vbgc',
			what: `MFA code "${code}"`,
			parameters: { resource: 'mfa', operation: 'accept', user: byName('operator'), code: '={{ $json.code }}', token: '={{ $json.token }}' },
			field: 'Verification Code',
			good: { code: '000000', token: 'x' },
			bad: { code, token: 'x' },
		}),
	),
	{
		product: 'vbgc',
		what: 'weak new password',
		parameters: { resource: 'user', operation: 'changePassword', user: byName('operator'), oldPassword: 'Sim-Passw0rd!1', newPassword: '={{ $json.pw }}' },
		field: 'New Password',
		good: { pw: 'N3w-Passw0rd!x' },
		bad: { pw: 'password' },
	},
];

const CREDENTIAL_CASES: BadCredential[] = [
	{ product: 'vbgc', what: 'empty URL', change: () => ({ url: '' }), field: 'Server URL' },
	{ product: 'vbgc', what: 'URL with user info', change: (sim) => ({ url: sim.url.replace('https://', 'https://admin:Url-Pa55word@') }), field: 'Server URL' },
	{ product: 'vbgc', what: 'API version not in Veeam form', change: () => ({ apiVersion: '1.4' }), field: 'API Version' },
	{ product: 'vbgc', what: 'CA certificate that is not PEM', change: () => ({ caCertificate: '-----BEGIN CERTIFICATE-----' }), field: 'CA Certificate' },
];

const suite = badInputSuite(['vbgc']);

suite.describeCases(CASES);
suite.describeCredentialCases(CREDENTIAL_CASES);
