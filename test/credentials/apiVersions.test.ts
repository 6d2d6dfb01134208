/**
 * API version "Automatic", the parts without a server (client/login/versions.ts, authenticate):
 * how a refusal is read from Veeam's own wordings, that only known versions are ever chosen, and
 * how a request gets its version (the transport's per-execution override never reaches a server).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { authenticateRequest, nextCandidate, pathVersionVerdict, refusalOf, versionsNamedIn, VERSION_OVERRIDE_HEADER } from '../../client/login';
import { PRODUCTS } from '../../client/products';
import { VeeamBackupAwsApi } from '../../credentials/VeeamBackupAwsApi.credentials';
import { VeeamBackupAzureApi } from '../../credentials/VeeamBackupAzureApi.credentials';
import { VeeamBackupGoogleCloudApi } from '../../credentials/VeeamBackupGoogleCloudApi.credentials';
import { VeeamBackupReplicationApi } from '../../credentials/VeeamBackupReplicationApi.credentials';

const vbr = PRODUCTS.vbr.auth;
const aws = PRODUCTS.aws.auth;
const azure = PRODUCTS.azure.auth;

/** VBR 1.3-rev2 reference, ErrorNotImplementedExample (fixture with its source URL). */
const referenceExample = (JSON.parse(readFileSync(join(__dirname, '../fixtures/veeam/vbr/error-not-implemented.rev2.json'), 'utf8')) as { body: unknown }).body;
/**
 * A real VBR 12 answer quoted on Veeam's forum (https://forums.veeam.com/restful-api-f30/unsupported-restapi-version-t92195.html):
 * sent with x-api-version 1.0-rev1 to an endpoint that version lacks; the list names 1.0-rev1.
 */
const forumAnswer = { errorCode: 'NotImplemented', message: 'Unsupported RESTAPI version. The following versions are supported: v1.0-rev1, v1.0-rev2, v1.1-rev0', resourceId: null };

describe('reading a refusal', () => {
	it('Veeam\'s reference example refuses the version and names none', () => {
		expect(refusalOf(referenceExample, '1.3-rev2', vbr)).toEqual({ version: '1.3-rev2', named: [] });
	});

	it('the forum wording names its versions without the "v"; a list that names the version sent is not a refusal of it', () => {
		expect(refusalOf(forumAnswer, '1.3-rev2', vbr)).toEqual({ version: '1.3-rev2', named: ['1.0-rev1', '1.0-rev2', '1.1-rev0'] });
		expect(refusalOf(forumAnswer, '1.0-rev1', vbr)).toBeUndefined();
	});

	it('NotImplemented about something else, or another error about something else, is not a version refusal', () => {
		expect(refusalOf({ errorCode: 'NotImplemented', message: 'The operation is not implemented for agents.' }, '1.3-rev2', vbr)).toBeUndefined();
		expect(refusalOf({ errorCode: 'BadRequest', message: 'The filter is not valid.' }, '1.3-rev2', vbr)).toBeUndefined();
		expect(refusalOf({ errorCode: 'UnexpectedContent', message: 'The version of the object does not match.' }, '1.3-rev2', vbr)).toBeUndefined();
		expect(refusalOf('not json', '1.3-rev2', vbr)).toBeUndefined();
	});

	it('the refusal\'s wording is a refusal under any errorCode (real servers: VeeamHub/grafana issue 27 shows only the message; a mock of a real server answers BadRequest)', () => {
		const badRequest = { errorCode: 'BadRequest', message: 'Unsupported RESTAPI version. The following versions are supported: v1.0-rev1, v1.1-rev2, v1.3-rev1' };
		expect(refusalOf(badRequest, '1.3-rev2', vbr)).toEqual({ version: '1.3-rev2', named: ['1.0-rev1', '1.1-rev2', '1.3-rev1'] });
		expect(refusalOf({ errorCode: 'UnexpectedContent', message: 'Unsupported API version' }, '1.3-rev2', vbr)).toEqual({ version: '1.3-rev2', named: [] });
		expect(refusalOf({ message: 'The specified API version is not supported.' }, '1.8-rev0', aws)).toEqual({ version: '1.8-rev0', named: [] });
		// Still not a refusal of a version its own list names (the forum case), whatever the errorCode.
		expect(refusalOf(badRequest, '1.3-rev1', vbr)).toBeUndefined();
	});

	it('takes the list after the last "supported", not the refused version the sentence names first (Azure\'s path versions)', () => {
		expect(versionsNamedIn('The API version v9 is not supported. Supported versions: v8.1, v8, v7.', azure.version)).toEqual(['v8.1', 'v8', 'v7']);
		expect(versionsNamedIn('The specified API version is not supported. Supported versions: 1.5-rev0, 1.6-rev0.', aws.version)).toEqual(['1.5-rev0', '1.6-rev0']);
		expect(versionsNamedIn('API version 1.9-rev0 is not supported', aws.version)).toEqual([]);
		expect(versionsNamedIn(undefined, aws.version)).toEqual([]);
	});
});

