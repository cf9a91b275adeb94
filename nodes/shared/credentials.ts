import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

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
 * read for a few seconds. Short enough that an edited credential is used by the next burst, and the
 * shared copy is dropped when that time is up.
 */
const SHARED_READ_MS = 5_000;
const sharedReads = new Map<string, Promise<ICredentialDataDecryptedObject>>();

/** Makes `ctx` use the read shared under `key`, made now when there is none from the last SHARED_READ_MS. */
export function shareCredentialRead(ctx: CredentialFunctions, key: string): void {
	let read = sharedReads.get(key);
	if (!read) {
		const made = ctx.getCredentials(CREDENTIAL_NAME);
		sharedReads.set(key, made);
		const forget = () => {
			if (sharedReads.get(key) === made) sharedReads.delete(key);
		};
		// A failed read is not shared: the next callback asks n8n again (and gets n8n's error).
		made.catch(forget);
		void sleep(SHARED_READ_MS).then(forget);
		read = made;
	}
	perRun.set(ctx, read);
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
