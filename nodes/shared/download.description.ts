import type { INodeProperties } from 'n8n-workflow';

/** Download options shared by Download, Generate (with Download Video) and the trigger. */

export const verifyChecksumOption: INodeProperties = {
	displayName: 'Verify Checksum',
	name: 'verifyChecksum',
	type: 'boolean',
	default: true,
	description:
		'Whether to compute the SHA-256 of the file while it downloads (output as sha256) and compare it with the job\'s asset when the gateway reports one. The size is always checked against Content-Length and the asset\'s size when known; verified_against lists what was compared.',
};

export const downloadIdleTimeoutOption: INodeProperties = {
	displayName: 'Download Idle Timeout (Seconds)',
	name: 'downloadIdleTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	// DEFAULT_IDLE_TIMEOUT_MS in seconds (a literal: n8n's lint wants a literal default).
	default: 30,
	description: 'Give up on a download that sends no data for this long; raise it for slow links',
};

/** The idle timeout option in milliseconds (undefined = the default). */
export function idleTimeoutMs(seconds: unknown): number | undefined {
	const value = Number(seconds);
	return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
}
