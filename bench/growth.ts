/**
 * `npm run bench:growth`: how cost grows with the number of users, for the three scenarios of
 * `npm run bench`, at 1k / 10k / 100k users: onboarding N users on a server with 10,000, at 0 ms
 * latency (1k and 10k: the per-user cost is already flat), Get Many
 * of N users, and one Veeam Trigger poll over N users (1 % changed). One pair per size (ours and
 * the plain client). Prints time per user and the growth from one size to the next: time ×a for
 * users ×b is linear when a/b ≈ 1, better when below; beside it the plain client's growth for the
 * same requests (what the simulator's own cost adds). Writes bench/growth.json.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { shutdownEngine } from '../test/support/engine';
import { benchGetMany, type GetManyFigure } from './index';
import { SIM_BASE_USERS, startSim } from './lib';
import { measureOnboarding } from './onboarding';

interface Step {
	scenario: string;
	n: number;
	ms: number;
	plainMs?: number;
	requests?: number;
	extra?: Record<string, number | string>;
}

function triggerPoll(users: number): Step {
	const seeded = users - 6; // the simulator starts with 6 users
	const output = execFileSync('npx', ['ts-node', '--transpile-only', join(__dirname, 'trigger.ts'), '--users', String(seeded), '--changes', String(Math.max(30, Math.round(users / 100))), '--report'], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		maxBuffer: 64 * 1024 * 1024,
	});
	const line = output.split('\n').find((l) => l.startsWith('TRIGGER_REPORT '));
	if (!line) throw new Error(`bench/trigger.ts gave no report:\n${output}`);
	const r = JSON.parse(line.slice('TRIGGER_REPORT '.length)) as { users: number; wallMs: number; computeMs: number; bytesPerUser: number; peakRssMb: number };
	return {
		scenario: 'Trigger poll (work without HTTP)',
		n: r.users,
		ms: r.computeMs,
		extra: { wallMs: Math.round(r.wallMs), bytesPerUser: Number(r.bytesPerUser.toFixed(2)), peakRssMb: Math.round(r.peakRssMb) },
	};
}

function progress(steps: Step[], step: Step): void {
	steps.push(step);
	console.log(`  measured: ${step.scenario}, ${step.n.toLocaleString('en')} users: ${step.ms.toFixed(0)} ms${step.plainMs ? ` (plain ${step.plainMs.toFixed(0)} ms)` : ''}`);
}

const fromGetMany = (f: GetManyFigure): Step => ({ scenario: 'Get Many of N users', n: f.users, ms: f.oursMs, plainMs: f.plainMs, requests: f.requests });

/** Onboarding N new users on a server with 10,000, at 0 ms latency: our node (default concurrency) and the keep-alive script. */
async function onboardingStep(sim: Awaited<ReturnType<typeof startSim>>, n: number): Promise<Step> {
	const setup = { newUsers: n, serverUsers: 10_000, latencyMs: 0 };
	const ours = await measureOnboarding(sim, setup, { ours: true });
	const plain = await measureOnboarding(sim, setup, { ours: false, keepAlive: true });
	return { scenario: 'Onboard N users (server 10,000)', n, ms: ours.ms, plainMs: plain.ms, requests: ours.requests };
}

async function main(): Promise<void> {
	const steps: Step[] = [];
	const sim = await startSim();
	try {
		await measureOnboarding(sim, { newUsers: 50, serverUsers: SIM_BASE_USERS, latencyMs: 0 }, { ours: true }); // warm-up
		for (const n of [1_000, 10_000]) progress(steps, await onboardingStep(sim, n));
		for (const n of [1_000, 10_000, 100_000]) progress(steps, fromGetMany(await benchGetMany(sim, n, 1)));
	} finally {
		sim.child.kill();
		await shutdownEngine();
	}
	for (const n of [1_000, 10_000, 100_000]) progress(steps, triggerPoll(n));

	console.log('\nn8n-nodes-veeam: how cost grows with the number of users (one run per size)');
	console.log('scenario'.padEnd(34), 'users'.padStart(8), 'ours ms'.padStart(9), 'µs/user'.padStart(9), 'plain ms'.padStart(9), 'requests'.padStart(9), '  growth (time ×a for users ×b: a/b)');
	const rows = steps.map((step, i) => {
		const previous = steps[i - 1]?.scenario === step.scenario ? steps[i - 1] : undefined;
		const growth = previous ? step.ms / previous.ms / (step.n / previous.n) : undefined;
		const plainGrowth = previous?.plainMs && step.plainMs ? step.plainMs / previous.plainMs : undefined;
		console.log(
			step.scenario.padEnd(34),
			step.n.toLocaleString('en').padStart(8),
			step.ms.toFixed(0).padStart(9),
			((step.ms * 1000) / step.n).toFixed(1).padStart(9),
			(step.plainMs?.toFixed(0) ?? '').padStart(9),
			String(step.requests ?? '').padStart(9),
			' ',
			previous
				? `×${(step.ms / previous.ms).toFixed(1)} for ×${(step.n / previous.n).toFixed(0)}: ${growth?.toFixed(2)}${plainGrowth ? ` (plain client ×${plainGrowth.toFixed(1)})` : ''}`
				: '',
			step.extra ? Object.entries(step.extra).map(([k, v]) => `${k}=${v}`).join(' ') : '',
		);
		return { ...step, growthVsPrevious: growth, plainGrowthVsPrevious: plainGrowth };
	});
	writeFileSync(join(__dirname, 'growth.json'), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2) + '\n');
	console.log('\nwritten: bench/growth.json');
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
