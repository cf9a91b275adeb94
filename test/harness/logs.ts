/**
 * A logger that keeps every message n8n (and the nodes under test) log during a test run,
 * so tests can assert on them — above all that no secret ever reaches a log line.
 *
 * It replaces both channels n8n logs through: the `Logger` service in the DI container
 * (used by `this.logger` in node contexts, the ErrorReporter, the binary data service…)
 * and n8n-workflow's `LoggerProxy` (used by WorkflowExecute and n8n-workflow itself).
 */
import type { LogMetadata, Logger as WorkflowLogger } from 'n8n-workflow';
import { inspect } from 'node:util';

export type HarnessLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface HarnessLogEntry {
	level: HarnessLogLevel;
	message: string;
	metadata?: LogMetadata;
	/** The logger scopes n8n code asked for with `logger.scoped(...)`. */
	scopes: string[];
}

const captured: HarnessLogEntry[] = [];

export class CapturingLogger implements WorkflowLogger {
	constructor(private readonly scopes: string[] = []) {}

	error(message: string, metadata?: LogMetadata) {
		this.record('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata) {
		this.record('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata) {
		this.record('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata) {
		this.record('debug', message, metadata);
	}

	/** n8n services call `logger.scoped('binary-data')` etc.; keep the scope for filtering. */
	scoped(scopes: string | string[]): CapturingLogger {
		return new CapturingLogger([...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])]);
	}

	private record(level: HarnessLogLevel, message: string, metadata?: LogMetadata) {
		captured.push({ level, message: String(message), metadata, scopes: this.scopes });
	}
}

/** Everything logged since the process started. */
export function harnessLogs(): readonly HarnessLogEntry[] {
	return captured;
}

/**
 * All captured log entries rendered as one string, metadata included (errors with their
 * stacks and causes), for `expect(harnessLogText()).not.toContain(secret)`.
 */
export function harnessLogText(): string {
	return captured
		.map((entry) => {
			const metadata =
				entry.metadata === undefined
					? ''
					: ` ${inspect(entry.metadata, { depth: 8, breakLength: Infinity, showHidden: false })}`;
			return `[${entry.level}] ${entry.message}${metadata}`;
		})
		.join('\n');
}
