/**
 * A VSPC server in a function, for the adapter's own tests: the real transport (client/transport)
 * runs, and n8n's `httpRequestWithAuthentication` is this fake, which answers each request with
 * what `answer` returns (Veeam's example payloads, or a hostile answer). No engine, no network:
 * it shows what the adapter sends and what it makes of an answer, on n8n 2.x and 1.x alike.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions, INode } from 'n8n-workflow';

import type { VeeamContext } from '../../client/transport';

export interface FakeRequest {
	method: string;
	/** The path without the query, e.g. `/api/v3/users`. */
	path: string;
	query: URLSearchParams;
	/** `filter` / `sort` query values, parsed (undefined when absent). */
	filter?: IDataObject[];
	sort?: IDataObject[];
	body: unknown;
	headers: Record<string, string>;
}

export interface FakeAnswer {
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export const FAKE_URL = 'https://vspc.example.test:1280';

const NODE: INode = { id: 'n1', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };

export function fakeVspc(answer: (req: FakeRequest) => FakeAnswer | undefined, credentials: IDataObject = {}): { ctx: VeeamContext; requests: FakeRequest[] } {
	const requests: FakeRequest[] = [];
	const creds: ICredentialDataDecryptedObject = {
		url: FAKE_URL,
		username: 'svc-n8n',
		password: 'fake-Passw0rd',
		apiVersion: '3.6.1',
		customApiVersion: '',
		accessToken: 'fake-access-token',
		refreshToken: 'fake-refresh-token',
		tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
		requestTimeout: 5,
		...credentials,
	};
	const parse = (value: string | null): IDataObject[] | undefined => (value === null ? undefined : (JSON.parse(value) as IDataObject[]));
	const ctx = {
		getNode: () => NODE,
		getCredentials: async () => creds,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const url = new URL(String(options.url));
				const req: FakeRequest = {
					method: String(options.method ?? 'GET'),
					path: url.pathname,
					query: url.searchParams,
					filter: parse(url.searchParams.get('filter')),
					sort: parse(url.searchParams.get('sort')),
					body: options.body,
					headers: (options.headers ?? {}) as Record<string, string>,
				};
				requests.push(req);
				const a = answer(req) ?? { status: 404, body: { errors: [{ message: `No route ${req.method} ${req.path}`, type: 'logical', code: 404 }] } };
				return { statusCode: a.status ?? 200, body: a.body === undefined ? '' : JSON.stringify(a.body), headers: a.headers ?? {} };
			},
		},
	} as unknown as VeeamContext;
	return { ctx, requests };
}

/** A list answer in VSPC's envelope; `total` defaults to the items' number. */
export function envelope(data: unknown[], offset = 0, total: number | null = data.length): IDataObject {
	return { data, meta: total === null ? null : { pagingInfo: { total, count: data.length, offset } }, errors: null } as IDataObject;
}

/** A page of `all` for a request's `offset` and `limit`, as a well-behaved server answers. */
export function pageOf(all: unknown[], req: FakeRequest, total = all.length): FakeAnswer {
	const offset = Number(req.query.get('offset') ?? 0);
	const limit = Number(req.query.get('limit') ?? 100);
	return { body: envelope(all.slice(offset, offset + limit), offset, total) };
}
