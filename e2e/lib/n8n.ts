/**
 * Drive a real, installed n8n (see e2e/install-n8n.sh) from end-to-end tests.
 *
 *   const n8n = await N8nInstance.create({ version: '2.41.1' });
 *   await n8n.importCredentials([{ id, name, type: 'veeamBackupReplicationApi', data: {...} }]);
 *   await n8n.importWorkflow(workflow);
 *   const run = await n8n.execute(workflow.id);      // the parsed `--rawOutput` JSON
 *   nodeOutput(run, 'Veeam');                        // the node's output items (json)
 *   await n8n.dispose();                             // stops `n8n start` if running, removes the folder
 *
 * Each instance has its own temporary N8N_USER_FOLDER (its own SQLite database, encryption key
 * and community packages) and its own N8N_PORT / N8N_RUNNERS_BROKER_PORT, so instances may run in
 * parallel. The CLI is run as `<node> <n8n>/bin/n8n …` with the Node the install recorded
 * (Node 24 for 2.x, this machine's Node for 1.x); nothing here needs n8n on PATH.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository root: what gets installed into n8n (package.json, index.js, dist/). */
export const PACKAGE_ROOT = resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-veeam';

/** The files `npm pack` ships; what stagePackage() and the 'copy' install take. */
const PACKAGE_FILES = ['package.json', 'index.js', 'dist', 'examples', 'README.md', 'LICENSE'];

/**
 * The built package the tests install: N8N_E2E_PACKAGE_DIR (a snapshot e2e/globalSetup.ts takes
 * right after `npm run build`, so a rebuild or `npm run clean` in the working tree during the run
 * cannot pull dist/ away from under the tests), else the repository root.
 */
export function builtPackageRoot(): string {
	return process.env.N8N_E2E_PACKAGE_DIR || PACKAGE_ROOT;
}

/** Copies the built package's shipped files (package.json, index.js, dist/ …) to a new temp folder. */
export function stagePackage(packageRoot = PACKAGE_ROOT): string {
	assertBuilt(packageRoot);
	const dir = mkdtempSync(join(tmpdir(), `${PACKAGE_NAME}-e2e-package-`));
	copyPackageFiles(packageRoot, dir);
	assertBuilt(dir);
	return dir;
}

function copyPackageFiles(from: string, to: string): void {
	for (const entry of PACKAGE_FILES) {
		if (existsSync(join(from, entry))) cpSync(join(from, entry), join(to, entry), { recursive: true });
	}
}

/**
 * The pinned n8n versions (e2e/versions.json, the one place that names them; e2e/run.js and
 * install-n8n.sh read it too). The first is the target, the default when N8N_E2E_VERSIONS is unset.
 */
export const PINNED_N8N_VERSIONS: readonly string[] = (
	JSON.parse(readFileSync(resolve(__dirname, '..', 'versions.json'), 'utf8')) as { n8n: string[] }
).n8n;
export const DEFAULT_N8N_VERSION = PINNED_N8N_VERSIONS[0];

export function cacheRoot(): string {
	return process.env.N8N_E2E_CACHE || join(homedir(), '.cache', 'n8n-nodes-veeam-e2e');
}

/** The versions to test: N8N_E2E_VERSIONS ("2.41.1 1.123.81"; e2e/run.js sets it), default the target. */
export function e2eVersions(): string[] {
	const list = (process.env.N8N_E2E_VERSIONS ?? DEFAULT_N8N_VERSION).split(/[\s,]+/).filter(Boolean);
	return list.length > 0 ? list : [DEFAULT_N8N_VERSION];
}

/** What install-n8n.sh recorded in <cache>/<version>/install.json after a complete install. */
export interface N8nInstall {
	version: string;
	major: number;
	node: string;
	nodeVersion: string;
	n8nBin: string;
	installSeconds?: number;
	sizeMB?: number;
}

export function findInstall(version: string): N8nInstall {
	const marker = join(cacheRoot(), version, 'install.json');
	if (!existsSync(marker)) {
		throw new Error(
			`n8n ${version} is not installed in ${cacheRoot()} (no ${marker}). ` +
				`Run: npm run test:e2e -- --n8n ${version} (installs it, then tests it), or e2e/install-n8n.sh ${version}.`,
		);
	}
	const data = JSON.parse(readFileSync(marker, 'utf8')) as Omit<N8nInstall, 'major'>;
	for (const file of [data.node, data.n8nBin]) {
		if (!existsSync(file)) throw new Error(`n8n ${version}: ${file} is missing; remove ${marker} and re-run e2e/install-n8n.sh`);
	}
	return { ...data, major: Number(version.split('.')[0]) };
}

