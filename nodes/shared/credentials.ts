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
		credentials = ctx.getCredentials(CREDENTIAL_NAME);
		perRun.set(ctx, credentials);
		// A failed read is not kept: the next reader asks n8n again (and gets n8n's error).
		credentials.catch(() => perRun.delete(ctx));
	}
	return await credentials;
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
