/**
 * The console admin of the trigger tests accepts an MFA set-up with the current TOTP code, and types
 * the next step's code only when the 30-s step turned before the server checked it (a random
 * trigger run failed once on a busy machine with "The verification code is not valid.").
 */
import { startSimulator, type SimServer } from '../../../sim';
import { totpAt } from '../../../sim/core/totp';
import { typeCurrentCode } from './harness';

const SECRET = 'JBSWY3DPEHPK3PXP';
let sim: SimServer;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc' });
});
afterAll(async () => {
	await sim.close();
});

describe('typeCurrentCode', () => {
	it('types the new step\'s code once when the step turned before the server checked the first', async () => {
		const typed: string[] = [];
		const before = sim.clock.now();
		await typeCurrentCode(sim, SECRET, async (code) => {
			typed.push(code);
			if (typed.length === 1) {
				sim.clock.advance(30); // the step turns while the request travels
				throw new Error('The verification code is not valid.');
			}
		});
		expect(typed).toEqual([totpAt(SECRET, before), totpAt(SECRET, sim.clock.now())]);
		expect(typed[1]).not.toBe(typed[0]);
	});

	it('throws a refusal within one step: the code was wrong, not late', async () => {
		// Start at least 10 s before the step turns, so that only a code typed wrong is refused here.
		const intoStep = sim.clock.now() % 30_000;
		if (intoStep > 20_000) sim.clock.advance((30_000 - intoStep) / 1000);
		const typed: string[] = [];
		await expect(
			typeCurrentCode(sim, SECRET, async (code) => {
				typed.push(code);
				throw new Error('The verification code is not valid.');
			}),
		).rejects.toThrow('not valid');
		expect(typed).toHaveLength(1);
	});
});
