import type { IDataObject, IWebhookFunctions, IWebhookResponseData, INodeExecutionData } from 'n8n-workflow';

import { downloadVideo, fileFacts } from '../shared/binary';
import { readWebhookSecret } from '../shared/credentials';
import { idleTimeoutMs } from '../shared/download.description';
import { normalizeEventName } from '../shared/events';
import { DEFAULT_TOLERANCE_SECONDS, WEBHOOK_HEADERS } from '../shared/signature';
import { eventHeader, receiveSignedEvent, respond } from '../shared/signedEvent';
import { costFields, normalizeStatus, videoFileName, withoutSignedLinks, type VideoJob } from '../shared/video';
import type { EndpointState } from './endpoints';

/** Redelivered event ids remembered for dropping duplicates (bounded, oldest forgotten first). */
const SEEN_EVENTS_LIMIT = 500;
const SEEN_EVENTS_TTL_SECONDS = 24 * 60 * 60;

interface TriggerOptions {
	downloadVideo?: boolean;
	downloadIdleTimeout?: number;
	dropDuplicates?: boolean;
	binaryPropertyName?: string;
	toleranceSeconds?: number;
	includeSignedLinks?: boolean;
}

/** True when `eventId` was seen recently; records it otherwise. */
function seenBefore(staticData: IDataObject, eventId: string): boolean {
	const now = Math.floor(Date.now() / 1000);
	const seen = ((staticData.seenEvents as Array<[string, number]> | undefined) ?? []).filter(
		([, at]) => now - at < SEEN_EVENTS_TTL_SECONDS,
	);
	if (seen.some(([id]) => id === eventId)) {
		staticData.seenEvents = seen;
		return true;
	}
	seen.push([eventId, now]);
	staticData.seenEvents = seen.slice(-SEEN_EVENTS_LIMIT);
	return false;
}

export async function handleDelivery(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const secretSource = ctx.getNodeParameter('secretSource', 'sharedSecret') as string;
	const events = (ctx.getNodeParameter('events', []) as string[]).map(normalizeEventName);
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const staticData = ctx.getWorkflowStaticData('node') as EndpointState;

	const sharedSecret = await readWebhookSecret(ctx);
	const secret = secretSource === 'registeredEndpoint' ? (staticData.signingSecret ?? '') : sharedSecret;
	if (!secret) {
		ctx.logger.error('AI Stats Trigger: no signing secret configured, delivery refused');
		return respond(ctx, 500, { error: 'trigger_not_configured', message: 'No signing secret is configured for this trigger' });
	}

	const receipt = receiveSignedEvent(ctx, secret, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, 'AI Stats Trigger: refused a delivery');
	if (!receipt.ok) return receipt.response;
	const { event } = receipt;

	const type = normalizeEventName(String(event.type ?? eventHeader(ctx, WEBHOOK_HEADERS.eventType) ?? ''));
	if (!events.includes(type)) return respond(ctx, 200, { received: true, ignored: 'event_not_selected' });

	const eventId = String(event.id ?? eventHeader(ctx, WEBHOOK_HEADERS.eventId) ?? '');
	if (options.dropDuplicates !== false && eventId && seenBefore(staticData, eventId)) {
		return respond(ctx, 200, { received: true, ignored: 'duplicate' });
	}

	const job = ((event.data ?? {}) as IDataObject) as VideoJob;
	const delivery = (event.delivery ?? {}) as IDataObject;
	const json: IDataObject = {
		event_id: eventId,
		type,
		created_at: event.created_at ?? null,
		video_id: job.id ?? null,
		status: normalizeStatus(job.status),
		request_id: job.request_id ?? null,
		delivery: {
			key: delivery.key ?? eventHeader(ctx, WEBHOOK_HEADERS.deliveryKey) ?? null,
			attempt: Number(delivery.attempt ?? eventHeader(ctx, WEBHOOK_HEADERS.attempt) ?? 1),
			max_attempts: Number(delivery.max_attempts ?? eventHeader(ctx, WEBHOOK_HEADERS.maxAttempts) ?? 1),
		},
		...(event.status_change ? { status_change: event.status_change } : {}),
		...(job.id ? costFields(job) : {}),
		...(staticData.endpointId ? { endpoint_id: staticData.endpointId } : {}),
		data: options.includeSignedLinks ? job : withoutSignedLinks(job),
	};

	if (!(options.downloadVideo && type === 'video.completed' && job.id)) {
		return { workflowData: [ctx.helpers.returnJsonArray([json])] };
	}

	// Acknowledge first: a long download must not run into the gateway's 30 s timeout.
	ctx.getResponseObject().status(200).json({ received: true });
	const item: INodeExecutionData = { json };
	try {
		const downloaded = await downloadVideo(ctx, {
			videoId: job.id,
			fileName: videoFileName(job.id, 0, 1),
			signedUrl: typeof job.download_url === 'string' ? job.download_url : undefined,
			idleTimeoutMs: idleTimeoutMs(options.downloadIdleTimeout),
			itemIndex: 0,
		});
		item.binary = { [options.binaryPropertyName || 'data']: downloaded.binary };
		json.download_source = downloaded.source;
		Object.assign(json, fileFacts(downloaded));
	} catch (error) {
		// The event still starts the workflow; the item says why there is no file.
		json.download_error = (error as Error).message;
	}
	return { noWebhookResponse: true, workflowData: [[item]] };
}
