/** The gateway's webhook event vocabulary: the one list every event name comes from. */
export const VIDEO_EVENTS = [
	{ value: 'video.created', name: 'Created', description: 'A job was accepted', terminal: false },
	{ value: 'video.status_changed', name: 'Status Changed', description: 'Any status change', terminal: false },
	{ value: 'video.progress', name: 'Progress', description: 'Progress in 10% steps', terminal: false },
	{ value: 'video.completed', name: 'Completed', description: 'A video is ready', terminal: true },
	{ value: 'video.failed', name: 'Failed', description: 'A job failed', terminal: true },
	{ value: 'video.cancelled', name: 'Cancelled', description: 'A job was cancelled', terminal: true },
	{ value: 'video.expired', name: 'Expired', description: 'A job expired before finishing', terminal: true },
] as const;

export type VideoEvent = (typeof VIDEO_EVENTS)[number]['value'];

export const EVENT_NAMES: readonly VideoEvent[] = VIDEO_EVENTS.map((event) => event.value);

/** The events of a job's end: what resumes a parked Generate. */
export const TERMINAL_EVENTS: readonly VideoEvent[] = VIDEO_EVENTS.filter((event) => event.terminal).map((event) => event.value);

/** The trigger's default selection: the terminal events, in the order the node has always shown them. */
export const TRIGGER_DEFAULT_EVENTS: readonly VideoEvent[] = ['video.completed', 'video.failed', 'video.expired', 'video.cancelled'];

/** The events as UI options, sorted by name; with their descriptions where the UI shows them. */
export function eventOptions(withDescriptions: boolean): Array<{ name: string; value: string; description?: string }> {
	return VIDEO_EVENTS.map(({ name, value, description }) => (withDescriptions ? { name, value, description } : { name, value })).sort(
		(a, b) => a.name.localeCompare(b.name),
	);
}

/** Normalises `job.X` / bare `X` subscriptions to the delivered `video.X` names. */
export function normalizeEventName(name: string): string {
	const bare = name.replace(/^(video|job)\./, '');
	return `video.${bare}`;
}
