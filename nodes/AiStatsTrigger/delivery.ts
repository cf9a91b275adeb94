import type { IDataObject, IWebhookFunctions, IWebhookResponseData, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { downloadVideo, fileFacts } from '../shared/binary';
import { readWebhookSecret } from '../shared/credentials';
import { idleTimeoutMs } from '../shared/download.description';
import { normalizeEventName } from '../shared/events';
import { DEFAULT_TOLERANCE_SECONDS, WEBHOOK_HEADERS } from '../shared/signature';
import { eventHeader, receiveSignedEvent, respond } from '../shared/signedEvent';
import { costFields, failureFields, normalizeStatus, videoFileName, withoutSignedLinks, type VideoJob } from '../shared/video';
import type { EndpointState } from './endpoints';
import { claimEvent, persistClaims } from './seenEvents';

/** Default bound on the video download: the execution starts by then, with the file or without. */
export const DEFAULT_DOWNLOAD_LIMIT_SECONDS = 90;

interface TriggerOptions {
	downloadVideo?: boolean;
	downloadTimeLimit?: number;
	downloadIdleTimeout?: number;
	dropDuplicates?: boolean;
	binaryPropertyName?: string;
	toleranceSeconds?: number;
	includeSignedLinks?: boolean;
}

type Downloaded = Awaited<ReturnType<typeof downloadVideo>>;

/**
 * The download, bounded: resolves with the file, or with the reason there is none (failure, or
 * the time limit). The event was acknowledged already, so it must start its execution either way.
 * A download still running at the limit is left to end on its own (binary.ts bounds each body).
 */
async function boundedDownload(run: Promise<Downloaded>, limitSeconds: number): Promise<{ file?: Downloaded; error?: string }> {
	const stop = new AbortController();
	const outcome = await Promise.race([
		run.then(
			(file) => ({ file }),
			(error: Error) => ({ error: error.message }),
		),
		sleep(limitSeconds * 1000, stop.signal).then(
			() => ({ error: `The video download did not finish within ${limitSeconds} s (option "Download Time Limit"); the execution started without the file` }),
			() => ({ error: 'cancelled' }),
		),
	]);
	// n8n-workflow 2.x clears the timer on abort; 1.x lets it run out (harmless).
	stop.abort();
	return outcome;
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
	const dedupe = options.dropDuplicates !== false && eventId !== '';
	// Scoped per workflow, node and mode: a test-URL delivery does not hide the production one.
	const scope = `${ctx.getWorkflow().id ?? ''}\u0000${ctx.getNode().name}\u0000${ctx.getMode()}`;
	if (dedupe && !claimEvent(scope, staticData, eventId)) {
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
		...(job.id ? failureFields(job) : {}),
		...(staticData.endpointId ? { endpoint_id: staticData.endpointId } : {}),
		data: options.includeSignedLinks ? job : withoutSignedLinks(job),
	};
	const item: INodeExecutionData = { json };

	// Acknowledged now: the gateway's 30 s timeout never waits for a download, and the event
	// starts its execution below whatever the download does.
	respond(ctx, 200, { received: true });
	if (options.downloadVideo && type === 'video.completed' && job.id) {
		const limit = options.downloadTimeLimit && options.downloadTimeLimit > 0 ? options.downloadTimeLimit : DEFAULT_DOWNLOAD_LIMIT_SECONDS;
		const { file, error } = await boundedDownload(
			downloadVideo(ctx, {
				videoId: job.id,
				fileName: videoFileName(job.id, 0, 1),
				signedUrl: typeof job.download_url === 'string' ? job.download_url : undefined,
				idleTimeoutMs: idleTimeoutMs(options.downloadIdleTimeout),
				maxDurationMs: limit * 1000,
				itemIndex: 0,
			}),
			limit,
		);
		if (file) {
			item.binary = { [options.binaryPropertyName || 'data']: file.binary };
			json.download_source = file.source;
			Object.assign(json, fileFacts(file));
		} else {
			// The event still starts the workflow; the item says why there is no file.
			json.download_error = error;
		}
	}
	// Last, after any await: this write carries every id this process has claimed (see seenEvents).
	// `noWebhookResponse` makes n8n save static data as soon as this returns (1.x and 2.x).
	if (dedupe) persistClaims(scope, staticData);
	return { noWebhookResponse: true, workflowData: [[item]] };
}
