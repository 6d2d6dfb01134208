/**
 * The suite-wide secret scan's matcher (secretScan.teardown.js): it must find a secret in any
 * form it can leak in, and not cry wolf.
 */
const { buildIndex, findLeaks } = require('./secretScan.teardown.js') as {
	buildIndex: (secrets: Map<string, string>) => unknown;
	findLeaks: (text: string, index: unknown, allowMfaSetup: boolean) => Array<{ secret: string; kind: string }>;
};

const index = buildIndex(
	new Map([
		['Sim-Passw0rd!', 'password'],
		['acc.Zm9vYmFyYmF6cXV4', 'accessToken'],
		['12345678', 'scratchCode'],
		['JBSWY3DPEHPK3PXP', 'mfaSecret'],
	]),
);
const found = (text: string, allowMfaSetup = false) => findLeaks(text, index, allowMfaSetup).map((l) => l.kind);

describe('secret scan matcher', () => {
	it('finds a secret as is, inside JSON, URL-encoded, or in a log line', () => {
		expect(found('{"password":"Sim-Passw0rd!"}')).toEqual(['password']);
		expect(found('grant_type=password&password=Sim-Passw0rd%21')).toEqual(['password']);
		expect(found('debug: GET /users Authorization: Bearer acc.Zm9vYmFyYmF6cXV4')).toEqual(['accessToken']);
		expect(found('otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&issuer=y')).toEqual(['mfaSecret']);
	});

	it('takes a numeric secret only as a whole number', () => {
		expect(found('"scratchCodes":["12345678"]')).toEqual(['scratchCode']);
		expect(found('"detectedAt":1712345678901')).toEqual([]);
	});

	it('lets an MFA set-up run hand out set-up secrets, never passwords or tokens', () => {
		expect(found('{"secretKey":"JBSWY3DPEHPK3PXP","scratchCodes":["12345678"]}', true)).toEqual([]);
		expect(found('{"secretKey":"JBSWY3DPEHPK3PXP","password":"Sim-Passw0rd!"}', true)).toEqual(['password']);
	});

	it('finds nothing in clean output', () => {
		expect(found('{"action":"unchanged","user":{"name":"TECH\\\\jane.doe"}}')).toEqual([]);
	});
});
