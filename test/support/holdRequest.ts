import type { SimServer } from '../../sim';

/** What the simulator has parsed of a request when it is about to act on it. */
export interface HeldRequest {
	method: string;
	path: string;
}

export interface Hold {
	/** Resolves when the first matching request is being held, before the simulator acted on it. */
	held: Promise<void>;
	/** Lets it through (call it in a `finally`, so a failed test does not leave the run hanging). */
	release: () => void;
	/** Unwraps the simulator. */
	restore: () => void;
}

/**
 * Holds the first request matching `matches` on the simulator, before it acts, until `release()`:
 * for "meanwhile another client changes the server" tests. A gate the test opens, not a delay its
 * own requests must fit in (a loaded machine may not fit them in 300 ms). It wraps the simulator's
 * request handler (`dispatch`, which answers after latency and faults) in this test only.
 */
export function holdRequest(server: SimServer, matches: (req: HeldRequest) => boolean): Hold {
	type Dispatch = (req: HeldRequest) => Promise<unknown>;
	const target = server as unknown as { dispatch: Dispatch };
	const dispatch: Dispatch = target.dispatch.bind(server);
	let holding!: () => void;
	let release!: () => void;
	const held = new Promise<void>((resolve) => (holding = resolve));
	const gate = new Promise<void>((resolve) => (release = resolve));
	let first = true;
	const spy = jest.spyOn(target, 'dispatch').mockImplementation(async (req) => {
		if (first && matches(req)) {
			first = false;
			holding();
			await gate;
		}
		return await dispatch(req);
	});
	return { held, release, restore: () => spy.mockRestore() };
}
