/**
 * The harness runs the patterns of node descriptions natively (nativeRegex.ts), on both majors: no
 * "Regular expression execution timed out" from n8n's 250 ms `node:vm` watchdog on a loaded machine.
 */
import { safeRegex } from 'n8n-workflow';

import { UUID_PATTERN } from '../../../client/ids';
import { N8N_MAJOR, shutdownEngine } from '../engine';
import { NATIVE_REGEX_ENGINE_INSTALLED } from './nativeRegex';

afterAll(async () => {
	await shutdownEngine();
});

it(`n8n ${N8N_MAJOR}.x has the hook and the harness uses it`, () => {
	expect(NATIVE_REGEX_ENGINE_INSTALLED).toBe(true);
});

it('safeRegex runs in this realm, not in a node:vm context (whose arrays are not instances of ours)', () => {
	// What n8n checks for a resource locator "By ID": the mode's pattern, anchored once more.
	const match = safeRegex.exec(`^${UUID_PATTERN}$`, '5f1c3e9a-27a4-4b8e-9d3c-0a1b2c3d4e5f');
	expect(match instanceof Array).toBe(true);
	expect(match?.[0]).toBe('5f1c3e9a-27a4-4b8e-9d3c-0a1b2c3d4e5f');
	expect(safeRegex.test(`^${UUID_PATTERN}$`, 'not-a-uuid')).toBe(false);
	expect(safeRegex.matchAll('(\\d)', 'a1b2')).toHaveLength(2);
});
