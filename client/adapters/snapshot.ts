/**
 * The server's users as one execution read them: when an execution looks up many users (onboarding
 * a list of hires), reading the whole list once is cheaper than a look-up per item as soon as
 * ⌈users / page size⌉ < look-ups. The adapters then answer look-ups from it and keep it in step with
 * what the execution itself changes.
 *
 * A hint, not the truth: another administrator may change the server meanwhile. Nothing is ever
 * created twice because of it: a create the server refuses is checked against the server itself
 * (see UserExistsError). It lives in one adapter, i.e. one execution; never in module scope.
 */
import type { INode } from 'n8n-workflow';

import { REQUESTED_PAGE_SIZE, readUserPages, type Page } from './paging';
import type { VeeamUser } from '../model';

export class UserSnapshot {
	private readonly byRef = new Map<string, VeeamUser>();
	private readonly byName = new Map<string, VeeamUser>();

	/** `pages`: how many requests the list took (what reading it again would cost). */
	constructor(
		users: Iterable<VeeamUser>,
		readonly pages = 1,
	) {
		for (const user of users) this.put(user);
	}

	get size(): number {
		return this.byRef.size;
	}

	/** The user with this ref (case-insensitive), or undefined when the snapshot has none. */
	get(ref: string): VeeamUser | undefined {
		return this.byRef.get(ref.toLowerCase());
	}

	/** The user with exactly this name, without regard to case (as both products match names). */
	named(name: string): VeeamUser | undefined {
		return this.byName.get(name.toLowerCase());
	}

	/** After the execution created or changed `user`: its state as the server answered. */
	put(user: VeeamUser): void {
		const old = this.byRef.get(user.ref.toLowerCase());
		if (old) this.byName.delete(old.name.toLowerCase());
		this.byRef.set(user.ref.toLowerCase(), user);
		this.byName.set(user.name.toLowerCase(), user);
	}

	remove(user: VeeamUser): void {
		const old = this.byRef.get(user.ref.toLowerCase());
		this.byRef.delete(user.ref.toLowerCase());
		this.byName.delete((old ?? user).name.toLowerCase());
	}
}

/**
 * Reads the first page (the largest the server gives) and, when the whole list costs fewer requests
 * than `lookups` look-ups would, the rest of it. Undefined when per-item look-ups are cheaper; the
 * first page is not wasted either way (the listing starts from it).
 */
export async function readSnapshotIfCheaper(
	node: INode,
	fetchPage: (offset: number, limit: number) => Promise<Page<VeeamUser>>,
	lookups: number,
): Promise<UserSnapshot | undefined> {
	const first = await fetchPage(0, REQUESTED_PAGE_SIZE);
	const total = typeof first.total === 'number' && Number.isFinite(first.total) ? first.total : undefined;
	// Without a total (or with an empty page before it) the cost is unknown: look up per item.
	if (total === undefined || (first.items.length === 0 && total > 0)) return undefined;
	const pages = first.items.length === 0 ? 1 : Math.ceil(total / first.items.length);
	if (pages >= lookups) return undefined;
	const users = await readUserPages(node, async (offset, limit) => (offset === 0 ? first : await fetchPage(offset, limit)));
	return new UserSnapshot(users, pages);
}
