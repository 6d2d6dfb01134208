/**
 * `npm run sim`: a real --help, a test CA that stays the same between runs (so n8n trusts it once),
 * a certificate that names the host n8n uses (n8n in Docker), and no orphan server when npm stops.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, connect } from 'node:tls';

const root = join(__dirname, '..', '..');
const tlsDir = mkdtempSync(join(tmpdir(), 'veeam-sim-cli-'));
afterAll(() => rmSync(tlsDir, { recursive: true, force: true }));

/** `npm run sim -- <args>` until it prints its first URL; resolves with the process and the port. */
async function startSim(args: string[]): Promise<{ npm: ChildProcess; port: number; output: () => string }> {
	const npm = spawn('npm', ['run', '-s', 'sim', '--', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	npm.stdout?.on('data', (c: Buffer) => (output += c.toString()));
	npm.stderr?.on('data', (c: Buffer) => (output += c.toString()));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setInterval(() => {
			const match = /https:\/\/127\.0\.0\.1:(\d+)/.exec(output);
			if (match && output.includes('Ctrl-C to stop.')) {
				clearInterval(timer);
				resolve(Number(match[1]));
			}
		}, 100);
		npm.once('exit', (code) => {
			clearInterval(timer);
			reject(new Error(`npm run sim exited (${code}): ${output}`));
		});
	});
	return { npm, port, output: () => output };
}

/** The pid of the simulator's node process under npm. */
function simPid(npm: ChildProcess): number | undefined {
	const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(npm.pid)], { encoding: 'utf8' });
	return ps.stdout.split('\n').map(Number).find((n) => n > 0);
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

async function certificateNames(port: number, ca: string): Promise<string> {
	const socket: TLSSocket = await new Promise((resolve, reject) => {
		const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => resolve(s));
		s.once('error', reject);
	});
	const names = socket.getPeerCertificate().subjectaltname ?? '';
	socket.destroy();
	return names;
}

describe('npm run sim', () => {
	it('--help prints the options and exits 0', () => {
		const help = spawnSync('npm', ['run', '-s', 'sim', '--', '--help'], { cwd: root, encoding: 'utf8' });
		expect(help.status).toBe(0);
		expect(help.stdout).toContain('--host ADDRESS');
		expect(help.stdout).toContain('--tls-name NAME');
	});

	it('keeps its test CA between runs, names the --tls-name host, and stops with npm', async () => {
		const args = ['--product', 'vbr', '--port', '0', '--tls-dir', tlsDir, '--tls-name', 'host.docker.internal'];
		const first = await startSim(args);
		const ca = readFileSync(join(tlsDir, 'ca.pem'), 'utf8');
		expect(await certificateNames(first.port, ca)).toMatch(/DNS:host\.docker\.internal/);
		const pid = simPid(first.npm) as number;
		expect(alive(pid)).toBe(true);
		// Stopping npm (SIGTERM, as a terminal, a process manager or a CI job does) stops the server.
		first.npm.kill('SIGTERM');
		for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
		expect(alive(pid)).toBe(false);

		const second = await startSim(args);
		try {
			// The same CA: a client that trusted it once still trusts the new server certificate.
			expect(readFileSync(join(tlsDir, 'ca.pem'), 'utf8')).toBe(ca);
			expect(await certificateNames(second.port, ca)).toMatch(/IP Address:127\.0\.0\.1/);
		} finally {
			second.npm.kill('SIGTERM');
		}
	}, 60_000);
});
