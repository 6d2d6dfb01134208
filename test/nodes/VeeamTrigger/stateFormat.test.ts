/**
 * The stored state's format does not move: the states in state-v1/ were written by the encoder as
 * released (issue 28's trigger, before its encoder was made faster), and the encoder now must write
 * exactly the same characters for the same users, for VSPC, VBR and VBGC. A state stored by the
 * released package is read back and written again unchanged, so a poll after an upgrade compares
 * with it and reports nothing that did not happen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { diffUsers, type TrackedUser } from '../../../nodes/VeeamTrigger/diff';
import { configFingerprint, decodeState, encodeState } from '../../../nodes/VeeamTrigger/state';
import { vbgcFormatUsers, vbrFormatUsers, vspcFormatUsers } from './stateFormatUsers';

const cases: Array<[string, () => TrackedUser[]]> = [
	['vspc', vspcFormatUsers],
	['vbr', vbrFormatUsers],
	['vbgc', vbgcFormatUsers],
];

describe.each(cases)('the %s state as released', (name, users) => {
	const cfg = configFingerprint([name, 'https://server.example.com', 'format']);
	const stored = readFileSync(join(__dirname, 'state-v1', `${name}.json`), 'utf8').trim();

	it('is written again character for character from the same users', () => {
		// Compared as a boolean: a failure must not print two 50,000-character strings.
		const written = JSON.stringify(encodeState(users(), cfg));
		expect(written.length).toBe(stored.length);
		expect(written === stored).toBe(true);
	});

	it('is written again character for character from the users read back, in any order', () => {
		const decoded = decodeState(JSON.parse(stored) as IDataObject, cfg);
		if (!decoded.ok) throw new Error(decoded.reason);
		const list = users();
		expect(decoded.users.size).toBe(list.length);
		expect(diffUsers(decoded.users, new Map(list.map((u) => [u.ref, u])))).toEqual([]);
		expect(JSON.stringify(encodeState([...decoded.users.values()].reverse(), cfg)) === stored).toBe(true);
	});
});
