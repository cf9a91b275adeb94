import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

/** The one credential both nodes use, and the one reader of each of its fields. */

export const CREDENTIAL_NAME = 'aiStatsApi';
export const DEFAULT_BASE_URL = 'https://api.phaseo.app/v1';

export type CredentialFunctions = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/**
 * The credential, read once per node run (one context object) and shared by every request and
 * field reader of that run: n8n loads, decrypts and resolves a credential on every
 * `getCredentials` call, several milliseconds each time.
 */
const perRun = new WeakMap<object, Promise<ICredentialDataDecryptedObject>>();

export async function readCredential(ctx: CredentialFunctions): Promise<ICredentialDataDecryptedObject> {
	let credentials = perRun.get(ctx);
	if (!credentials) {
		if (sharedReads.size > 0) dropOldSharedReads(Date.now());
		credentials = ctx.getCredentials(CREDENTIAL_NAME);
		perRun.set(ctx, credentials);
		// A failed read is not kept: the next reader asks n8n again (and gets n8n's error).
		credentials.catch(() => perRun.delete(ctx));
	}
	return await credentials;
}

/**
 * The callbacks of one parked batch arrive together (one per job: 50 at once for 50 jobs), each a
 * node run of its own. On n8n 2.x every credential read also sets up and disposes of an expression
 * sandbox, which during such a burst is created cold for each read; so these callbacks share one
 * read for a few seconds: short enough that an edited credential is used by the next burst. An
 * older shared read is dropped by the next credential read of these nodes (no timers in node code).
 */
const SHARED_READ_MS = 5_000;
const sharedReads = new Map<string, { until: number; read: Promise<ICredentialDataDecryptedObject> }>();

function dropOldSharedReads(now: number): void {
	for (const [key, entry] of sharedReads) if (entry.until <= now) sharedReads.delete(key);
}

/** Makes `ctx` use the read shared under `key`, made now when there is none from the last SHARED_READ_MS. */
export function shareCredentialRead(ctx: CredentialFunctions, key: string): void {
	const now = Date.now();
	dropOldSharedReads(now);
	let entry = sharedReads.get(key);
	if (!entry) {
		const made = { until: now + SHARED_READ_MS, read: ctx.getCredentials(CREDENTIAL_NAME) };
		sharedReads.set(key, made);
		// A failed read is not shared: the next callback asks n8n again (and gets n8n's error).
		made.read.catch(() => {
			if (sharedReads.get(key) === made) sharedReads.delete(key);
		});
		entry = made;
	}
	perRun.set(ctx, entry.read);
}

/** The Base URL without trailing slashes; the production gateway when left empty. */
export async function readBaseUrl(ctx: CredentialFunctions): Promise<string> {
	const credentials = await readCredential(ctx);
	const baseUrl = typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim() !== '' ? credentials.baseUrl : DEFAULT_BASE_URL;
	return baseUrl.trim().replace(/\/+$/, '');
}

/** The Webhook Signing Secret exactly as entered; '' when none is set. */
export async function readWebhookSecret(ctx: CredentialFunctions): Promise<string> {
	const credentials = await readCredential(ctx);
	return typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret : '';
}

/** The optional Management Key (registers webhook endpoints); '' when none is set. */
export async function readManagementKey(ctx: CredentialFunctions): Promise<string> {
	const credentials = await readCredential(ctx);
	return typeof credentials.managementKey === 'string' ? credentials.managementKey.trim() : '';
}

/** The inference key exactly as entered ('' when none): the key material that seals a parked batch's secret. */
export async function readApiKey(ctx: CredentialFunctions): Promise<string> {
	const credentials = await readCredential(ctx);
	return typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
}
