/**
 * `npm run demo`: the package's first five minutes, with nothing to set up.
 *
 * Starts the embedded Veeam simulator (VBR 13 over HTTPS with its own CA) and runs the onboarding
 * story through n8n's workflow engine (n8n-core's WorkflowExecute) with the BUILT nodes and
 * credentials from dist/, exactly as n8n loads them:
 *   1. a new hire is onboarded as Restore Operator,
 *   2. promoted to Backup Administrator,
 *   3. a leaver is offboarded, and the ticketing step gets the leftover Active Directory account.
 * Then the cloud family: a hire onboarded on Veeam Backup for Google Cloud, AWS and Microsoft Azure
 * in one run, and offboarded from all three in another (simulators of those three as well).
 * The Veeam Trigger, activated before the story (its first poll records a baseline), polls once
 * after it and shows the change events, and an access report shows who can do what. Then it prints what happened, what it cost, and exits 0 (1 if any step did not do what it should).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { readmeDemoDifference } from './readmeBlock';


import type { ICredentialType, IDataObject, INode, INodeType } from 'n8n-workflow';

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
	type SimServer,
} from '../sim';
import { NodeTypes, PollActivation, START_NODE_NAME, TestCredentialsHelper, runWorkflow, shutdownEngine } from '../test/support/engine';
import { DemoTicketDeskNode, TicketDesk } from './ticketDesk';

const DIST = join(__dirname, '..', 'dist');
const VEEAM = 'n8n-nodes-veeam.veeam';
const VEEAM_TRIGGER = 'n8n-nodes-veeam.veeamTrigger';
const TICKETS = 'demo.ticketDesk';

/** The built package, loaded from dist/ as n8n loads a community package. */
function loadBuilt(): { veeam: INodeType; trigger: INodeType; credentialTypes: ICredentialType[] } {
	const pkg = require(join(__dirname, '..', 'package.json')) as { n8n: { nodes: string[]; credentials: string[] } };
	const load = (file: string) => {
		const mod = require(join(__dirname, '..', file)) as Record<string, unknown>;
		// A node or credential file exports its class (and may export constants beside it).
		return Object.values(mod)
			.filter((v): v is new () => unknown => typeof v === 'function' && /^class\s/.test(Function.prototype.toString.call(v)))
			.map((Cls) => new Cls());
	};
	const nodes = pkg.n8n.nodes.flatMap(load) as INodeType[];
	const veeam = nodes.find((n) => n.description.name === 'veeam');
	const trigger = nodes.find((n) => n.description.name === 'veeamTrigger');
	if (!veeam || !trigger) throw new Error(`the built nodes are missing from ${DIST}: run npm run build`);
	return { veeam, trigger, credentialTypes: pkg.n8n.credentials.flatMap(load) as ICredentialType[] };
}

interface Step {
	title: string;
	ok: boolean;
	lines: string[];
}

