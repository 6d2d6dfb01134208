import { createHmac } from 'node:crypto';

/**
 * RFC 6238 TOTP (HMAC-SHA-1, 6 digits, 30-second steps) for logging in to an account that has
 * MFA on. Kept apart from the simulator's implementation on purpose, so tests can catch a bug in
 * either.
 */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const TOTP_STEP_MS = 30_000;

export function decodeBase32Secret(secret: string): Buffer {
	const clean = secret.replace(/[\s=-]/g, '').toUpperCase();
	if (!clean || /[^A-Z2-7]/.test(clean)) {
		throw new Error('The TOTP secret must be base32 (letters A–Z and digits 2–7), as shown when MFA was set up');
	}
	const bytes: number[] = [];
	let buffer = 0;
	let bits = 0;
	for (const ch of clean) {
		buffer = (buffer << 5) | BASE32.indexOf(ch);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			bytes.push((buffer >>> bits) & 0xff);
		}
	}
	return Buffer.from(bytes);
}

export function totpCode(key: Buffer, timeMs: number): string {
	const counter = Math.floor(timeMs / TOTP_STEP_MS);
	const message = Buffer.alloc(8);
	message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
	message.writeUInt32BE(counter % 2 ** 32, 4);
	const hmac = createHmac('sha1', key).update(message).digest();
	const offset = hmac[hmac.length - 1] & 0xf;
	const value =
		((hmac[offset] & 0x7f) << 24) | (hmac[offset + 1] << 16) | (hmac[offset + 2] << 8) | hmac[offset + 3];
	return String(value % 1_000_000).padStart(6, '0');
}

/**
 * The code to send now, and the one to try if the server refuses it: near the end of a step the
 * server may already be in the next one, near its start the server's clock may still be in the
 * previous one.
 */
export function totpCandidates(secret: string, nowMs: number): [string, string] {
	const key = decodeBase32Secret(secret);
	const intoStep = nowMs % TOTP_STEP_MS;
	const adjacent = intoStep >= TOTP_STEP_MS / 2 ? nowMs + TOTP_STEP_MS : nowMs - TOTP_STEP_MS;
	return [totpCode(key, nowMs), totpCode(key, adjacent)];
}
