/**
 * Bad-input table, AWS and Azure (the rule and the shared parameters: badInput.shared.ts): names,
 * roles, IDs, Entra ID users, the credential, and the looks-ups that cannot work on one-role products.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../sim';
import { byId, byName } from '../nodes/Veeam/fixtures';
import { FACTS } from './cloudFixture';
import { AWS_ONBOARD, AZURE_ENTRA_ONBOARD, AZURE_ONBOARD, AZURE_OPERATOR_ID, badInputSuite, GOOD_CLOUD, GOOD_ENTRA, mutatingRequests, offboardById, offboardByName, promoteById, promoteByName, type BadInput, type BadCredential } from './badInput.shared';

/** The cases AWS and Azure share (their onboard fields and roles are alike). */
function cloudCases(product: 'aws' | 'azure'): BadInput[] {
	const onboard = product === 'aws' ? AWS_ONBOARD : AZURE_ONBOARD;
	const c = (what: string, field: string, bad: IDataObject): BadInput => ({ product, what, parameters: onboard, field, good: GOOD_CLOUD, bad: { ...GOOD_CLOUD, ...bad } });
	return [
		c('empty name', 'User Name', { name: '' }),
		c('name ".." (a path segment)', 'User Name', { name: '..' }),
		c('name "." (a path segment)', 'User Name', { name: '.' }),
		c('name with a space', 'User Name', { name: 'jane doe' }),
		c('name with a slash', 'User Name', { name: 'a/b' }),
		c('name with a wildcard', 'User Name', { name: 'jane*' }),
		c('name with a dot (the user guide: letters, digits, _ and -)', 'User Name', { name: 'jane.doe' }),
		c('name is an object', 'User Name', { name: { first: 'Jane' } }),
		c('two roles where one is allowed', 'Role Names or IDs', { roles: ['Restore Operator', 'Portal Operator'] }),
		c('two roles in one text', 'Role Names or IDs', { roles: 'Restore Operator, Portal Administrator' }),
		c('unknown role', 'Role Names or IDs', { roles: ['Backup Administrator'] }),
		c('empty role list', 'Role Names or IDs', { roles: [] }),
		// Only an empty password is refused here: neither product publishes its current password policy,
		// so a weak one goes to the appliance, which judges it (test/nodes/Veeam/cloud/users.test.ts).
		c('empty password', 'Password', { password: '' }),
		c('description is an object', 'Description', { description: { a: 1 } }),
		{
			product,
			what: 'promote with two roles',
			parameters: { ...promoteByName, roles: '={{ $json.roles }}' },
			field: 'Role Names or IDs',
			good: { name: 'operator', roles: ['Restore Operator'] },
			bad: { name: 'restorer', roles: ['Portal Operator', 'Restore Operator'] },
		},
		{ product, what: 'offboard with an empty name', parameters: offboardByName, field: 'User', good: { name: 'operator' }, bad: { name: '' } },
		{
			product,
			what: 'empty new password',
			parameters: {
				resource: 'user',
				operation: 'changePassword',
				user: byName('operator'),
				...(product === 'aws' ? { oldPassword: FACTS.aws.password } : {}),
				newPassword: '={{ $json.pw }}',
			},
			field: 'New Password',
			good: { pw: 'N3w-Passw0rd!x' },
			bad: { pw: '' },
		},
	];
}

const AWS_CASES: BadInput[] = [
	...cloudCases('aws'),
	{ product: 'aws', what: 'name with upper case (the user guide: lower case only)', parameters: AWS_ONBOARD, field: 'User Name', good: GOOD_CLOUD, bad: { ...GOOD_CLOUD, name: 'Jane_Doe' } },
	{ product: 'aws', what: 'over-long name (65)', parameters: AWS_ONBOARD, field: 'User Name', good: GOOD_CLOUD, bad: { ...GOOD_CLOUD, name: 'x'.repeat(65) } },
	{ product: 'aws', what: 'the Azure-only role Veeam Updater', parameters: AWS_ONBOARD, field: 'Role Names or IDs', good: GOOD_CLOUD, bad: { ...GOOD_CLOUD, roles: ['Veeam Updater'] } },
	{ product: 'aws', what: 'promote ".." (a path segment)', parameters: promoteByName, field: 'User', good: { name: 'operator' }, bad: { name: '..' } },
	{ product: 'aws', what: 'promote "validateName" (an API call under /users)', parameters: promoteByName, field: 'User', good: { name: 'operator' }, bad: { name: 'validateName' } },
	{ product: 'aws', what: 'offboard "validatePassword" (an API call under /users)', parameters: offboardByName, field: 'User', good: { name: 'operator' }, bad: { name: 'validatePassword' } },
	{ product: 'aws', what: 'offboard "." by ID (AWS IDs are names)', parameters: offboardById, field: 'User', good: { id: 'operator' }, bad: { id: '.' } },
	...(['12345', '1234567', 'abcdef', '12 345'] as const).map(
		(code): BadInput => ({
			product: 'aws',
			what: `MFA code "${code}"`,
			parameters: { resource: 'mfa', operation: 'accept', user: byName('operator'), code: '={{ $json.code }}', token: '={{ $json.token }}' },
			field: 'Verification Code',
			good: { code: '000000', token: 'x' },
			bad: { code, token: 'x' },
		}),
	),
	{
		product: 'aws',
		what: 'empty current password',
		parameters: { resource: 'user', operation: 'changePassword', user: byName('operator'), oldPassword: '={{ $json.old }}', newPassword: 'N3w-Passw0rd!x' },
		field: 'Current Password',
		good: { old: FACTS.aws.password },
		bad: { old: '' },
	},
];