describe('Azure: what an answer under a path version says of it', () => {
	it('served only when the route answered (2xx, 401, 403); unserved: 404, or ASP.NET API Versioning\'s 400 in either format; anything else proves nothing', () => {
		for (const status of [200, 204, 401, 403]) expect(pathVersionVerdict(status, undefined)).toBe('served');
		expect(pathVersionVerdict(404, undefined)).toBe('unserved');
		// Microsoft.AspNetCore.Mvc.Versioning 5 and older (github.com/dotnet/aspnet-api-versioning/issues/744).
		const older = { error: { code: 'UnsupportedApiVersion', message: "The HTTP resource that matches the request URI 'https://x/api/v9/users' does not support the API version '9'." } };
		expect(pathVersionVerdict(400, older)).toBe('unserved');
		// Problem details with the `code` extension (the library's wiki, "Error Responses").
		expect(pathVersionVerdict(400, { title: 'Unsupported API version', status: 400, code: 'UnsupportedApiVersion' })).toBe('unserved');
		expect(pathVersionVerdict(400, { title: 'Bad Request', detail: 'The requested API version is not supported.' })).toBe('unserved');
		expect(pathVersionVerdict(400, { title: 'One or more validation errors occurred.', errors: { Limit: ['The value is not valid.'] } })).toBe('unknown');
		for (const status of [429, 500, 502, 503, 504, 405]) expect(pathVersionVerdict(status, undefined)).toBe('unknown');
	});
});

describe('choosing the next version', () => {
	it('the known versions the server named first (newest first), then stepping down; never an unknown one, never one tried', () => {
		const tried = new Set(['1.8-rev0']);
		expect(nextCandidate(aws, tried, [{ version: '1.8-rev0', named: ['1.9-rev0', '1.6-rev0', '1.5-rev1'] }])).toBe('1.6-rev0');
		// A named list with no known version in it: none of the others can be accepted, stop at once.
		expect(nextCandidate(aws, tried, [{ version: '1.8-rev0', named: ['1.9-rev0', '2.0-rev0'] }])).toBeUndefined();
		expect(nextCandidate(vbr, new Set(['1.3-rev2']), [{ version: '1.3-rev2', named: ['1.0-rev1', '1.1-rev0', '1.2-rev1'] }])).toBeUndefined();
		expect(nextCandidate(aws, tried, [{ version: '1.8-rev0', named: [] }])).toBe('1.7-rev0');
		const all = new Set(['1.8-rev0', '1.7-rev0', '1.6-rev0', '1.5-rev1', '1.5-rev0']);
		expect(nextCandidate(aws, all, [{ version: '1.5-rev0', named: ['1.9-rev0'] }])).toBeUndefined();
		expect(nextCandidate(azure, new Set(['v8.1']), [{ version: 'v8.1', named: [] }])).toBe('v8');
	});
});

