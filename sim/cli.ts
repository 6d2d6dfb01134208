/**
 * `npm run sim -- [options]`: runs the Veeam simulator until Ctrl-C (or until npm, its parent, stops).
 * `npm run sim -- --help` prints the options below.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { generateCa, generateTlsMaterial, issueServerCertificate, type SimCa, type SimTlsMaterial } from './core/tls';
import {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_PASSWORD,
	startSimulator,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBR_DEFAULT_LOGINS,
	VBR_DEFAULT_PASSWORD,
	VSPC_DEFAULT_ADMIN,
	VSPC_DEFAULT_PASSWORD,
	VspcProduct,
	VB365_DEFAULT_ADMIN,
	VB365_DEFAULT_PASSWORD,
	Vb365Product,
	type Product,
	type SimServer,
} from './index';

const DEFAULT_TLS_DIR = join(homedir(), '.cache', 'n8n-nodes-veeam-sim', 'tls');

const USAGE = `Veeam simulator: the user APIs of Veeam Backup & Replication, Veeam Backup for Google Cloud,
Veeam Backup for AWS, Veeam Backup for Microsoft Azure, Veeam Service Provider Console and Veeam
Backup for Microsoft 365 over HTTPS.

Usage: npm run sim -- [options]

  --product vbr|vbgc|aws|azure|vspc|vb365|both|all
                            which API to serve (default both: VBR and VBGC; all: the six)
  --port N                  port for a single product (default 9419 for VBR, 13140 for VBGC,
                            11005 for AWS, 8443 for Azure: a real appliance uses 443, which
                            needs privileges here; 1280 for VSPC; 4443 for VB365)
  --vbr-port N, --vbgc-port N, --aws-port N, --azure-port N, --vspc-port N, --vb365-port N
  --host ADDRESS            address to listen on (default 127.0.0.1; 0.0.0.0 for n8n in Docker)
  --tls-name NAME           a host name or IP the certificate must name besides localhost, e.g.
                            host.docker.internal (repeatable; the name n8n uses to reach the simulator)
  --tls-dir DIR             where the test CA is kept, so that n8n trusts it once (default
                            ${DEFAULT_TLS_DIR})
  --fresh-tls               a new throw-away CA for this run instead
  --self-signed             a self-signed server certificate instead of one signed by the test CA
  --expires-in SECONDS      access-token lifetime (default: the product's, 900 for VBR and VBGC,
                            3600 for AWS, Azure and VSPC)
  --latency-ms MS           added to every API answer, as a real server's round trip (default 0)
  --seed N                  add N users to each product
  --seed-companies N        VSPC: add N companies first (each with its owner); the seeded users
                            are spread over them (e.g. --seed 50000 --seed-companies 500)
  --seed-roles N            VB365: add N restore-operator roles to Contoso (with --seed users as
                            their operators; e.g. --seed 5000 --seed-roles 100)
  --seed-leaver EMAIL       VB365: a user of Contoso made an operator of every seeded role
  --print-ca                print the PEM a client must trust
  --help                    this text

Stop with Ctrl-C; stopping npm (SIGTERM) stops the simulator too.`;

/** The kept test CA (created on first use), so the PEM n8n trusts stays the same between runs. */
function loadOrCreateCa(dir: string): SimCa {
	const files = { caPem: join(dir, 'ca.pem'), caKeyPem: join(dir, 'ca-key.pem') };
	if (existsSync(files.caPem) && existsSync(files.caKeyPem)) {
		return { caPem: readFileSync(files.caPem, 'utf8'), caKeyPem: readFileSync(files.caKeyPem, 'utf8') };
	}
	const ca = generateCa();
	mkdirSync(dir, { recursive: true, mode: 0o700 });
	writeFileSync(files.caPem, ca.caPem, { mode: 0o644 });
	writeFileSync(files.caKeyPem, ca.caKeyPem, { mode: 0o600 });
	return ca;
}

function tlsFor(values: { 'tls-dir'?: string; 'fresh-tls': boolean; 'self-signed': boolean; 'tls-name': string[] }): { tls: SimTlsMaterial; caFile?: string } {
	const names = values['tls-name'];
	if (values['self-signed']) return { tls: generateTlsMaterial('self-signed', names[0] ?? 'localhost') };
	if (values['fresh-tls']) return { tls: issueServerCertificate(generateCa(), names) };
	const dir = values['tls-dir'] ?? DEFAULT_TLS_DIR;
	// The server certificate is issued at each start for the names asked; the CA stays.
	return { tls: issueServerCertificate(loadOrCreateCa(dir), names), caFile: join(dir, 'ca.pem') };
}