const AZURE_CASES: BadInput[] = [
	...cloudCases('azure'),
	{ product: 'azure', what: 'portal name over 32 characters', parameters: AZURE_ONBOARD, field: 'User Name', good: GOOD_CLOUD, bad: { ...GOOD_CLOUD, name: 'x'.repeat(33) } },
	{ product: 'azure', what: 'user ID that is blank (promote)', parameters: promoteById, field: 'User', good: { id: AZURE_OPERATOR_ID }, bad: { id: '   ' } },
	{ product: 'azure', what: 'user ID with a control character (offboard)', parameters: offboardById, field: 'User', good: { id: AZURE_OPERATOR_ID }, bad: { id: '10\u000702' } },
	{ product: 'azure', what: 'user ID ".." (a path segment)', parameters: offboardById, field: 'User', good: { id: AZURE_OPERATOR_ID }, bad: { id: '..' } },
	{ product: 'azure', what: 'user ID with a line break in it', parameters: promoteById, field: 'User', good: { id: AZURE_OPERATOR_ID }, bad: { id: `${AZURE_OPERATOR_ID}\n/../x` } },
	{ product: 'azure', what: 'Entra ID user without an object ID', parameters: AZURE_ENTRA_ONBOARD, field: 'Entra Object ID', good: GOOD_ENTRA, bad: { ...GOOD_ENTRA, name: 'b@contoso.example', entra: '' } },
	{ product: 'azure', what: 'Entra ID user with a malformed object ID', parameters: AZURE_ENTRA_ONBOARD, field: 'Entra Object ID', good: GOOD_ENTRA, bad: { ...GOOD_ENTRA, name: 'b@contoso.example', entra: '0c5a6f1e-2b8d-4e2f-9a51' } },
	{ product: 'azure', what: 'Entra ID user with an object ID that is not text', parameters: AZURE_ENTRA_ONBOARD, field: 'Entra Object ID', good: GOOD_ENTRA, bad: { ...GOOD_ENTRA, name: 'b@contoso.example', entra: ['0c5a6f1e-2b8d-4e2f-9a51-1d6f3c7e8b90'] } },
	{ product: 'azure', what: 'Entra ID name that is no user principal name', parameters: AZURE_ENTRA_ONBOARD, field: 'User Name', good: GOOD_ENTRA, bad: { ...GOOD_ENTRA, name: 'jane_doe' } },
	{ product: 'azure', what: 'Entra ID user with two roles', parameters: AZURE_ENTRA_ONBOARD, field: 'Role Names or IDs', good: GOOD_ENTRA, bad: { ...GOOD_ENTRA, name: 'b@contoso.example', roles: ['Veeam Updater', 'Portal Operator'] } },
];

const CREDENTIAL_CASES: BadCredential[] = [
	{ product: 'aws', what: 'empty URL', change: () => ({ url: '' }), field: 'Server URL' },
	{ product: 'aws', what: 'URL with a path', change: (sim) => ({ url: `${sim.url}/api/v1` }), field: 'Server URL' },
	{ product: 'aws', what: 'API version in Azure\'s form', change: () => ({ apiVersion: 'v8.1' }), field: 'API Version' },
	{ product: 'aws', what: 'custom API version not in Veeam form', change: () => ({ apiVersion: 'custom', customApiVersion: '1.7' }), field: 'Custom API Version' },
	{ product: 'aws', what: 'CA certificate that is not PEM', change: () => ({ caCertificate: 'MIIB…not a certificate' }), field: 'CA Certificate' },
	{ product: 'azure', what: 'URL with user info', change: (sim) => ({ url: sim.url.replace('https://', 'admin:Url-Pa55word@') }), field: 'Server URL' },
	{ product: 'azure', what: 'http:// URL', change: (sim) => ({ url: sim.url.replace('https://', 'http://') }), field: 'Server URL' },
	{ product: 'azure', what: 'API version in AWS\'s form', change: () => ({ apiVersion: '1.7-rev0' }), field: 'API Version' },
	{ product: 'azure', what: 'API version without the v', change: () => ({ apiVersion: '8.1' }), field: 'API Version' },
	// The version goes into the path: a segment that would climb out of /api is never sent.
	{ product: 'azure', what: 'custom API version that is a path', change: () => ({ apiVersion: 'custom', customApiVersion: 'v8.1/../../x' }), field: 'Custom API Version' },
	{ product: 'azure', what: 'request timeout out of range', change: () => ({ timeoutSeconds: 0 }), field: 'Request Timeout (Seconds)' },
];