async function main(): Promise<number> {
	const started = Date.now();
	const { veeam, trigger, credentialTypes } = loadBuilt();
	const sim: SimServer = await startSimulator({ product: 'vbr' });
	const clouds = {
		vbgc: await startSimulator({ product: 'vbgc' }),
		aws: await startSimulator({ product: 'aws' }),
		azure: await startSimulator({ product: 'azure' }),
	};
	const desk = new TicketDesk();
	await desk.start();
	const steps: Step[] = [];
	try {
		const login = VBR_DEFAULT_LOGINS[0].name;
		const credentials = new TestCredentialsHelper(credentialTypes, {
			vbr: {
				type: 'veeamBackupReplicationApi',
				name: 'Veeam Backup & Replication (simulator)',
				data: {
					url: sim.url,
					username: login,
					password: VBR_DEFAULT_PASSWORD,
					apiVersion: '1.3-rev2',
					caCertificate: sim.tls.caPem, // trust the server's CA; verification stays on
					skipTlsVerification: false,
				},
			},
		});
		const cloudLogins = {
			vbgc: { type: 'veeamBackupGoogleCloudApi', name: 'Veeam Backup for Google Cloud (simulator)', username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD, apiVersion: '1.4-rev0' },
			aws: { type: 'veeamBackupAwsApi', name: 'Veeam Backup for AWS (simulator)', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD, apiVersion: '1.7-rev0' },
			azure: { type: 'veeamBackupAzureApi', name: 'Veeam Backup for Microsoft Azure (simulator)', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD, apiVersion: 'v8.1' },
		};
		for (const [id, c] of Object.entries(cloudLogins)) {
			const cloud = clouds[id as keyof typeof clouds];
			credentials.add(id, {
				type: c.type,
				name: c.name,
				data: { url: cloud.url, username: c.username, password: c.password, apiVersion: c.apiVersion, caCertificate: cloud.tls.caPem, skipTlsVerification: false },
			});
		}
		const nodeTypes = new NodeTypes({ [VEEAM]: veeam, [VEEAM_TRIGGER]: trigger, [TICKETS]: new DemoTicketDeskNode() });

		// The trigger is activated first: its first poll records the baseline and emits nothing.
		const watcher = new PollActivation({
			node: { name: 'Veeam Trigger', type: VEEAM_TRIGGER, parameters: { product: 'vbr' }, credentials: credentials.ref('vbr') },
			nodeTypes,
			credentials,
		});
		const baseline = await watcher.poll();
		if (baseline.error) throw baseline.error;
		type ChangeEvent = { event: string; user?: { name: string }; previous?: { name: string }; changes: Array<{ field: string; from: unknown; to: unknown }> };
		const events: ChangeEvent[] = [];
		// The trigger's next scheduled poll (every minute in n8n) after each step.
		const nextPoll = async () => {
			const polled = await watcher.poll();
			if (polled.error) throw polled.error;
			events.push(...(polled.response?.[0] ?? []).map((item) => item.json as ChangeEvent));
		};
		const veeamNode = (name: string, parameters: IDataObject): Omit<INode, 'id' | 'typeVersion' | 'position'> => ({
			name,
			type: VEEAM,
			parameters: { product: 'vbr', ...parameters } as INode['parameters'],
			credentials: credentials.ref('vbr'),
		});
		const run = async (input: IDataObject[], nodes: Array<Omit<INode, 'id' | 'typeVersion' | 'position'>>) => {
			const result = await runWorkflow({ nodes, input, credentials, nodeTypes });
			if (result.error) throw new Error(`${result.error.message} ${(result.error as { description?: string }).description ?? ''}`);
			return result.outputs;
		};

		// 1. The HR system reports a new hire: give her restore rights.
		const hire = { employee: 'Jane Doe', account: 'TECH\\jane.doe', role: 'Restore Operator' };
		const onboarded = await run(
			[hire],
			[
				veeamNode('Onboard', {
					resource: 'user',
					operation: 'onboard',
					userName: '={{ $json.account }}',
					userType: 'InternalUser',
					roles: ['={{ $json.role }}'],
					ifExists: 'makeRolesMatch',
				}),
			],
		);
		const created = onboarded.Onboard[0][0].json as { action: string; user: { id: string; name: string; roles: Array<{ name: string }> } };
		await nextPoll();
		steps.push({
			title: `New hire ${hire.employee}`,
			ok: created.action === 'created',
			lines: [`${created.user.name} ${created.action} with ${created.user.roles.map((r) => r.name).join(', ')}`],
		});

		// 2. A month later she becomes a backup administrator.
		const promoted = await run(
			[{ id: created.user.id }],
			[
				veeamNode('Promote', {
					resource: 'user',
					operation: 'promote',
					user: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
					roleMode: 'replace',
					roles: ['Backup Administrator'],
				}),
			],
		);
		const promotion = promoted.Promote[0][0].json as { action: string; before: string[]; after: string[] };
		await nextPoll();
		steps.push({
			title: `Promotion of ${hire.employee}`,
			ok: promotion.action === 'updated' && promotion.after.join() === 'Backup Administrator',
			lines: [`${hire.account} ${promotion.action}: ${promotion.before.join(', ')} → ${promotion.after.join(', ')}`],
		});

		// 3. A leaver: remove her Veeam access; the directory account stays, so open a ticket.
		const leaver = { employee: 'Sheila Cory', account: 'TECH\\sheila.d.cory' };
		const offboarded = await run(
			[leaver],
			[
				veeamNode('Offboard', {
					resource: 'user',
					operation: 'offboard',
					user: { __rl: true, mode: 'name', value: '={{ $json.account }}' },
					ifNotFound: 'absent',
				}),
				{ name: 'Ticket Desk', type: TICKETS, parameters: { url: desk.url } },
			],
		);
		const removal = offboarded.Offboard[0][0].json as { action: string; directoryAccountRemains: boolean; directoryAccount?: string; directoryAccountKind?: string };
		const ticket = offboarded['Ticket Desk']?.[0]?.[0]?.json as { id: string; title: string } | undefined;
		await nextPoll();
		steps.push({
			title: `Leaver ${leaver.employee}`,
			ok: removal.action === 'deleted' && removal.directoryAccountRemains && ticket?.title.includes(leaver.account) === true,
			lines: [
				`${leaver.account} ${removal.action} from Veeam; directory account remains: ${removal.directoryAccountRemains} (${removal.directoryAccountKind})`,
				ticket ? `ticket ${ticket.id} opened: "${ticket.title}"` : 'no ticket was opened',
			],
		});

		// 4. The cloud family: one hire onboarded on three appliances in one run, offboarded from all three in another.
		const cloudIds = ['vbgc', 'aws', 'azure'] as const;
		const cloudNode = (product: (typeof cloudIds)[number], parameters: IDataObject): Omit<INode, 'id' | 'typeVersion' | 'position'> => ({
			name: `${parameters.operation === 'onboard' ? 'Onboard' : 'Offboard'} ${product}`,
			type: VEEAM,
			parameters: { product, resource: 'user', ...parameters } as INode['parameters'],
			credentials: credentials.ref(product),
		});
		const fanOut = async (input: IDataObject[], nodes: Array<Omit<INode, 'id' | 'typeVersion' | 'position'>>) => {
			const result = await runWorkflow({
				nodes,
				input,
				credentials,
				nodeTypes,
				connections: { [START_NODE_NAME]: { main: [nodes.map((n) => ({ node: n.name, type: 'main' as const, index: 0 }))] } },
			});
			if (result.error) throw new Error(`${result.error.message} ${(result.error as { description?: string }).description ?? ''}`);
			return result.outputs;
		};
		const cloudHire = { employee: 'Raj Patel', account: 'raj_patel', password: 'Cl0ud-Hire-Passw0rd!', role: 'Portal Operator' };
		const joined = await fanOut(
			[cloudHire],
			cloudIds.map((p) =>
				cloudNode(p, { operation: 'onboard', userName: '={{ $json.account }}', password: '={{ $json.password }}', roles: ['={{ $json.role }}'], description: 'Raj Patel' }),
			),
		);
		const left = await fanOut(
			[{ account: cloudHire.account }],
			cloudIds.map((p) => cloudNode(p, { operation: 'offboard', user: { __rl: true, mode: 'name', value: '={{ $json.account }}' }, ifNotFound: 'absent' })),
		);
		const actionOf = (outputs: Record<string, Array<Array<{ json: IDataObject }>>>, name: string) => String(outputs[name]?.[0]?.[0]?.json.action);
		steps.push({
			title: `The cloud family: ${cloudHire.employee} on Google Cloud, AWS and Azure`,
			ok: cloudIds.every((p) => actionOf(joined, `Onboard ${p}`) === 'created' && actionOf(left, `Offboard ${p}`) === 'deleted'),
			lines: cloudIds.map(
				(p) => `${{ vbgc: 'Google Cloud', aws: 'AWS', azure: 'Azure' }[p].padEnd(12)} ${cloudHire.account} ${actionOf(joined, `Onboard ${p}`)} as ${cloudHire.role}, then ${actionOf(left, `Offboard ${p}`)}`,
			),
		});

		// 5. What the Veeam Trigger emitted along the way.
		const describe = (e: ChangeEvent) => {
			const who = e.user?.name ?? e.previous?.name ?? '?';
			const roles = e.changes.find((c) => c.field === 'roles');
			const names = (v: unknown) => (Array.isArray(v) ? v.map((r) => (typeof r === 'object' && r ? (r as { name?: string }).name : r)).join(', ') : String(v));
			return `${e.event.padEnd(13)} ${who}${roles ? `: ${names(roles.from)} → ${names(roles.to)}` : ''}`;
		};
		steps.push({
			title: 'Veeam Trigger (polling, no webhooks in Veeam)',
			ok: baseline.response === null && events.map((e) => e.event).join() === 'userAdded,rolesChanged,userRemoved',
			lines: [`first poll: baseline, nothing emitted; then ${events.length} events:`, ...events.map(describe)],
		});

		// 6. Who can do what now: the access report, e.g. for a weekly chat message.
		const reported = await run([{}], [veeamNode('Access Report', { resource: 'user', operation: 'accessReport' })]);
		const rows = reported['Access Report'][0].map((item) => item.json as { name?: string; flags?: string[]; summary?: boolean; text?: string });
		const summary = rows.find((r) => r.summary);
		steps.push({
			title: 'Access report (read-only)',
			ok: summary !== undefined && rows.some((r) => r.name === hire.account && r.flags?.includes('adminWithoutMfa')),
			lines: [summary?.text ?? 'no summary', ...rows.filter((r) => r.flags?.length).map((r) => `${String(r.name).padEnd(24)} ${r.flags?.join(', ')}`)],
		});

		const grants = Object.entries(sim.stats.grants)
			.map(([k, v]) => `${v} × ${k}`)
			.join(', ');
		console.log(`\nn8n-nodes-veeam demo — Veeam Backup & Replication simulator at ${sim.url} (API 1.3-rev2)`);
		console.log(`TLS verified against the simulator's CA; logged in as ${login} (a service account).\n`);
		const report: string[] = [];
		steps.forEach((s, n) => {
			report.push(`${s.ok ? '✔' : '✘'} ${n + 1}. ${s.title}`);
			for (const line of s.lines) report.push(`     ${line}`);
		});
		report.push('', 'What the server saw (its change log):');
		for (const e of sim.log.since()) report.push(`     #${e.seq} ${e.action.padEnd(16)} ${e.target}`);
		report.push(
			'',
			`${sim.stats.requests} HTTPS requests, token grants: ${grants}; ${desk.tickets.length} ticket(s); ${((Date.now() - started) / 1000).toFixed(1)} s.`,
		);
		console.log(report.join('\n'));
		const readmeOk = !process.argv.includes('--check-readme') || readmeShows(report);
		return steps.every((s) => s.ok) && readmeOk ? 0 : 1;
	} finally {
		await desk.stop();
		await sim.close();
		await Promise.all(Object.values(clouds).map(async (c) => await c.close()));
		await shutdownEngine();
	}
}

/**
 * Whether the README's "See it work" block is what the demo printed (the seconds aside): the README
 * must not show an output the demo no longer gives. `npm run test:all` runs the demo with this check.
 */
function readmeShows(printed: string[]): boolean {
	const difference = readmeDemoDifference(readFileSync(join(__dirname, '..', 'README.md'), 'utf8'), printed);
	if (difference !== undefined) console.error(`\n${difference}`);
	return difference === undefined;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error('Demo failed:', error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
