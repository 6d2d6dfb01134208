/**
 * client/ids.ts isUuid and the trigger state's isCanonicalUuid, checked character by character (the
 * trigger checks 100,000 IDs a poll): exactly what their patterns accept (UUID_PATTERN, either case;
 * stateCodec UUID, lower case), and nothing else.
 */
import { isUuid, UUID_PATTERN } from '../../client/ids';
import { isCanonicalUuid, UUID } from '../../nodes/VeeamTrigger/stateCodec';

const pattern = new RegExp(UUID_PATTERN);

describe('isUuid', () => {
	it.each([
		['c37dac86-f273-4133-9bcd-000000000008', true],
		['C37DAC86-F273-4133-9BCD-00000000000A', true],
		['c37dac86-f273-4133-9bcd-00000000000g', false],
		['c37dac86f273-4133-9bcd-0000000000008', false],
		['c37dac86-f273-4133-9bcd-000000000008\n', false],
		[' c37dac86-f273-4133-9bcd-00000000008', false],
		['c37dac86-f273-4133-9bcd_000000000008', false],
		['c37dac86-f273-4133-9bcd-0000000000/8', false],
		['c37dac86-f273-4133-9bcd-0000000000:8', false],
		['c37dac86-f273-4133-9bcd-0000000000@8', false],
		['c37dac86-f273-4133-9bcd-0000000000`8', false],
		['c37dac86-f273-4133-9bcd-0000000000G8', false],
		['', false],
	])('%j: %s', (value, expected) => {
		expect(isUuid(value)).toBe(expected);
		expect(pattern.test(value)).toBe(expected);
		// The trigger's state packs canonical (lower-case) UUIDs only.
		expect(isCanonicalUuid(value)).toBe(UUID.test(value));
	});

	it('agrees with the pattern on 20,000 near-UUIDs', () => {
		const chars = '0123456789abcdefABCDEFgG-_ /:@`{';
		let seed = 42;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		for (let n = 0; n < 20_000; n++) {
			let value = '';
			const length = 35 + Math.floor(random() * 3);
			for (let i = 0; i < length; i++) value += [8, 13, 18, 23].includes(i) && random() < 0.95 ? '-' : chars[Math.floor(random() * (random() < 0.95 ? 22 : chars.length))];
			expect(isUuid(value)).toBe(pattern.test(value));
			expect(isCanonicalUuid(value)).toBe(UUID.test(value));
		}
	});
});
