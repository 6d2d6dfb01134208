/**
 * Secrets we sent must never come back to the user through a server's echo: a token endpoint or
 * an API error that repeats the request would otherwise put a password into an error message or a
 * continue-on-fail item. Every text taken from a server's answer passes through `scrub`.
 */

/** Shorter values are not scrubbed: they match ordinary words (Veeam's password rules want 8+). */
const MIN_SECRET_LENGTH = 6;

/** The forms a secret can take in an echo: as is, URL- and form-encoded, JSON-escaped. */
function forms(secret: string): string[] {
	const json = JSON.stringify(secret).slice(1, -1);
	const url = encodeURIComponent(secret);
	const form = new URLSearchParams({ s: secret }).toString().slice(2);
	return [...new Set([secret, json, url, form])];
}

/**
 * A bearer credential as an `Authorization` header shows it (RFC 6750's token68 characters), at
 * least 16 of them and not only letters: a token a server echoes that this execution never read
 * (one stored and replaced again while the request was under way) is hidden all the same, while
 * words after "Bearer" in a server's message ("Bearer authentication failed") stay.
 */
const BEARER = String.raw`\b(Bearer)(\s+)(?=[A-Za-z0-9\-._~+/]*[0-9\-._~+/])[A-Za-z0-9\-._~+/]{16,}=*`;

/** `text` with every occurrence of each secret (in any of its forms), and any bearer token, replaced by `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length < MIN_SECRET_LENGTH) continue;
		for (const f of forms(secret)) {
			if (out.includes(f)) out = out.split(f).join('[redacted]');
		}
	}
	// A new expression per call: a global one kept at module level would carry its lastIndex between calls.
	return out.replace(new RegExp(BEARER, 'gi'), '$1$2[redacted]');
}

/** The non-empty string values among `values` (credential fields, request body fields). */
export function secretValues(...values: unknown[]): string[] {
	return values.filter((v): v is string => typeof v === 'string' && v !== '');
}