function number(option: string, raw: string | undefined): number | undefined {
	if (raw === undefined) return undefined;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw new Error(`--${option} must be a whole number, not "${raw}"`);
	return value;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			help: { type: 'boolean', default: false },
			product: { type: 'string', default: 'both' },
			port: { type: 'string' },
			'vbr-port': { type: 'string' },
			'vbgc-port': { type: 'string' },
			'aws-port': { type: 'string' },
			'azure-port': { type: 'string' },
			'vspc-port': { type: 'string' },
			'vb365-port': { type: 'string' },
			host: { type: 'string', default: '127.0.0.1' },
			'tls-name': { type: 'string', multiple: true, default: [] },
			'tls-dir': { type: 'string' },
			'fresh-tls': { type: 'boolean', default: false },
			'self-signed': { type: 'boolean', default: false },
			'expires-in': { type: 'string' },
			'latency-ms': { type: 'string' },
			seed: { type: 'string' },
			'seed-companies': { type: 'string' },
			'seed-roles': { type: 'string' },
			'seed-leaver': { type: 'string' },
			'print-ca': { type: 'boolean', default: false },
		},
	});
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const single: readonly string[] = ['vbr', 'vbgc', 'aws', 'azure', 'vspc', 'vb365'];
	const products: Product[] =
		values.product === 'both'
			? ['vbr', 'vbgc']
			: values.product === 'all'
				? ['vbr', 'vbgc', 'aws', 'azure', 'vspc', 'vb365']
				: single.includes(values.product)
					? [values.product as Product]
					: [];
	if (!products.length) throw new Error('--product must be vbr, vbgc, aws, azure, vspc, vb365, both or all (see --help)');
	const { tls, caFile } = tlsFor(values);
	const defaultPort: Record<Product, number> = { vbr: 9419, vbgc: 13140, aws: 11005, azure: 8443, vspc: 1280, vb365: 4443 };
	const testLogin: Record<Product, string> = {
		vbr: `${VBR_DEFAULT_LOGINS[0].name} / ${VBR_DEFAULT_PASSWORD}`,
		vbgc: `${VBGC_DEFAULT_ADMIN} / ${VBGC_DEFAULT_PASSWORD}`,
		aws: `${AWS_DEFAULT_ADMIN} / ${AWS_DEFAULT_PASSWORD}`,
		azure: `${AZURE_DEFAULT_ADMIN} / ${AZURE_DEFAULT_PASSWORD}`,
		vspc: `${VSPC_DEFAULT_ADMIN} / ${VSPC_DEFAULT_PASSWORD}`,
		vb365: `${VB365_DEFAULT_ADMIN} / ${VB365_DEFAULT_PASSWORD}`,
	};

	const servers: SimServer[] = [];
	for (const product of products) {
		const port = number(`${product}-port`, values[`${product}-port`]) ?? (products.length === 1 ? number('port', values.port) : undefined) ?? defaultPort[product];
		const sim = await startSimulator({
			product,
			port,
			host: values.host,
			tls,
			expiresIn: number('expires-in', values['expires-in']),
			latencyMs: number('latency-ms', values['latency-ms']),
		});
		const seed = number('seed', values.seed);
		const companies = number('seed-companies', values['seed-companies']);
		const roles = number('seed-roles', values['seed-roles']);
		if (product === 'vspc' && (seed || companies)) (sim.product as VspcProduct).seedUsers({ count: seed ?? 0, companies });
		else if (product === 'vb365' && (seed || roles)) (sim.product as Vb365Product).seedUsers({ count: seed ?? 0, roleCount: roles, leaver: values['seed-leaver'] });
		else if (seed) sim.seed({ count: seed });
		servers.push(sim);
		console.log(`${product.toUpperCase().padEnd(6)} ${sim.url}   test login: ${testLogin[product]}   control: ${sim.url}/__sim/`);
	}
	if (caFile) console.log(`Trust ${caFile} (the same on every run): paste it into the credential's CA Certificate, or give it to n8n 1.x with NODE_EXTRA_CA_CERTS.`);
	if (values['print-ca']) console.log(tls.caPem);
	console.log('Ctrl-C to stop.');

	const stop = async () => {
		await Promise.all(servers.map((s) => s.close()));
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
	// Started by npm (or anything else) that went away without a signal to us: stop as well.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) void stop();
	}, 1000).unref();
}

main().catch((err: unknown) => {
	console.error(err instanceof Error ? err.message : err);
	process.exit(1);
});
