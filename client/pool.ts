/**
 * Runs tasks `0 … count-1` with at most `concurrency` in flight, for one execution (nothing here
 * outlives the call). Tasks that share a key run one after another, in index order: two items about
 * the same user never overlap, so the second sees what the first did. Results come back by index.
 *
 * `stopOnError`: after the first failure no further task starts (those in flight finish: a request
 * already sent cannot be taken back, and cutting it off would only make its outcome unclear). Tasks
 * never started are `undefined` in the result.
 */
export type TaskOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface PoolOptions {
	concurrency: number;
	stopOnError: boolean;
	/** Tasks with the same key run in index order, never at the same time; undefined: no constraint. */
	keyOf?: (index: number) => string | undefined;
}

export async function runPool<T>(count: number, task: (index: number) => Promise<T>, options: PoolOptions): Promise<Array<TaskOutcome<T> | undefined>> {
	const outcomes: Array<TaskOutcome<T> | undefined> = new Array(count).fill(undefined);
	const lastOfKey = new Map<string, Promise<unknown>>();
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (next < count && !(failed && options.stopOnError)) {
			const index = next++;
			const key = options.keyOf?.(index);
			const before = key === undefined ? undefined : lastOfKey.get(key);
			const run = (async () => {
				if (before) await before;
				if (failed && options.stopOnError) return;
				try {
					outcomes[index] = { ok: true, value: await task(index) };
				} catch (error) {
					outcomes[index] = { ok: false, error };
					failed = true;
				}
			})();
			if (key !== undefined) lastOfKey.set(key, run);
			await run;
		}
	};
	const slots = Math.max(1, Math.min(Math.floor(options.concurrency), count));
	await Promise.all(Array.from({ length: slots }, worker));
	return outcomes;
}

/** Runs tasks one at a time, in the order they were handed in (for one execution; never module-level). */
export class Serial {
	private last: Promise<unknown> = Promise.resolve();

	async run<T>(task: () => Promise<T>): Promise<T> {
		const result = this.last.then(task, task);
		this.last = result.catch(() => undefined);
		return await result;
	}
}