describe('the version a request gets (authenticate)', () => {
	const base = { url: 'https://veeam.example.com', accessToken: 'at.x' } as ICredentialDataDecryptedObject;

	it('Automatic: the version kept with the token; the newest known before any login', () => {
		const kept = authenticateRequest({ ...base, apiVersion: 'auto', apiVersionFound: '1.3-rev1' }, { url: 'https://veeam.example.com:9419/api/v1/security/users' }, vbr);
		expect(kept.headers?.['x-api-version']).toBe('1.3-rev1');
		const none = authenticateRequest({ ...base, apiVersion: 'auto', apiVersionFound: '' }, { url: 'https://veeam.example.com:9419/x' }, vbr);
		expect(none.headers?.['x-api-version']).toBe('1.3-rev2');
		// A kept value that is no version the package knows (an edited database row) is not sent.
		const odd = authenticateRequest({ ...base, apiVersion: 'auto', apiVersionFound: '9.9-rev9\r\nX: y' }, { url: 'https://veeam.example.com:9419/x' }, vbr);
		expect(odd.headers?.['x-api-version']).toBe('1.3-rev2');
	});

	it('the transport\'s override is taken off the request (never sent); only a known version is used, and only under Automatic', () => {
		const request = (): IHttpRequestOptions => ({ url: 'https://veeam.example.com:11005/api/v1/users', headers: { [VERSION_OVERRIDE_HEADER]: '1.6-rev0' } });
		const auto = authenticateRequest({ ...base, apiVersion: 'auto', apiVersionFound: '1.8-rev0' }, request(), aws);
		expect(auto.headers).toEqual({ Authorization: 'Bearer at.x', 'x-api-version': '1.6-rev0' });
		const pinned = authenticateRequest({ ...base, apiVersion: '1.7-rev0' }, request(), aws);
		expect(pinned.headers).toEqual({ Authorization: 'Bearer at.x', 'x-api-version': '1.7-rev0' });
		const unknown = authenticateRequest({ ...base, apiVersion: 'auto', apiVersionFound: '1.8-rev0' }, { url: 'https://x', headers: { [VERSION_OVERRIDE_HEADER]: '1.9-rev0' } }, aws);
		expect(unknown.headers).toEqual({ Authorization: 'Bearer at.x', 'x-api-version': '1.8-rev0' });
	});

	it('Azure: `{version}` in the path becomes the pinned or found version, checked against Veeam\'s format; no header', () => {
		const auto = authenticateRequest({ ...base, apiVersion: 'auto', apiVersionFound: 'v7' }, { url: '/api/{version}/users', baseURL: 'x' }, azure);
		expect(auto.url).toBe('/api/v7/users');
		expect(auto.headers).toEqual({ Authorization: 'Bearer at.x' });
		expect(authenticateRequest({ ...base, apiVersion: 'v8' }, { url: '/api/{version}/users' }, azure).url).toBe('/api/v8/users');
		expect(() => authenticateRequest({ ...base, apiVersion: 'custom', customApiVersion: 'v8/../x' }, { url: '/api/{version}/users' }, azure)).toThrow(/Custom API Version/);
	});
});

describe('the credentials', () => {
	it.each([new VeeamBackupReplicationApi(), new VeeamBackupGoogleCloudApi(), new VeeamBackupAwsApi(), new VeeamBackupAzureApi()])(
		'$name: Automatic first and the default, then the known versions and Custom; the found version is a hidden field',
		(type) => {
			const byName = Object.fromEntries(type.properties.map((p) => [p.name, p]));
			const options = (byName.apiVersion.options as Array<{ value: string }>).map((o) => o.value);
			expect(byName.apiVersion.default).toBe('auto');
			expect(options[0]).toBe('auto');
			expect(options[options.length - 1]).toBe('custom');
			expect(byName.apiVersionFound).toMatchObject({ type: 'hidden', default: '' });
		},
	);
});
