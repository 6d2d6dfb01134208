/**
 * Debian's PostgreSQL and Redis servers for the queue-mode test, started by the test itself on
 * loopback, each in its own temporary folder on a free port, and stopped (folder removed) after.
 * e2e/install-queue.sh installs the packages when they are missing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './n8n';

const delay = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

function postgresBin(name: string): string {
	const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
	if (versions.length === 0) throw new Error('no PostgreSQL server: run e2e/install-queue.sh');
	return join('/usr/lib/postgresql', versions[0], 'bin', name);
}

/** Runs a PostgreSQL tool as the `postgres` account when we are root (initdb refuses root). */
function asPostgres(bin: string, args: string[]): string {
	const root = process.getuid?.() === 0;
	return execFileSync(root ? 'runuser' : bin, root ? ['-u', 'postgres', '--', bin, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class Postgres {
	private constructor(
		readonly dir: string,
		readonly port: number,
	) {}

	readonly database = 'n8n';
	readonly user = 'n8n';

	static async start(): Promise<Postgres> {
		const dir = mkdtempSync(join(tmpdir(), 'veeam-e2e-pg-'));
		if (process.getuid?.() === 0) {
			const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
			const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
			chownSync(dir, uid, gid);
		}
		const port = await freePort();
		const data = join(dir, 'data');
		asPostgres(postgresBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'n8n', '--no-sync', '-E', 'UTF8']);
		asPostgres(postgresBin('pg_ctl'), [
			'-D', data, '-w', '-l', join(dir, 'server.log'),
			'-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
			'start',
		]);
		const pg = new Postgres(dir, port);
		asPostgres(postgresBin('psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', 'postgres', '-c', 'CREATE DATABASE n8n']);
		return pg;
	}

	/** What n8n needs to use it. */
	env(): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: this.user,
			DB_POSTGRESDB_PASSWORD: 'unused-trust-auth',
		};
	}

	/** One SQL query's rows, tab-separated. */
	query(sql: string): string[][] {
		const out = asPostgres(postgresBin('psql'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'n8n', '-d', this.database, '-At', '-F', '\t', '-c', sql]);
		return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
	}

	async stop(): Promise<void> {
		try {
			asPostgres(postgresBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
		} finally {
			rmSync(this.dir, { recursive: true, force: true });
		}
	}
}

export class Redis {
	private constructor(
		readonly dir: string,
		readonly port: number,
		private readonly child: ChildProcess,
	) {}

	static async start(): Promise<Redis> {
		const dir = mkdtempSync(join(tmpdir(), 'veeam-e2e-redis-'));
		const port = await freePort();
		const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		const redis = new Redis(dir, port, child);
		for (let i = 0; i < 100; i++) {
			if (await redis.ping()) return redis;
			await delay(100);
		}
		child.kill('SIGKILL');
		throw new Error(`redis-server did not answer on port ${port}`);
	}

	private async ping(): Promise<boolean> {
		return await new Promise<boolean>((resolve) => {
			const socket = createConnection({ host: '127.0.0.1', port: this.port }, () => socket.write('PING\r\n'));
			socket.once('data', (d) => {
				socket.destroy();
				resolve(d.toString().startsWith('+PONG'));
			});
			socket.once('error', () => resolve(false));
		});
	}

	env(): Record<string, string> {
		return { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(this.port) };
	}

	async stop(): Promise<void> {
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.kill('SIGTERM');
		await Promise.race([exited, delay(5_000)]);
		rmSync(this.dir, { recursive: true, force: true });
	}
}
