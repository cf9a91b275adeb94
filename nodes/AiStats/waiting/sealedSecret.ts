import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The signing secret of a parked batch, sealed for n8n's custom execution data (which the n8n UI
 * shows in plain text). AES-256-GCM under a key derived (HKDF-SHA256) from the credential's
 * inference key and the execution id: readable only by a node holding the same inference key,
 * for this execution only. Rotating the inference key while an execution is parked makes its
 * callbacks unverifiable: they are refused and the wait ends at Max Wait.
 */

const INFO = 'n8n-nodes-ai-stats parked batch secret v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealingKey(apiKey: string, executionId: string): Buffer {
	return Buffer.from(hkdfSync('sha256', Buffer.from(apiKey, 'utf8'), Buffer.from(`execution:${executionId}`, 'utf8'), INFO, 32));
}

export function sealSecret(secret: string, apiKey: string, executionId: string): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', sealingKey(apiKey, executionId), iv);
	const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The secret, or undefined when the seal was made with another key or execution, or altered. */
export function openSealedSecret(sealed: string, apiKey: string, executionId: string): string | undefined {
	try {
		const bytes = Buffer.from(sealed, 'base64url');
		if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
		const decipher = createDecipheriv('aes-256-gcm', sealingKey(apiKey, executionId), bytes.subarray(0, IV_BYTES));
		decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
		return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}

/** A fresh random signing secret for an inline (documented-form) callback: one per parked batch. */
export function newCallbackSecret(): string {
	return `whsec_${randomBytes(32).toString('base64url')}`;
}
