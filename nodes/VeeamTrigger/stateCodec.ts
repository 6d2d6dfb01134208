/**
 * The characters of the trigger's stored state (state.ts): numbers in a 92-character alphabet
 * (printable ASCII without `"` and `\`, which JSON would escape) as varints or packed 32-bit words,
 * front-coded texts, canonical UUIDs in 20 characters. Moved out of state.ts unchanged.
 */
const ALPHABET = (() => {
	let s = '';
	for (let c = 0x21; c <= 0x7e; c++) if (c !== 0x22 && c !== 0x5c) s += String.fromCharCode(c);
	return s;
})();
const BASE = ALPHABET.length; // 92
/** Varint digits: below HALF ends the number, from HALF on carries HALF more. */
const HALF = BASE / 2;
const DIGIT_VALUE = (() => {
	const table = new Int16Array(128).fill(-1);
	for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
	return table;
})();
/** Digits of one packed 32-bit word (92^5 > 2^32). */
const WORD_DIGITS = 5;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `UUID.test(value)` (a canonical lower-case UUID), character by character: once per user per poll. */
export function isCanonicalUuid(value: string): boolean {
	if (value.length !== 36) return false;
	for (let i = 0; i < 36; i++) {
		const c = value.charCodeAt(i);
		if (i === 8 || i === 13 || i === 18 || i === 23) {
			if (c !== 0x2d) return false;
		} else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
	}
	return true;
}

export class StateFormatError extends Error {}

const ALPHABET_CODES = Uint16Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Nibble value of a lower-case hex digit by char code, -1 otherwise. */
const NIBBLE = (() => {
	const table = new Int8Array(128).fill(-1);
	for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = i;
	return table;
})();
const HEX_CODES = Uint16Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Positions of the 32 hex digits in a canonical UUID. */
const UUID_HEX_POSITIONS = [...'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'].flatMap((c, i) => (c === 'x' ? [i] : []));

/** Shared prefix length of two strings, never splitting a surrogate pair. */
function commonPrefix(a: string, b: string): number {
	const max = Math.min(a.length, b.length);
	let i = 0;
	while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
	if (i > 0 && i < b.length) {
		const last = b.charCodeAt(i - 1);
		if (last >= 0xd800 && last <= 0xdbff) i--;
	}
	return i;
}

/** Appends UTF-16 code units to a growing buffer: no small strings, little garbage at 100,000 users. */
export class Writer {
	private buf: Uint16Array;
	private len = 0;

	constructor(expectedLength: number) {
		this.buf = new Uint16Array(Math.max(1024, expectedLength));
	}

	private room(n: number): void {
		if (this.len + n <= this.buf.length) return;
		let size = this.buf.length * 2;
		while (size < this.len + n) size *= 2;
		const next = new Uint16Array(size);
		next.set(this.buf.subarray(0, this.len));
		this.buf = next;
	}

	varint(value: number): void {
		this.room(12);
		let v = value;
		while (v >= HALF) {
			this.buf[this.len++] = ALPHABET_CODES[HALF + (v % HALF)];
			v = Math.floor(v / HALF);
		}
		this.buf[this.len++] = ALPHABET_CODES[v];
	}

	word(word: number): void {
		this.room(WORD_DIGITS);
		let v = word >>> 0;
		for (let i = 0; i < WORD_DIGITS; i++) {
			this.buf[this.len++] = ALPHABET_CODES[v % BASE];
			v = Math.floor(v / BASE);
		}
	}

	/** A front-coded text: shared prefix length with `previous`, suffix length, suffix. */
	text(previous: string, value: string): void {
		const shared = commonPrefix(previous, value);
		this.varint(shared);
		this.varint(value.length - shared);
		this.room(value.length - shared);
		for (let i = shared; i < value.length; i++) this.buf[this.len++] = value.charCodeAt(i);
	}

	/** A canonical lower-case UUID as four packed 32-bit words (20 characters). */
	uuid(uuid: string): void {
		for (let w = 0; w < 4; w++) {
			let word = 0;
			for (let k = 0; k < 8; k++) word = word * 16 + NIBBLE[uuid.charCodeAt(UUID_HEX_POSITIONS[w * 8 + k])];
			this.word(word);
		}
	}

	toString(): string {
		const parts: string[] = [];
		for (let i = 0; i < this.len; i += 8192) {
			parts.push(String.fromCharCode.apply(null, this.buf.subarray(i, Math.min(this.len, i + 8192)) as unknown as number[]));
		}
		return parts.join('');
	}
}

export class Reader {
	pos = 0;
	constructor(private readonly s: string) {}

	get done(): boolean {
		return this.pos >= this.s.length;
	}

	private digit(): number {
		const code = this.s.charCodeAt(this.pos++);
		const d = code < 128 ? DIGIT_VALUE[code] : -1;
		if (d < 0) throw new StateFormatError(`bad digit at ${this.pos - 1}`);
		return d;
	}

	varint(): number {
		let value = 0;
		let scale = 1;
		for (;;) {
			const d = this.digit();
			if (d < HALF) return value + d * scale;
			value += (d - HALF) * scale;
			scale *= HALF;
			if (scale > Number.MAX_SAFE_INTEGER) throw new StateFormatError('number too long');
		}
	}

	word(): number {
		let value = 0;
		let scale = 1;
		for (let i = 0; i < WORD_DIGITS; i++) {
			value += this.digit() * scale;
			scale *= BASE;
		}
		if (value > 0xffffffff) throw new StateFormatError('word out of range');
		return value;
	}

	/**
	 * Strings are built from char codes, not by concatenation: a concatenated string is a rope in
	 * V8, and 100,000 ropes used as Map keys and compared field by field cost more than the decode.
	 */
	private readonly scratch = new Uint16Array(256);
	/** The scratch's first 36 code units, a UUID's (one view for every UUID read, not one each). */
	private readonly uuidChars = this.scratch.subarray(0, 36);

	private build(previous: string, shared: number, start: number, length: number): string {
		const total = shared + length;
		if (total > this.scratch.length) return previous.slice(0, shared) + this.s.slice(start, start + length);
		const buf = this.scratch;
		for (let i = 0; i < shared; i++) buf[i] = previous.charCodeAt(i);
		for (let i = 0; i < length; i++) buf[shared + i] = this.s.charCodeAt(start + i);
		return String.fromCharCode.apply(null, buf.subarray(0, total) as unknown as number[]);
	}

	text(previous: string): string {
		const shared = this.varint();
		const length = this.varint();
		if (shared > previous.length || this.pos + length > this.s.length) throw new StateFormatError('bad text field');
		const start = this.pos;
		this.pos += length;
		return this.build(previous, shared, start, length);
	}

	uuid(): string {
		const buf = this.scratch;
		let at = 0;
		for (let w = 0; w < 4; w++) {
			const word = this.word();
			for (let k = 7; k >= 0; k--) {
				if (at === 8 || at === 13 || at === 18 || at === 23) buf[at++] = 0x2d;
				buf[at++] = HEX_CODES[(word >>> (k * 4)) & 15];
			}
		}
		return String.fromCharCode.apply(null, this.uuidChars as unknown as number[]);
	}

	digest(): string {
		return this.word().toString(16).padStart(8, '0') + this.word().toString(16).padStart(8, '0');
	}
}
