import { base32Decode, base32Encode, hotp, newTotpSecret, totpAt, verifyTotp } from '../../sim/core/totp';

// RFC 6238 appendix B uses the ASCII secret "12345678901234567890" for SHA-1.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890', 'ascii'));

describe('base32 (RFC 4648)', () => {
	it.each([
		['', ''],
		['f', 'MY'],
		['fo', 'MZXQ'],
		['foo', 'MZXW6'],
		['foob', 'MZXW6YQ'],
		['fooba', 'MZXW6YTB'],
		['foobar', 'MZXW6YTBOI'],
	])('encodes %j as %s (unpadded) and back', (plain, encoded) => {
		expect(base32Encode(Buffer.from(plain))).toBe(encoded);
		expect(base32Decode(encoded).toString()).toBe(plain);
	});

	it('decodes lower case, padding and spaces as authenticator apps accept them', () => {
		expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
		expect(() => base32Decode('MZ1')).toThrow(/base32/);
	});
});

describe('HOTP (RFC 4226 appendix D) and TOTP (RFC 6238 appendix B)', () => {
	it.each([
		[0, '755224'],
		[1, '287082'],
		[9, '520489'],
	])('HOTP counter %i is %s', (counter, code) => {
		expect(hotp(Buffer.from('12345678901234567890'), counter)).toBe(code);
	});

	it.each([
		[59, '94287082'],
		[1111111109, '07081804'],
		[1111111111, '14050471'],
		[1234567890, '89005924'],
		[2000000000, '69279037'],
		[20000000000, '65353130'],
	])('TOTP at %i s is %s (8 digits) and its last 6 digits with 6', (seconds, code8) => {
		expect(hotp(base32Decode(RFC_SECRET), Math.floor(seconds / 30), 8)).toBe(code8);
		expect(totpAt(RFC_SECRET, seconds * 1000)).toBe(hotp(base32Decode(RFC_SECRET), Math.floor(seconds / 30)));
	});

	it('verifies only the current 30-second window unless a wider window is allowed', () => {
		const t = 1_700_000_020_000; // 1700000020 s is 10 s into a 30-s window
		const current = totpAt(RFC_SECRET, t);
		const previous = totpAt(RFC_SECRET, t - 30_000);
		expect(verifyTotp(RFC_SECRET, current, t)).toBe(true);
		expect(verifyTotp(RFC_SECRET, current, t + 19_000)).toBe(true); // same window
		expect(verifyTotp(RFC_SECRET, current, t + 20_000)).toBe(false); // next window
		expect(verifyTotp(RFC_SECRET, previous, t)).toBe(false);
		expect(verifyTotp(RFC_SECRET, previous, t, 1)).toBe(true);
		expect(verifyTotp(RFC_SECRET, '12345', t)).toBe(false);
		expect(verifyTotp(RFC_SECRET, 'abcdef', t)).toBe(false);
	});

	it('makes 160-bit base32 secrets', () => {
		const s = newTotpSecret();
		expect(s).toMatch(/^[A-Z2-7]{32}$/);
		expect(base32Decode(s)).toHaveLength(20);
		expect(newTotpSecret()).not.toBe(s);
	});
});
