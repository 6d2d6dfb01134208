import { SimServer } from './core/server';
import type { SimTlsMaterial, TlsMode } from './core/tls';
import { VbrProduct, type VbrOptions } from './vbr/product';
import { VbgcProduct, type VbgcOptions } from './vbgc/product';

export { SimServer } from './core/server';
export type { FaultSpec } from './core/faults';
export type { MutationEntry } from './core/context';
export { totpAt, verifyTotp, base32Decode, base32Encode } from './core/totp';
export { VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD } from './vbr/product';
export { VBGC_DEFAULT_ADMIN, VBGC_DEFAULT_PASSWORD, VBGC_MFA_USER } from './vbgc/product';

export type Product = 'vbr' | 'vbgc';

export interface SimulatorOptions {
	product: Product;
	/** 0 (default) picks a free port. */
	port?: number;
	/** Address to listen on (default 127.0.0.1, loopback only). */
	host?: string;
	/** Access-token lifetime, seconds. Veeam's default is 900. */
	expiresIn?: number;
	/** Refresh-token lifetime, seconds. Veeam's default is 14 days. */
	refreshExpiresIn?: number;
	/** Reuse TLS material (e.g. a persisted CA) instead of generating a fresh one. */
	tls?: SimTlsMaterial;
	tlsMode?: TlsMode;
	/** Added to every API answer, ms (a real server's round trip); 0 by default. */
	latencyMs?: number;
	vbr?: VbrOptions;
	vbgc?: VbgcOptions;
}

/**
 * Starts a simulated Veeam server on 127.0.0.1 over HTTPS.
 * `await sim.close()` when done. See sim/README.md for the control endpoint.
 */
export async function startSimulator(options: SimulatorOptions): Promise<SimServer> {
	const tokenPolicy = {
		accessTtlSeconds: options.expiresIn ?? 900,
		refreshTtlSeconds: options.refreshExpiresIn ?? 14 * 86_400,
	};
	const server = new SimServer(
		(ctx) => (options.product === 'vbr' ? new VbrProduct(ctx, options.vbr) : new VbgcProduct(ctx, options.vbgc)),
		{ port: options.port, host: options.host, tls: options.tls, tlsMode: options.tlsMode, tokenPolicy, latencyMs: options.latencyMs },
	);
	await server.listen();
	return server;
}
