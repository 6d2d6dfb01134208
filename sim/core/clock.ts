/**
 * The simulator's notion of "now". Real time plus an offset that tests can advance, so token
 * expiry and TOTP windows can be exercised without sleeping.
 */
export class SimClock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	advance(seconds: number): void {
		this.offsetMs += seconds * 1000;
	}

	reset(): void {
		this.offsetMs = 0;
	}
}