/** A port nothing listens on right now (the OS picks it; closed again before use). */
export async function freePort(): Promise<number> {
	return await new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolvePort(port));
		});
	});
}

export interface CliResult {
	args: string[];
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
}

export class N8nCliError extends Error {
	constructor(
		message: string,
		readonly result: CliResult,
	) {
		super(`${message}\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`);
		this.name = 'N8nCliError';
	}
}

export function tail(text: string, lines = 60): string {
	const all = text.trimEnd().split('\n');
	return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

/**
 * The JSON document in the output of `n8n execute --rawOutput`: n8n prints it through its logger;
 * on 2.x log lines come before it. It starts at the first line that is exactly `{` and ends at
 * the last line `}` after which the text parses.
 */
export function parseRawOutput(stdout: string): unknown {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.trimEnd() === '{');
	if (start < 0) throw new Error('no JSON document (no line "{") in the output');
	for (let end = lines.length - 1; end >= start; end--) {
		if (lines[end].trimEnd() !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// A "}" inside the document or a log line after it: try an earlier end.
		}
	}
	throw new Error('the output has no complete JSON document after the first line "{"');
}

/** One credential for `n8n import:credentials` (data in clear; n8n encrypts it on import). */
export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** A credential as `n8n export:credentials --decrypted` writes it. */
export interface ExportedCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
	[key: string]: unknown;
}

/** A node type as `n8n export:nodes` writes it (its description, plus what n8n adds). */
export interface ExportedNodeType {
	name: string;
	displayName?: string;
	version?: number | number[];
	credentials?: Array<{ name: string }>;
	[key: string]: unknown;
}

export interface WorkflowJson {
	/** At most 16 characters (n8n's id column). */
	id: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** The part of a run's JSON the tests read: `data.resultData.runData[node][run].data.main[output]`. */
export interface RunJson {
	data?: {
		resultData?: {
			error?: { message?: string; [key: string]: unknown };
			lastNodeExecuted?: string;
			runData?: Record<
				string,
				Array<{
					error?: { message?: string; [key: string]: unknown };
					data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
					[key: string]: unknown;
				}>
			>;
		};
	};
	[key: string]: unknown;
}

/** The `json` of each item a node put out (run `run`, output `output`) in an execution. */
export function nodeOutput(run: unknown, nodeName: string, output = 0, runIndex = 0): Array<Record<string, unknown>> {
	const runData = (run as RunJson).data?.resultData?.runData ?? {};
	const task = runData[nodeName]?.[runIndex];
	if (!task) throw new Error(`node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ') || 'nothing'})`);
	if (task.error) throw new Error(`node "${nodeName}" failed: ${task.error.message ?? JSON.stringify(task.error)}`);
	return (task.data?.main?.[output] ?? []).map((item) => item.json);
}

export interface N8nInstanceOptions {
	version?: string;
	/** The built package to install as a community package; default builtPackageRoot(). */
	packageRoot?: string;
	/**
	 * 'copy' (default): copy package.json, index.js and dist/ into the user folder, as an
	 * install from the registry would place them; the package's `require('n8n-workflow')` then
	 * resolves to n8n's own copy (n8n adds its node_modules to the lookup path).
	 * 'symlink': link the package root itself; simpler, but then Node resolves n8n-workflow
	 * from the repository's node_modules (the dev dependency), not from n8n.
	 * 'npm': the README's manual install, exactly: `npm pack` the package, then in
	 * `<user folder>/.n8n/nodes` run `npm install <tarball>` under the Node this n8n runs on.
	 */
	install?: 'copy' | 'symlink' | 'npm';
	/** Extra environment for every CLI call and `start()`. */
	env?: Record<string, string>;
	/** Keep the user folder after dispose() (to look at the database or logs). */
	keepUserFolder?: boolean;
	/** Print every CLI call and its duration to stderr. */
	verbose?: boolean;
}

export class N8nInstance {
	readonly install: N8nInstall;
	readonly userFolder: string;
	readonly port: number;
	readonly brokerPort: number;
	readonly env: NodeJS.ProcessEnv;
	/** Every CLI call made so far, with its output and duration. */
	readonly history: CliResult[] = [];

