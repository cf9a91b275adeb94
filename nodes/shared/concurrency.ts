/** A small semaphore: at most `limit` tasks run at once (no runtime dependency on p-limit). */
export class Limiter {
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.active >= this.limit) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		} else {
			this.active++;
		}
		try {
			return await task();
		} finally {
			const next = this.waiting.shift();
			// Hand the slot straight to the next task, so `active` never overshoots the limit.
			if (next) next();
			else this.active--;
		}
	}
}

/** Maps with bounded concurrency, keeping results in input order. */
export async function mapLimited<T, R>(values: T[], limit: number, map: (value: T, index: number) => Promise<R>): Promise<R[]> {
	const limiter = new Limiter(Math.max(1, limit));
	return await Promise.all(values.map(async (value, index) => await limiter.run(async () => await map(value, index))));
}
