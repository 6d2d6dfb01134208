/**
 * Secrets inside a custom role's scopes. An `EntraIdTenant` workload lists `EntraIDTenantModel`
 * objects, whose `authentication` may carry `secret` ("Application (client) secret.") and
 * `certificate` {`certificate` ("Base64-encoded string of the content of a PFX certificate file."),
 * `password` ("Decryption password for the certificate file.")} ([R2] `EntraIDTenantAuthenticationModel`,
 * `CertificateUploadSpec`, https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/Users-and-Roles).
 * Whether a server fills them in a role's details is not said: whatever it does, they never reach
 * an output, a plan or an error. The client hands out roles with them `[redacted]` and keeps what the
 * server sent per object ID (one client per execution), so a PUT of the whole model sends the
 * server's values back, never the placeholder.
 */

/** What a secret is replaced with in every output (as client/secrets.ts `scrub` writes it). */
export const REDACTED = '[redacted]';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `key: value` is a secret: a `secret` or `password` text, or a `certificate` given as text (its content). */
export function isSecretField(key: string, value: unknown): boolean {
	return typeof value === 'string' && value !== '' && (key === 'secret' || key === 'password' || key === 'certificate');
}

/** A JSON copy of `value` with every secret `[redacted]`. */
export function redactRoleSecrets<T>(value: T): T {
	const walk = (v: unknown): unknown => {
		if (Array.isArray(v)) return v.map(walk);
		if (!isObject(v)) return v;
		const out: Json = {};
		for (const [k, x] of Object.entries(v)) out[k] = isSecretField(k, x) ? REDACTED : walk(x);
		return out;
	};
	return walk(value) as T;
}

/** The secret texts in `value` (for scrubbing a server's echo of a request out of its error). */
export function roleSecretValues(value: unknown): string[] {
	const found: string[] = [];
	const walk = (v: unknown): void => {
		if (Array.isArray(v)) return v.forEach(walk);
		if (!isObject(v)) return;
		for (const [k, x] of Object.entries(v)) {
			if (isSecretField(k, x) && x !== REDACTED) found.push(x as string);
			else walk(x);
		}
	};
	walk(value);
	return found;
}

/** The dotted paths where `[redacted]` stands in `value` (a placeholder that must not be sent). */
export function redactedFields(value: unknown, path = ''): string[] {
	if (value === REDACTED) return [path];
	if (Array.isArray(value)) return value.flatMap((v, i) => redactedFields(v, `${path}[${i}]`));
	if (!isObject(value)) return [];
	return Object.entries(value).flatMap(([k, v]) => redactedFields(v, path ? `${path}.${k}` : k));
}

/** Whether `value` holds a secret anywhere. */
const holdsSecret = (value: unknown): boolean => roleSecretValues(value).length > 0;

/**
 * The `authentication` objects holding secrets that a server sent, by the ID of the object they sit
 * in (an Entra ID tenant's `id`), to be put back into a body before it is sent.
 */
export class RoleSecrets {
	private readonly byId = new Map<string, Json>();

	/** Keeps the secrets `role` (as the server sent it) holds. */
	remember(role: unknown): void {
		const walk = (v: unknown): void => {
			if (Array.isArray(v)) return v.forEach(walk);
			if (!isObject(v)) return;
			if (typeof v.id === 'string' && isObject(v.authentication) && holdsSecret(v.authentication)) {
				this.byId.set(v.id.toLowerCase(), JSON.parse(JSON.stringify(v.authentication)) as Json);
			}
			Object.values(v).forEach(walk);
		};
		walk(role);
	}

	/**
	 * `body` (a JSON copy) with each `[redacted]` inside an `authentication` replaced by the value the
	 * server sent for that object; with `keepAbsent`, an object the server sent with secrets and the
	 * body names without `authentication` gets the server's back (a PUT replaces the whole model).
	 */
	restore<T>(body: T, options: { keepAbsent: boolean }): T {
		const fill = (want: unknown, have: unknown): unknown => {
			if (want === REDACTED) return typeof have === 'string' ? have : want;
			if (Array.isArray(want)) return want.map((w, i) => fill(w, Array.isArray(have) ? have[i] : undefined));
			if (!isObject(want)) return want;
			const out: Json = {};
			for (const [k, w] of Object.entries(want)) out[k] = fill(w, isObject(have) ? have[k] : undefined);
			return out;
		};
		const walk = (v: unknown): unknown => {
			if (Array.isArray(v)) return v.map(walk);
			if (!isObject(v)) return v;
			const out: Json = {};
			for (const [k, x] of Object.entries(v)) out[k] = walk(x);
			const kept = typeof v.id === 'string' ? this.byId.get(v.id.toLowerCase()) : undefined;
			if (kept) {
				if (isObject(v.authentication)) out.authentication = fill(v.authentication, kept);
				else if (v.authentication === undefined && options.keepAbsent) out.authentication = JSON.parse(JSON.stringify(kept)) as Json;
			}
			return out;
		};
		return walk(body) as T;
	}
}