	private server?: ChildProcess;
	private serverLog = '';
	private readonly keepUserFolder: boolean;
	private readonly verbose: boolean;

	private constructor(install: N8nInstall, userFolder: string, port: number, brokerPort: number, options: N8nInstanceOptions) {
		this.install = install;
		this.userFolder = userFolder;
		this.port = port;
		this.brokerPort = brokerPort;
		this.keepUserFolder = options.keepUserFolder ?? false;
		this.verbose = options.verbose ?? process.env.N8N_E2E_VERBOSE === '1';
		this.env = buildEnv(install, userFolder, port, brokerPort, options.env ?? {});
	}

	/** A fresh user folder with the built package installed in it; nothing is started yet. */
	static async create(options: N8nInstanceOptions = {}): Promise<N8nInstance> {
		const install = findInstall(options.version ?? DEFAULT_N8N_VERSION);
		const packageRoot = options.packageRoot ?? builtPackageRoot();
		assertBuilt(packageRoot);
		const userFolder = mkdtempSync(join(tmpdir(), `n8n-e2e-${install.version}-`));
		installPackage(packageRoot, userFolder, options.install ?? 'copy', install);
		const port = await freePort();
		let brokerPort = await freePort();
		while (brokerPort === port) brokerPort = await freePort();
		return new N8nInstance(install, userFolder, port, brokerPort, options);
	}

	get major(): number {
		return this.install.major;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Runs `n8n <args>`; resolves with the result whatever the exit code. */
	async runCli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
		const started = Date.now();
		const child = spawn(this.install.node, [this.install.n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
			child.once('error', fail);
			child.once('close', (c, s) => done([c, s]));
		}).finally(() => clearTimeout(timer));
		const result: CliResult = { args, code, signal, stdout, stderr, ms: Date.now() - started };
		this.history.push(result);
		if (this.verbose) process.stderr.write(`[n8n ${this.install.version}] ${args.join(' ')} → ${code ?? signal} in ${result.ms} ms\n`);
		if (signal === 'SIGKILL' && Date.now() - started >= timeoutMs) {
			throw new N8nCliError(`n8n ${args.join(' ')} timed out after ${timeoutMs} ms`, result);
		}
		return result;
	}

	/** Runs `n8n <args>` and throws (with its output) unless it exits 0. */
	async cli(args: string[], timeoutMs?: number): Promise<CliResult> {
		const result = await this.runCli(args, timeoutMs);
		if (result.code !== 0) throw new N8nCliError(`n8n ${args.join(' ')} exited with ${result.code ?? result.signal}`, result);
		return result;
	}

	async importCredentials(credentials: CredentialImport[]): Promise<void> {
		const file = this.scratchFile('credentials.json', credentials);
		await this.cli(['import:credentials', `--input=${file}`]);
	}

	async importWorkflow(workflow: WorkflowJson): Promise<void> {
		if (workflow.id.length > 16) throw new Error(`workflow id "${workflow.id}" is longer than 16 characters`);
		const file = this.scratchFile('workflow.json', { active: false, settings: {}, ...workflow });
		await this.cli(['import:workflow', `--input=${file}`]);
	}

