/**
 * A misbehaving server in front of the simulator, for tests: `around` answers instead of the
 * simulator's handler for every request `picks` chooses (by method and path, without the query),
 * and may call that handler itself. Returns the undo.
 */
import type { SimServer } from '../../sim';
import type { SimRequest, SimResponse } from '../../sim/core/http';

type Handler = (req: SimRequest) => Promise<SimResponse>;
type Router = { match: (method: string, path: string) => { kind: string; handler: Handler } };

export function aroundRoutes(
	sim: SimServer,
	picks: (method: string, path: string) => boolean,
	around: (req: SimRequest, handler: Handler, path: string) => Promise<SimResponse>,
): () => void {
	const router = sim.product.router as unknown as Router;
	const original = router.match.bind(router);
	router.match = (method, path) => {
		const found = original(method, path);
		if (found.kind !== 'found' || !picks(method, path)) return found;
		return { ...found, handler: async (req: SimRequest) => await around(req, found.handler, path) };
	};
	return () => {
		router.match = original;
	};
}