const suite = badInputSuite(['aws', 'azure']);
const { setup, expectRefusedBeforeAnyChange } = suite;

it('has at least 25 bad inputs for each product', () => {
	expect(AWS_CASES.length).toBeGreaterThanOrEqual(25);
	expect(AZURE_CASES.length).toBeGreaterThanOrEqual(25);
});

suite.describeCases([...AWS_CASES, ...AZURE_CASES]);
suite.describeCredentialCases(CREDENTIAL_CASES);

/**
 * Bad inputs on the one-role, cloud products that the table's general cases do not reach, each
 * refused with a NodeOperationError naming the field and the item, before anything is changed.
 * (Found by this suite; fixed in the product code.)
 */
describe('cloud products: names, role changes and looks-ups that cannot work', () => {
	// Names the API uses for another call under /users: such a user could never be addressed again.
	it.each(['export', 'validatename', 'isfirstlogin'])('aws: onboarding "%s" (a call under /users) is refused naming User Name (item 1), before any change', async (name) => {
		await expectRefusedBeforeAnyChange({ product: 'aws', what: name, parameters: AWS_ONBOARD, field: 'User Name', good: GOOD_CLOUD, bad: { ...GOOD_CLOUD, name } });
	});

	// A name the appliance refuses beyond its documented rules (its create answers 400, validateName
	// says why) is found when its item is carried out: checking every name on the server first would
	// double an onboarding's requests. Nothing of it is created, and the server's reason is given.
	const refusingTheName = (sim: SimServer) => {
		// The create of item 1 (item 0's goes through), then the validateName that explains it.
		sim.addFault({ kind: 'answer', status: 400, body: { type: 'x', title: 'Bad Request', status: 400, errorCode: 'UnexpectedContent', details: 'The user cannot be created.' }, method: 'POST', pathIncludes: '/api/v1/users', after: 1 });
		sim.addFault({ kind: 'answer', status: 200, body: [{ severity: 'Error', message: 'The name is reserved on this appliance.' }], method: 'POST', pathIncludes: '/validateName' });
	};
	const refusedNameCase = { product: 'aws' as const, parameters: { ...AWS_ONBOARD, options: { concurrency: 1 } }, good: GOOD_CLOUD };

	it('aws: a name the server refuses is not created, and the server\'s reason is given', async () => {
		const { sim, good, run } = setup(refusedNameCase);
		refusingTheName(sim);
		const result = await run([good, { ...GOOD_CLOUD, name: 'taken_name' }], false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(result.error?.message).toBe('Veeam Backup for AWS refuses the user name "taken_name": The name is reserved on this appliance.');
		expect((sim.product.snapshot().users as IDataObject[]).some((u) => u.name === 'taken_name')).toBe(false);
	});

	// One role per user: Add and Remove cannot work; refused in the check phase, naming Change.
	it.each(['aws', 'azure'] as const)('%s: Promote "Add Roles" is refused naming Change (item 1), before any change', async (product) => {
		await expectRefusedBeforeAnyChange({
			product,
			what: 'add a second role',
			parameters: { ...promoteByName, roleMode: '={{ $json.mode }}', roles: '={{ $json.roles }}', options: { concurrency: 1 } },
			field: 'Change',
			good: { name: 'restorer', mode: 'replace', roles: ['Portal Operator'] },
			bad: { name: 'operator', mode: 'add', roles: ['Restore Operator'] },
		});
	});

	// On Azure (users by ID) a name no user can have is refused in the check phase too.
	it.each(['..', 'a/b', 'jane*'])('azure: Promote by the name "%s" (no user can have it) is refused naming User (item 1), before any change', async (name) => {
		await expectRefusedBeforeAnyChange({ product: 'azure', what: name, parameters: promoteByName, field: 'User', good: { name: 'operator' }, bad: { name } });
	});
});

describe('azure: a password change for a Microsoft Entra ID user', () => {
	it('is refused without sending anything: its password is kept in Entra ID', async () => {
		const { sim, run } = setup({ product: 'azure', parameters: { resource: 'user', operation: 'changePassword', user: byId('1005'), newPassword: 'N3w-Passw0rd!x' }, good: {} });
		const result = await run([{}], false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(result.error?.message).toMatch(/is a Microsoft Entra ID account: its password is kept in Entra ID/);
		expect(mutatingRequests(sim)).toBe(0);
	});
});
