/**
 * Runs one simulator in its own process for benchmarks, so the client under test and the server
 * do not share an event loop. Reports `{ url, caPem }` to the parent over IPC.
 */
import { startSimulator, type Product } from '../sim';

async function main(): Promise<void> {
	const product = (process.argv[2] ?? 'vbr') as Product;
	const seed = Number(process.argv[3] ?? 0);
	const expiresIn = Number(process.argv[4] ?? 900);
	const sim = await startSimulator({ product, expiresIn });
	if (seed > 0) sim.seed({ count: seed });
	process.send?.({ url: sim.url, caPem: sim.tls.caPem });
	process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
}

void main();
