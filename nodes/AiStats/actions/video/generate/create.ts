import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { asNodeError, isInlineWebhookRefused } from '../../../../shared/errors';
import { createVideo } from '../../../../shared/gateway';
import type { VideoJob } from '../../../../shared/video';
import { withInlineImage } from './inline';

/**
 * Sends one create. An inline image is read only now, so at most Concurrency images are in
 * memory at once; anything that serialises the body earlier sees the redacted form.
 */
export function jobSender(ctx: IExecuteFunctions) {
	return async (body: IDataObject, itemIndex: number): Promise<VideoJob> => await createVideo(ctx, await withInlineImage(body), itemIndex);
}

/** How Webhook (Resume) sends its creates: with this execution's callback while the gateway takes it. */
export interface WebhookSender {
	send: (body: IDataObject, itemIndex: number) => Promise<VideoJob>;
	/** Whether the gateway refused the inline callback: the caller then waits by polling. */
	refused: () => boolean;
}

/**
 * The production gateway refuses inline webhook URLs (a 400 before anything is created): the item
 * is sent again without the callback, and once one is refused the rest go without it.
 */
export function inlineWebhookSender(ctx: IExecuteFunctions): WebhookSender {
	let refused = false;
	const sendJob = jobSender(ctx);
	const withoutWebhook = (body: IDataObject): IDataObject => {
		const copy = { ...body };
		delete copy.webhook;
		return copy;
	};
	return {
		refused: () => refused,
		send: async (body, itemIndex) => {
			if (!refused || body.webhook === undefined) {
				try {
					return await sendJob(body, itemIndex);
				} catch (error) {
					if (!isInlineWebhookRefused(error)) throw asNodeError(ctx.getNode(), error, itemIndex);
					if (!refused) ctx.logger.warn('AI Stats: the gateway does not accept inline webhook URLs; waiting by polling instead');
					refused = true;
				}
			}
			return await sendJob(withoutWebhook(body), itemIndex);
		},
	};
}
