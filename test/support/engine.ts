/**
 * Runs our nodes through n8n's real engine in tests.
 *
 * - Action nodes run in an n8n-workflow `Workflow` through n8n-core's `WorkflowExecute`, so
 *   `this.helpers.httpRequestWithAuthentication` is n8n-core's own (preAuthentication when the
 *   expirable field is empty → authenticate → request; on a 401: preAuthentication again, retry
 *   once), and `continueOnFail`, `pairedItem` handling and error wrapping are the engine's.
 * - Polling triggers run through n8n-core's `PollContext` and its poll executor (trigger mode,
 *   as a scheduled poll) or through `WorkflowExecute` (manual mode, as "Fetch test event"), with
 *   the workflow's real `ObservableObject` static data.
 *
 * What n8n's CLI would supply is rebuilt here, small and in memory: a credentials helper that
 * follows `packages/cli/src/credentials-helper.ts` (store = a Map instead of the database), a
 * node/credential type registry that adds `pollTimes` to polling nodes as n8n's loader does,
 * plain `additionalData`, and the CLI's rule for saving static data after a poll.
 *
 * Usage (see engine.test.ts for more):
 *
 *   const credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi()], {
 *     vbr: { type: 'veeamBackupReplicationApi', data: { url, username, password } },
 *   });
 *   const { outputs, error } = await runWorkflow({
 *     nodes: [{ name: 'Veeam', type: 'veeam', parameters: {...}, credentials: credentials.ref('vbr') }],
 *     input: [{ userName: 'a' }, { userName: 'b' }],
 *     credentials,
 *     nodeTypes: new NodeTypes([new Veeam()]),
 *   });
 *   credentials.preAuthenticationCount('vbr'); // logins that really ran
 *
 *   const first = await runPoll({ node: { name: 'T', type: 'veeamTrigger', parameters }, nodeType: new VeeamTrigger(), credentials });
 *   const next = await runPoll({ ..., staticData: first.staticData }); // what n8n saved
 *
 * `error` is what n8n stores: a plain copy of the error's own fields plus message and stack,
 * not the error instance (match it with `toMatchObject({ httpCode: '401' })`).
 *
 * Call `shutdownEngine()` in `afterAll`.
 *
 * The same harness runs on n8n 1.x and 2.x (engine/n8nMajor.ts has the few differences): `npm test`
 * runs the suites on n8n-core 2.40 and again on n8n-core 1.122 (the jest projects, jest.projects.js).
 *
 * Parts: engine/registries.ts (node and credential types), engine/credentials.ts (the credentials
 * helper), engine/workflow.ts (additionalData, runWorkflow), engine/poll.ts (polling).
 */
import './engine-env';
import './engine/nativeRegex';

import { rmSync } from 'node:fs';

import { Container } from '@n8n/di';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

import { createdUserFolder } from './engine-env';

export { N8N_MAJOR, N8N_WORKFLOW_VERSION, n8nHttpRequest, trustFields } from './engine/n8nMajor';
export { CredentialTypes, NodeTypes, START_NODE_NAME, START_NODE_TYPE, type AnyNodeType } from './engine/registries';
export { TestCredentialsHelper, type PreAuthenticationRecord, type StoredCredential } from './engine/credentials';
export {
	createAdditionalData,
	runWorkflow,
	type AdditionalDataOptions,
	type NodeInput,
	type RunWorkflowOptions,
	type RunWorkflowResult,
} from './engine/workflow';
export { PollActivation, runPoll, type PollOptions, type PollResult, type SaveStaticData } from './engine/poll';


/**
 * For `afterAll`: stops what n8n-core started in this test file (the SSH clients manager's
 * interval and `process.on('exit')` listener), resets the DI container and removes the
 * temporary `N8N_USER_FOLDER`.
 */
export async function shutdownEngine(): Promise<void> {
	Container.get(SSHClientsManager).onShutdown();
	Container.reset();
	if (createdUserFolder) rmSync(createdUserFolder, { recursive: true, force: true });
}
