/**
 * `npm run sim -- [options]`: runs the Veeam simulator until Ctrl-C.
 *
 *   --product vbr|vbgc|both   which API to serve (default both)
 *   --port N                  port for a single product (default 9419 for VBR, 13140 for VBGC)
 *   --vbr-port N, --vbgc-port N
 *   --expires-in SECONDS      access-token lifetime (default 900)
 *   --seed N                  add N users to each product
 *   --tls-dir DIR             keep the test CA and certificate in DIR and reuse them on the next start
 *                             (so n8n can be told to trust DIR/ca.pem once)
 *   --self-signed             a self-signed server certificate instead of one signed by a test CA
 *   --print-ca                print the PEM a client must trust
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { generateTlsMaterial, type SimTlsMaterial } from './core/tls';
import {
	startSimulator,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBR_DEFAULT_LOGINS,
	VBR_DEFAULT_PASSWORD,
	type Product,
	type SimServer,
} from './index';

function loadOrCreateTls(dir: string | undefined, selfSigned: boolean): SimTlsMaterial {
	const mode = selfSigned ? 'self-signed' : 'ca';
	if (!dir) return generateTlsMaterial(mode);
	const files = { caPem: 'ca.pem', certPem: 'cert.pem', keyPem: 'key.pem' } as const;
	if (Object.values(files).every((f) => existsSync(join(dir, f)))) {
		return {
			caPem: readFileSync(join(dir, files.caPem), 'utf8'),
			certPem: readFileSync(join(dir, files.certPem), 'utf8'),
			keyPem: readFileSync(join(dir, files.keyPem), 'utf8'),
		};
	}
	const tls = generateTlsMaterial(mode);
	mkdirSync(dir, { recursive: true });
	for (const [key, file] of Object.entries(files)) {
		writeFileSync(join(dir, file), tls[key as keyof SimTlsMaterial], { mode: 0o600 });
	}
	return tls;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			product: { type: 'string', default: 'both' },
			port: { type: 'string' },
			'vbr-port': { type: 'string' },
			'vbgc-port': { type: 'string' },
			'expires-in': { type: 'string' },
			seed: { type: 'string' },
			'tls-dir': { type: 'string' },
			'self-signed': { type: 'boolean', default: false },
			'print-ca': { type: 'boolean', default: false },
		},
	});
	const products: Product[] =
		values.product === 'both' ? ['vbr', 'vbgc'] : values.product === 'vbr' || values.product === 'vbgc' ? [values.product] : [];
	if (!products.length) throw new Error('--product must be vbr, vbgc or both');
	const tls = loadOrCreateTls(values['tls-dir'], values['self-signed']);
	const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
	const defaultPort = { vbr: 9419, vbgc: 13140 };

	const servers: SimServer[] = [];
	for (const product of products) {
		const port =
			num(values[`${product}-port`]) ?? (products.length === 1 ? num(values.port) : undefined) ?? defaultPort[product];
		const sim = await startSimulator({ product, port, tls, expiresIn: num(values['expires-in']) });
		if (values.seed) sim.seed({ count: Number(values.seed) });
		servers.push(sim);
		const login =
			product === 'vbr'
				? `${VBR_DEFAULT_LOGINS[0].name} / ${VBR_DEFAULT_PASSWORD}`
				: `${VBGC_DEFAULT_ADMIN} / ${VBGC_DEFAULT_PASSWORD}`;
		console.log(`${product.toUpperCase().padEnd(4)} ${sim.url}   test login: ${login}   control: ${sim.url}/__sim/`);
	}
	if (values['tls-dir']) console.log(`Trust ${join(values['tls-dir'], 'ca.pem')} in the credential's CA field.`);
	if (values['print-ca']) console.log(tls.caPem);
	console.log('Ctrl-C to stop.');
	const stop = async () => {
		await Promise.all(servers.map((s) => s.close()));
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
	console.error(err instanceof Error ? err.message : err);
	process.exit(1);
});
