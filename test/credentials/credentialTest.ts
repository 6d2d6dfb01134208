/**
 * A credential's declarative `test` (what the editor's "Test" button runs), through n8n's engine:
 * as n8n's CLI `CredentialsTester` does, a mock node whose one property routes the test request,
 * run by n8n-core's RoutingNode (here inside `WorkflowExecute`, so the credentials helper runs
 * preAuthentication and the credential's `authenticate`), then the test's `rules` on the answer
 * (`responseSuccessBody`: the body's value at the key, as lodash `get` reads it, equal to the value means failure;
 * `responseCode` on a thrown HTTP error). The outcome is what the editor would show.
 */
import { NodeConnectionTypes, type ICredentialDataDecryptedObject, type ICredentialType, type INodeType } from 'n8n-workflow';

import { NodeTypes, TestCredentialsHelper, runWorkflow } from '../support/engine';

export interface CredentialTestOutcome {
	status: 'OK' | 'Error';
	message: string;
}

/** lodash `get` for the dotted keys the rules use (`errorCode`, `pagination.total`). */
function get(body: unknown, key: string): unknown {
	return key.split('.').reduce<unknown>((value, part) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), body);
}

const TEST_NODE = 'credential-test.mock';
const TEST_NODE_NAME = 'Temp-Node';

export async function runCredentialTest(type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<CredentialTestOutcome> {
	const test = type.test;
	if (!test || !('request' in test)) throw new Error(`${type.name} has no declarative test`);
	const credentials = new TestCredentialsHelper([type], { tested: { type: type.name, name: 'tested', data } });
	const nodeType: INodeType = {
		description: {
			displayName: 'Credential test',
			name: TEST_NODE,
			group: ['transform'],
			version: 1,
			description: 'The CLI credential tester’s mock node',
			defaults: { name: TEST_NODE_NAME },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type.name, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' }],
		},
	};
	const run = await runWorkflow({
		nodes: [{ name: TEST_NODE_NAME, type: TEST_NODE, credentials: credentials.ref('tested') }],
		credentials,
		nodeTypes: new NodeTypes({ [TEST_NODE]: nodeType }),
	});
	if (run.error) {
		const error = run.error as { httpCode?: string; message: string };
		const status = Number(error.httpCode);
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === status) return { status: 'Error', message: rule.properties.message };
		}
		return { status: 'Error', message: error.message };
	}
	const body = run.outputs[TEST_NODE_NAME]?.[0]?.[0]?.json ?? {};
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && get(body, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
