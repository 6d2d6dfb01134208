import { createHmac, randomBytes } from 'node:crypto';

/**
 * RFC 4648 base32 and RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as authenticator apps and
 * Veeam Backup for Google Cloud use them. Written independently of the nodes' own TOTP code
 * on purpose: the simulator must catch a bug in the client, not share it.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += ALPHABET[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
	return out;
}

export function base32Decode(text: string): Buffer {
	const clean = text.replace(/[\s=-]/g, '').toUpperCase();
	let bits = 0;
	let value = 0;
	const out: number[] = [];
	for (const ch of clean) {
		const idx = ALPHABET.indexOf(ch);
		if (idx < 0) throw new Error('invalid base32 character');
		value = (value << 5) | idx;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 255);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

export function hotp(key: Buffer, counter: number, digits = 6, algorithm = 'sha1'): string {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(counter));
	const mac = createHmac(algorithm, key).update(msg).digest();
	const offset = mac[mac.length - 1] & 0x0f;
	const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
	return binary.toString().padStart(digits, '0');
}

export const TOTP_STEP_SECONDS = 30;

export function totpAt(base32Secret: string, unixMs: number, digits = 6): string {
	return hotp(base32Decode(base32Secret), Math.floor(unixMs / 1000 / TOTP_STEP_SECONDS), digits);
}

/** True when `code` is the TOTP of `secret` at `unixMs`, allowing `window` steps either side. */
export function verifyTotp(base32Secret: string, code: string, unixMs: number, window = 0): boolean {
	if (!/^\d{6}$/.test(code)) return false;
	const counter = Math.floor(unixMs / 1000 / TOTP_STEP_SECONDS);
	const key = base32Decode(base32Secret);
	for (let d = -window; d <= window; d++) {
		if (hotp(key, counter + d) === code) return true;
	}
	return false;
}

/** A 160-bit secret (RFC 4226 recommends at least 128), base32 without padding. */
export function newTotpSecret(): string {
	return base32Encode(randomBytes(20));
}
