import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a gateway webhook delivery (lower-case, as Node exposes them). */
export const WEBHOOK_HEADERS = {
	eventId: 'x-phaseo-event-id',
	eventType: 'x-phaseo-event-type',
	deliveryKey: 'x-phaseo-delivery-key',
	attempt: 'x-phaseo-attempt',
	maxAttempts: 'x-phaseo-max-attempts',
	timestamp: 'x-phaseo-timestamp',
	signature: 'x-phaseo-signature',
} as const;

export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureCheck =
	| { valid: true; timestamp: number }
	| { valid: false; reason: 'missing_secret' | 'missing_signature' | 'missing_timestamp' | 'invalid_timestamp' | 'stale_timestamp' | 'malformed_signature' | 'signature_mismatch' };

export interface SignatureInput {
	secret: string;
	rawBody: Buffer | string;
	signature: string | string[] | undefined;
	timestamp: string | string[] | undefined;
	toleranceSeconds?: number;
	nowSeconds?: number;
}

function single(value: string | string[] | undefined): string | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/** Lower-case hex HMAC-SHA256 of `<timestamp>.<raw body>`, keyed with the secret exactly as issued. */
export function computeSignature(secret: string, timestamp: string | number, rawBody: Buffer | string): string {
	const hmac = createHmac('sha256', secret);
	hmac.update(`${timestamp}.`);
	hmac.update(rawBody);
	return hmac.digest('hex');
}

/**
 * Verifies a delivery against the raw bytes: accepts `sha256=` prefixes and upper-case hex,
 * compares in constant time and refuses timestamps outside the tolerance (replays).
 */
export function verifySignature(input: SignatureInput): SignatureCheck {
	if (!input.secret) return { valid: false, reason: 'missing_secret' };
	const signatureHeader = single(input.signature);
	if (!signatureHeader) return { valid: false, reason: 'missing_signature' };
	const timestampHeader = single(input.timestamp);
	if (!timestampHeader) return { valid: false, reason: 'missing_timestamp' };
	if (!/^\d{1,12}$/.test(timestampHeader)) return { valid: false, reason: 'invalid_timestamp' };
	const timestamp = Number(timestampHeader);
	const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
	const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: 'stale_timestamp' };

	const candidate = signatureHeader.replace(/^sha256=/i, '').toLowerCase();
	if (!/^[0-9a-f]{64}$/.test(candidate)) return { valid: false, reason: 'malformed_signature' };
	const expected = Buffer.from(computeSignature(input.secret, timestampHeader, input.rawBody), 'hex');
	const received = Buffer.from(candidate, 'hex');
	if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
		return { valid: false, reason: 'signature_mismatch' };
	}
	return { valid: true, timestamp };
}