	/** Several workflows in one `n8n import:workflow` call (it takes an array): one n8n start-up, not one each. */
	async importWorkflows(workflows: WorkflowJson[]): Promise<void> {
		for (const workflow of workflows) {
			if (workflow.id.length > 16) throw new Error(`workflow id "${workflow.id}" is longer than 16 characters`);
		}
		const file = this.scratchFile('workflows.json', workflows.map((workflow) => ({ active: false, settings: {}, ...workflow })));
		await this.cli(['import:workflow', `--input=${file}`]);
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`; the parsed run (see nodeOutput()). Throws N8nCliError
	 * when the run fails (n8n exits 1); use executeRaw() to look at a failure.
	 */
	async execute(id: string): Promise<RunJson> {
		const result = await this.executeRaw(id);
		if (result.code !== 0) throw new N8nCliError(`workflow ${id} failed (exit ${result.code ?? result.signal})`, result);
		if (!result.run) throw new N8nCliError(`workflow ${id}: no JSON run in the output of n8n execute`, result);
		return result.run;
	}

	/**
	 * `n8n execute --id=<id> --rawOutput` whatever the outcome. A failed run exits 1 and n8n still
	 * prints the run (after "Execution error:"); `run` is that JSON when it could be parsed.
	 */
	async executeRaw(id: string): Promise<CliResult & { run?: RunJson }> {
		const result = await this.runCli(['execute', `--id=${id}`, '--rawOutput']);
		try {
			return { ...result, run: parseRawOutput(result.stdout) as RunJson };
		} catch {
			return result;
		}
	}

	/** Every credential, decrypted: what import stored plus what preAuthentication added. */
	async exportCredentials(): Promise<ExportedCredential[]> {
		const file = join(this.userFolder, 'export-credentials.json');
		rmSync(file, { force: true });
		await this.cli(['export:credentials', '--all', '--decrypted', `--output=${file}`]);
		return JSON.parse(readFileSync(file, 'utf8')) as ExportedCredential[];
	}

	/** The node types this n8n loaded (n8n-nodes-veeam's are `n8n-nodes-veeam.<name>`). */
	async exportNodes(): Promise<ExportedNodeType[]> {
		const file = join(this.userFolder, 'export-nodes.json');
		rmSync(file, { force: true });
		await this.cli(['export:nodes', `--output=${file}`]);
		return JSON.parse(readFileSync(file, 'utf8')) as ExportedNodeType[];
	}

	/**
	 * Activates a workflow so that `n8n start` runs its triggers: 1.x `update:workflow
	 * --active=true`; 2.x removed that for `publish:workflow` (publishes the current version).
	 * Call it before start(): a running n8n does not see changes the CLI makes to the database.
	 */
	async activate(id: string): Promise<void> {
		if (this.major >= 2) await this.cli(['publish:workflow', `--id=${id}`]);
		else await this.cli(['update:workflow', `--id=${id}`, '--active=true']);
	}

	/** `n8n start`; resolves once GET /healthz answers 200. */
	async start(timeoutMs = 120_000): Promise<void> {
		if (this.server) throw new Error('n8n is already started');
		const started = Date.now();
		this.serverLog = '';
		const child = spawn(this.install.node, [this.install.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: this.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.server = child;
		const append = (chunk: string): void => {
			this.serverLog += chunk;
			if (this.serverLog.length > 1_000_000) this.serverLog = this.serverLog.slice(-500_000);
		};
		child.stdout?.setEncoding('utf8').on('data', append);
		child.stderr?.setEncoding('utf8').on('data', append);
		let exited: number | null | undefined;
		child.once('exit', (code) => (exited = code));

		while (Date.now() - started < timeoutMs) {
			if (exited !== undefined) {
				this.server = undefined;
				throw new Error(`n8n start exited with ${exited} before answering /healthz\n${tail(this.serverLog)}`);
			}
			if ((await httpStatus(`${this.baseUrl}/healthz`)) === 200) {
				if (this.verbose) process.stderr.write(`[n8n ${this.install.version}] start → healthy in ${Date.now() - started} ms\n`);
				return;
			}
			await delay(250);
		}
		await this.stop();
		throw new Error(`n8n start did not answer ${this.baseUrl}/healthz within ${timeoutMs} ms\n${tail(this.serverLog)}`);
	}

	/**
	 * The credential and node types `n8n start` generated for the editor
	 * (<user folder>/.cache/n8n/public/types/*.json). There is no CLI command that lists
	 * credential types, and GET /types/credentials.json needs a login on 2.x; these files are
	 * what those URLs serve. n8n writes them a few seconds AFTER /healthz first answers, so this
	 * waits for them (up to `timeoutMs`). Call it after start().
	 */
	async frontendTypes(timeoutMs = 60_000): Promise<{ credentials: Array<{ name: string; [key: string]: unknown }>; nodes: ExportedNodeType[] }> {
		const dir = join(this.userFolder, '.cache', 'n8n', 'public', 'types');
		const started = Date.now();
		for (;;) {
			try {
				return {
					credentials: JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Array<{ name: string }>,
					nodes: JSON.parse(readFileSync(join(dir, 'nodes.json'), 'utf8')) as ExportedNodeType[],
				};
			} catch (error) {
				// Not written yet, or half written.
				if (Date.now() - started > timeoutMs) {
					throw new Error(`no complete type files in ${dir} after ${timeoutMs} ms (${(error as Error).message})\n${tail(this.serverLog)}`);
				}
				if (!this.server) throw new Error(`no complete type files in ${dir}, and n8n is not started`);
				await delay(500);
			}
		}
	}

	/** What `n8n start` printed so far. */
	get startLog(): string {
		return this.serverLog;
	}

	/** Stops `n8n start` (SIGTERM, then SIGKILL after `graceMs`). */
	async stop(graceMs = 20_000): Promise<void> {
		const child = this.server;
		if (!child) return;
		this.server = undefined;
		if (child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise<void>((done) => child.once('exit', () => done()));
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
	}

	/** stop(), then remove the user folder (unless keepUserFolder or N8N_E2E_KEEP=1). */
	async dispose(): Promise<void> {
		await this.stop();
		if (this.keepUserFolder || process.env.N8N_E2E_KEEP === '1') {
			process.stderr.write(`[n8n ${this.install.version}] kept user folder ${this.userFolder}\n`);
			return;
		}
		rmSync(this.userFolder, { recursive: true, force: true });
	}

	private scratchFile(name: string, content: unknown): string {
		const dir = join(this.userFolder, 'e2e-input');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, `${Date.now()}-${name}`);
		writeFileSync(file, JSON.stringify(content, null, 2));
		return file;
	}
}

function buildEnv(install: N8nInstall, userFolder: string, port: number, brokerPort: number, extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		// Nothing of the caller's n8n configuration; and not jest's NODE_ENV=test (n8n changes
		// behaviour in its own test mode).
		if (key.startsWith('N8N_') || key.startsWith('DB_') || key === 'NODE_ENV' || key === 'NODE_OPTIONS') continue;
		env[key] = value;
	}
	return {
		...env,
		PATH: `${resolve(install.node, '..')}:${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'n8n-nodes-veeam-e2e-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		// 1.x's default expression engine needs isolated-vm, which is not built (install scripts off).
		...(install.major < 2 ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {}),
		...extra,
	};
}

function assertBuilt(packageRoot: string): void {
	const pkgFile = join(packageRoot, 'package.json');
	const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { n8n?: { credentials?: string[]; nodes?: string[] } };
	const listed = [...(pkg.n8n?.credentials ?? []), ...(pkg.n8n?.nodes ?? [])];
	const missing = listed.filter((file) => !existsSync(join(packageRoot, file)));
	if (missing.length > 0) {
		throw new Error(`${packageRoot} is not built (missing ${missing.join(', ')}): run npm run build first`);
	}
}

/** Places the built package where n8n looks for community packages: <folder>/.n8n/nodes/node_modules. */
function installPackage(packageRoot: string, userFolder: string, mode: 'copy' | 'symlink' | 'npm', install: N8nInstall): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	if (mode === 'npm') {
		npmInstall(packageRoot, nodesDir, install);
		return;
	}
	const target = join(nodesDir, 'node_modules', PACKAGE_NAME);
	mkdirSync(join(nodesDir, 'node_modules'), { recursive: true });
	// n8n reads this file to know which community packages are installed.
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	if (mode === 'symlink') {
		symlinkSync(packageRoot, target, 'dir');
		return;
	}
	mkdirSync(target);
	copyPackageFiles(packageRoot, target);
}

/**
 * The README's manual install: `mkdir -p ~/.n8n/nodes && cd ~/.n8n/nodes && npm install <package>`,
 * with the tarball `npm pack` makes, under the Node this n8n runs on (2.x: Node 24; 1.x: Node 20).
 * Nothing is passed that a user would not type: no --ignore-scripts, no --legacy-peer-deps.
 */
function npmInstall(packageRoot: string, nodesDir: string, install: N8nInstall): void {
	const packDir = mkdtempSync(join(tmpdir(), `${PACKAGE_NAME}-tgz-`));
	const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(install.node)}:${process.env.PATH ?? ''}` };
	// `npm run test:e2e` hands its own config (our .npmrc's ignore-scripts) down: a user's shell has none of it.
	for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_config_')) delete env[key];
	const tgz = execFileSync('npm', ['pack', packageRoot, '--pack-destination', packDir, '--silent'], { encoding: 'utf8', env }).trim().split('\n').pop() as string;
	mkdirSync(nodesDir, { recursive: true });
	execFileSync('npm', ['install', join(packDir, tgz), '--no-audit', '--no-fund'], { cwd: nodesDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function httpStatus(url: string): Promise<number | undefined> {
	return await new Promise((done) => {
		const req = request(url, { method: 'GET', timeout: 2_000 }, (res) => {
			res.resume();
			done(res.statusCode);
		});
		req.once('timeout', () => req.destroy());
		req.once('error', () => done(undefined));
		req.end();
	});
}

async function delay(ms: number): Promise<void> {
	await new Promise((done) => setTimeout(done, ms));
}
