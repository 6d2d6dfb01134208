/**
 * Changes "made in the console" for the VSPC benchmarks' set-up (not timed): users of a company,
 * created, deleted, their role changed, over VSPC's REST API v3 with the plain client (a JSON Patch
 * array for updates, as Veeam's PatchUser example writes it).
 */
import type { AxiosInstance } from 'axios';

import { BENCH_PASSWORD, vspcClient, vspcLogin, type VspcTarget } from './vspcPlain';

export interface ConsoleUser {
	instanceUid: string;
	userName: string;
	organizationUid: string;
	role: string;
}

export class VspcConsole {
	private constructor(readonly api: AxiosInstance) {}

	static async open(target: VspcTarget): Promise<VspcConsole> {
		const api = vspcClient(target);
		await vspcLogin(api, target);
		return new VspcConsole(api);
	}

	private static check(what: string, res: { status: number; data: unknown }): void {
		if (res.status < 200 || res.status > 299) throw new Error(`console: ${what}: ${res.status} ${JSON.stringify(res.data).slice(0, 300)}`);
	}

	/** Every page of `path` (limit 500), with `filter` when given. */
	async all<T>(path: string, filter?: unknown[]): Promise<T[]> {
		const out: T[] = [];
		for (let offset = 0; ; ) {
			const res = await this.api.get(path, { params: { limit: 500, offset, ...(filter ? { filter: JSON.stringify(filter) } : {}) } });
			VspcConsole.check(`GET ${path}`, res);
			const page = (res.data.data ?? []) as T[];
			out.push(...page);
			offset += page.length;
			const total = Number(res.data.meta?.pagingInfo?.total);
			if (page.length === 0 || (Number.isFinite(total) && offset >= total)) return out;
		}
	}

	/** The companies as organizations (their `instanceUid` is what users' `organizationUid` holds). */
	async companies(): Promise<Array<{ instanceUid: string; name: string }>> {
		return await this.all('/organizations', [{ property: 'type', operation: 'equals', value: 'Company' }]);
	}

	async usersOf(organizationUid: string): Promise<ConsoleUser[]> {
		return await this.all<ConsoleUser>('/users', [{ property: 'organizationUid', operation: 'equals', value: organizationUid }]);
	}

	async create(organizationUid: string, userName: string, role: string): Promise<ConsoleUser> {
		const res = await this.api.post('/users', {
			organizationUid,
			role,
			mfaPolicyStatus: 'Disabled',
			profile: { firstName: 'Console', lastName: userName, email: `${userName}@example.com` },
			credentials: { userName, password: BENCH_PASSWORD },
		});
		VspcConsole.check(`create ${userName}`, res);
		return res.data.data as ConsoleUser;
	}

	async remove(user: ConsoleUser): Promise<void> {
		VspcConsole.check(`delete ${user.userName}`, await this.api.delete(`/users/${user.instanceUid}`));
	}

	async setRole(user: ConsoleUser, role: string): Promise<void> {
		VspcConsole.check(`role of ${user.userName}`, await this.api.patch(`/users/${user.instanceUid}`, [{ op: 'replace', path: '/role', value: role }]));
	}

	/** Runs `jobs` eight at a time (set-up only). */
	static async parallel(jobs: Array<() => Promise<unknown>>): Promise<void> {
		const queue = [...jobs];
		await Promise.all(
			Array.from({ length: 8 }, async () => {
				for (let job = queue.shift(); job; job = queue.shift()) await job();
			}),
		);
	}
}
