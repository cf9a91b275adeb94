import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { WEBHOOK_HEADERS, verifySignature } from './signature';

/**
 * Receiving a signed gateway event, for the AI Stats Trigger and Generate's resume webhook alike:
 * raw body, size limit, signature and timestamp, JSON object. A refused delivery is answered here.
 */

/** n8n answers on receipt, but the body is read here first: refuse anything this large. */
const MAX_EVENT_BYTES = 1024 * 1024;

export type EventReceipt = { ok: true; event: IDataObject } | { ok: false; response: IWebhookResponseData };

/** Answers the delivery now; the node returns `noWebhookResponse` (and any items) after. */
export function respond(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/** A delivery header (the first value when repeated). */
export function eventHeader(ctx: IWebhookFunctions, name: string): string | undefined {
	const value = ctx.getHeaderData()[name];
	return Array.isArray(value) ? value[0] : value;
}

function refuse(ctx: IWebhookFunctions, status: number, body: IDataObject): EventReceipt {
	return { ok: false, response: respond(ctx, status, body) };
}

/** `refusedLog` names the receiver in the warning logged for a bad signature. */
export function receiveSignedEvent(ctx: IWebhookFunctions, secret: string, toleranceSeconds: number, refusedLog: string): EventReceipt {
	const rawBody = (ctx.getRequestObject() as { rawBody?: Buffer }).rawBody;
	if (!rawBody || rawBody.length === 0) return refuse(ctx, 400, { error: 'empty_body' });
	if (rawBody.length > MAX_EVENT_BYTES) return refuse(ctx, 413, { error: 'payload_too_large' });

	const check = verifySignature({
		secret,
		rawBody,
		signature: eventHeader(ctx, WEBHOOK_HEADERS.signature),
		timestamp: eventHeader(ctx, WEBHOOK_HEADERS.timestamp),
		toleranceSeconds,
	});
	if (!check.valid) {
		ctx.logger.warn(refusedLog, { reason: check.reason });
		return refuse(ctx, 401, { error: 'invalid_signature', reason: check.reason });
	}

	let event: IDataObject;
	try {
		event = JSON.parse(rawBody.toString('utf8')) as IDataObject;
	} catch {
		return refuse(ctx, 400, { error: 'invalid_json' });
	}
	if (!event || typeof event !== 'object' || Array.isArray(event)) return refuse(ctx, 400, { error: 'invalid_event' });
	return { ok: true, event };
}
