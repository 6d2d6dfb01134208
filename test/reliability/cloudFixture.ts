/** The cloud products' fixture, shared with the engine suites (test/nodes/Veeam/cloud/fixture.ts). */
export * from '../nodes/Veeam/cloud/fixture';
