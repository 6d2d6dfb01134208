import type { SimContext, SimProduct } from './core/context';
import { SimServer } from './core/server';
import type { SimTlsMaterial, TlsMode } from './core/tls';
import { AwsProduct, type AwsOptions } from './aws/product';
import { AzureProduct, type AzureOptions } from './azure/product';
import { VbrProduct, type VbrOptions } from './vbr/product';
import { VbgcProduct, type VbgcOptions } from './vbgc/product';
import { VspcProduct, type VspcOptions } from './vspc/product';
import { Vb365Product, type Vb365Options } from './vb365/product';

export { SimServer } from './core/server';
export type { FaultSpec } from './core/faults';
export type { MutationEntry } from './core/context';
export { totpAt, verifyTotp, base32Decode, base32Encode } from './core/totp';
export { VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD } from './vbr/product';
export { VBGC_DEFAULT_ADMIN, VBGC_DEFAULT_PASSWORD, VBGC_MFA_USER } from './vbgc/product';
export { AwsProduct, AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, AWS_MFA_USER, type AwsOptions } from './aws/product';
export {
	AzureProduct,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_ADMIN_ID,
	AZURE_DEFAULT_PASSWORD,
	AZURE_IDP_USER,
	AZURE_MFA_USER,
	type AzureOptions,
} from './azure/product';
export {
	VspcProduct,
	VSPC_API,
	VSPC_COMPANY_ALPHA_UID,
	VSPC_COMPANY_BETA_UID,
	VSPC_COMPANY_ALPHA_INSTANCE_UID,
	VSPC_COMPANY_BETA_INSTANCE_UID,
	VSPC_DEFAULT_ADMIN,
	VSPC_DEFAULT_ADMIN_UID,
	VSPC_DEFAULT_PASSWORD,
	VSPC_MFA_USER,
	VSPC_PROVIDER_UID,
	VSPC_RESELLER_UID,
	VSPC_ROLES,
	VSPC_SUPPORTED_VERSIONS,
	ROLES_BY_ORG_TYPE,
	type VspcFaultSpec,
	type VspcOptions,
	type VspcSeedOptions,
} from './vspc/product';

export {
	Vb365Product,
	VB365_DEFAULT_ADMIN,
	VB365_DEFAULT_PASSWORD,
	VB365_ORG_CONTOSO_ID,
	VB365_ORG_FABRIKAM_ID,
	VB365_ORG_TAILSPIN_ID,
	VB365_ROLE_FABRIKAM_ID,
	VB365_ROLE_FINANCE_ID,
	VB365_ROLE_HELPDESK_ID,
	VB365_SUPPORTED_VERSIONS,
	type Vb365Options,
	type Vb365SeedOptions,
} from './vb365/product';

export type Product = 'vbr' | 'vbgc' | 'aws' | 'azure' | 'vspc' | 'vb365';

/**
 * Token lifetimes by product, seconds: VBR and VBGC 15 min / 14 days; AWS 1 h / 2 h (Veeam's
 * figures); Azure 60 min / 14 days (help, "Authorization and Security"); VSPC 1 hour (REST help,
 * "Authorization and Security": "By default, access token expires after 1 hour") / 24 hours (assumed,
 * sim/contracts/vspc.md: Veeam gives no refresh-token lifetime); VB365 60 min (REST help,
 * "Authorization for Veeam Backup for Microsoft 365 Administrators") / 14 days (assumed).
 */
const TOKEN_LIFETIMES: Readonly<Record<Product, { access: number; refresh: number }>> = {
	vbr: { access: 900, refresh: 14 * 86_400 },
	vbgc: { access: 900, refresh: 14 * 86_400 },
	aws: { access: 3600, refresh: 7200 },
	azure: { access: 3600, refresh: 14 * 86_400 },
	vspc: { access: 3600, refresh: 86_400 },
	vb365: { access: 3600, refresh: 14 * 86_400 },
};

export interface SimulatorOptions {
	product: Product;
	/** 0 (default) picks a free port. */
	port?: number;
	/** Address to listen on (default 127.0.0.1, loopback only). */
	host?: string;
	/** Access-token lifetime, seconds. Default: the product's (VBR, VBGC 900; AWS, Azure, VSPC 3600). */
	expiresIn?: number;
	/** Refresh-token lifetime, seconds. Default: the product's (14 days; AWS 7200). */
	refreshExpiresIn?: number;
	/** Reuse TLS material (e.g. a persisted CA) instead of generating a fresh one. */
	tls?: SimTlsMaterial;
	tlsMode?: TlsMode;
	/** Added to every API answer, ms (a real server's round trip); 0 by default. */
	latencyMs?: number;
	vbr?: VbrOptions;
	vbgc?: VbgcOptions;
	aws?: AwsOptions;
	azure?: AzureOptions;
	vspc?: VspcOptions;
	vb365?: Vb365Options;
}

function makeProduct(ctx: SimContext, options: SimulatorOptions): SimProduct {
	switch (options.product) {
		case 'vbr':
			return new VbrProduct(ctx, options.vbr);
		case 'vbgc':
			return new VbgcProduct(ctx, options.vbgc);
		case 'aws':
			return new AwsProduct(ctx, options.aws);
		case 'azure':
			return new AzureProduct(ctx, options.azure);
		case 'vspc':
			return new VspcProduct(ctx, options.vspc);
		case 'vb365':
			return new Vb365Product(ctx, options.vb365);
		default:
			throw new Error(`unknown product ${String(options.product)}; products are vbr, vbgc, aws, azure, vspc, vb365`);
	}
}

/**
 * Starts a simulated Veeam server on 127.0.0.1 over HTTPS.
 * `await sim.close()` when done. See sim/README.md for the control endpoint.
 */
export async function startSimulator(options: SimulatorOptions): Promise<SimServer> {
	const lifetimes = TOKEN_LIFETIMES[options.product] ?? TOKEN_LIFETIMES.vbr;
	const tokenPolicy = {
		accessTtlSeconds: options.expiresIn ?? lifetimes.access,
		refreshTtlSeconds: options.refreshExpiresIn ?? lifetimes.refresh,
	};
	const server = new SimServer((ctx) => makeProduct(ctx, options), {
		port: options.port,
		host: options.host,
		tls: options.tls,
		tlsMode: options.tlsMode,
		tokenPolicy,
		latencyMs: options.latencyMs,
	});
	await server.listen();
	return server;
}
