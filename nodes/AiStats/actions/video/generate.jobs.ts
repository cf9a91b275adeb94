import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapLimited } from '../../../shared/concurrency';
import { gatewayRequest } from '../../../shared/transport';
import type { VideoJob } from '../../../shared/video';
import { asNodeError } from '../../../shared/errors';
import { rethrowIfCancelled } from '../../helpers/items';
import { toList } from '../../helpers/parameters';
import { isPrivateHost, redactUrl } from '../../../shared/urls';
import { buildCreateBody, CreateRequestError, type FieldProblem, type GenerateInput, type ReferenceInput } from './createBody';
import { checkAgainstModel, type CatalogueEntry } from './modelCheck';
import { cachedCatalogue } from './catalogueCache';

/** Reading Generate's fields and creating the jobs: shared by every wait mode. */

export type WaitMode = 'none' | 'poll' | 'webhook';

interface ReferenceParameter {
	source?: 'url' | 'binary';
	binaryPropertyName?: string;
	url?: string;
	mediaType?: 'image' | 'video' | 'audio';
	role?: string;
	referenceType?: string;
}

const MEDIA_MIME_PREFIX: Record<ReferenceInput['media'], string> = { image: 'image/', video: 'video/', audio: 'audio/' };

/**
 * A binary of the input item as a URL the gateway can fetch: n8n's own signed link, valid for
 * `lifetimeMinutes`. The gateway only fetches public https URLs, so anything else is refused
 * here with what to configure, unless private URLs are explicitly allowed (self-hosted gateway).
 */
function signedBinaryUrl(
	ctx: IExecuteFunctions,
	itemIndex: number,
	reference: ReferenceParameter,
	position: number,
	lifetimeMinutes: number,
	allowPrivate: boolean,
): string {
	const field = `Input Reference ${position + 1}`;
	const property = (reference.binaryPropertyName ?? 'data').trim() || 'data';
	const media = reference.mediaType ?? 'image';
	const binary: IBinaryData = ctx.helpers.assertBinaryData(itemIndex, property);
	if (!binary.mimeType?.startsWith(MEDIA_MIME_PREFIX[media])) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${field}: binary field "${property}" is ${binary.mimeType || 'of unknown type'}, but the reference is set to ${media}`,
			{ itemIndex, description: `Use a ${media} file (${MEDIA_MIME_PREFIX[media]}*) or change the reference's Media Type.` },
		);
	}
	if (!binary.id || typeof ctx.helpers.createBinarySignedUrl !== 'function') {
		throw new NodeOperationError(ctx.getNode(), `${field}: n8n cannot make a signed link for binary field "${property}"`, {
			itemIndex,
			description:
				'Signed links need binary data stored in filesystem or S3 mode (N8N_DEFAULT_BINARY_DATA_MODE=filesystem) and n8n 1.x or newer. Or upload the file elsewhere and pass its https URL.',
		});
	}
	const url = ctx.helpers.createBinarySignedUrl(binary, `${Math.ceil(lifetimeMinutes)}m`);
	let host = '';
	let protocol = '';
	try {
		({ hostname: host, protocol } = new URL(url));
	} catch {
		protocol = '';
	}
	if (!allowPrivate && (protocol !== 'https:' || isPrivateHost(host))) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${field}: the gateway cannot fetch binary field "${property}" from ${redactUrl(url)}`,
			{
				itemIndex,
				description:
					'n8n signs links on its own public address, and the gateway only fetches public https URLs. Set n8n\'s WEBHOOK_URL (and N8N_EDITOR_BASE_URL) to its public https address, or pass the image as a URL (e.g. after uploading it to S3 or Drive).',
			},
		);
	}
	return url;
}

/** How long a binary reference's signed link must live: the whole wait, with a margin. */
function referenceLifetimeMinutes(ctx: IExecuteFunctions, itemIndex: number): number {
	const mode = ctx.getNodeParameter('waitForCompletion', itemIndex, 'poll') as WaitMode;
	if (mode === 'none') return 24 * 60;
	const waitOptions = ctx.getNodeParameter('waitOptions', itemIndex, {}) as IDataObject;
	const maxWaitMinutes = Number(waitOptions.maxWaitMinutes ?? 30);
	return (Number.isFinite(maxWaitMinutes) && maxWaitMinutes > 0 ? maxWaitMinutes : 30) + 60;
}

/** Reads one item's fields into the input of buildCreateBody. */
export async function readGenerateInput(
	ctx: IExecuteFunctions,
	itemIndex: number,
	webhook?: GenerateInput['webhook'],
): Promise<GenerateInput> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const routing = ctx.getNodeParameter('providerRouting', itemIndex, {}) as IDataObject;
	const referenceValues = ctx.getNodeParameter('inputReferences.reference', itemIndex, []) as ReferenceParameter[];
	const references: ReferenceInput[] = referenceValues.map((reference, position) => ({
		url:
			reference.source === 'binary'
				? signedBinaryUrl(ctx, itemIndex, reference, position, referenceLifetimeMinutes(ctx, itemIndex), options.allowPrivateReferenceUrls === true)
				: (reference.url ?? ''),
		media: reference.mediaType ?? 'image',
		role: reference.role || undefined,
		referenceType: reference.referenceType,
	}));
	return {
		model: String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? ''),
		prompt: ctx.getNodeParameter('prompt', itemIndex, '') as string,
		duration: options.duration,
		size: options.size as string | undefined,
		resolution: options.resolution as string | undefined,
		aspectRatio: options.aspectRatio as string | undefined,
		seed: options.seed,
		sampleCount: options.sampleCount,
		negativePrompt: options.negativePrompt as string | undefined,
		generateAudio: options.generateAudio as boolean | undefined,
		enhancePrompt: options.enhancePrompt as boolean | undefined,
		compressionQuality: options.compressionQuality,
		personGeneration: options.personGeneration as string | undefined,
		resizeMode: options.resizeMode as string | undefined,
		providerParams: options.providerParams,
		outputAccess: options.outputAccess as string | undefined,
		references,
		allowHttpReferences: options.allowPrivateReferenceUrls === true,
		providerOrder: toList(routing.order),
		providerOnly: toList(routing.only),
		providerIgnore: toList(routing.ignore),
		includeAlphaProviders: routing.includeAlpha as boolean | undefined,
		webhook: webhook ?? (await notifyWebhook(ctx, itemIndex)),
	};
}

/** The optional "Notify Webhook" of the Don't Wait / Poll modes. */
async function notifyWebhook(ctx: IExecuteFunctions, itemIndex: number): Promise<GenerateInput['webhook']> {
	const mode = ctx.getNodeParameter('waitForCompletion', itemIndex, 'poll') as WaitMode;
	if (mode === 'webhook') return undefined;
	const settings = ctx.getNodeParameter('notifyWebhook', itemIndex, {}) as { url?: string; endpointId?: string; events?: string[] };
	const url = settings.url?.trim();
	const endpointId = settings.endpointId?.trim();
	if (url && endpointId) {
		throw new NodeOperationError(ctx.getNode(), 'Notify Webhook: set either URL or Endpoint ID, not both', { itemIndex });
	}
	if (endpointId) return { endpointId, events: settings.events };
	if (!url) return undefined;
	const credentials = await ctx.getCredentials('aiStatsApi');
	return { url, secret: String(credentials.webhookSecret ?? ''), events: settings.events };
}

/** Per input item: the request body, or why it cannot be sent. */
export type PreparedItem = { itemIndex: number; body: IDataObject } | { itemIndex: number; error: Error };

/** The model catalogue, read at most once per execution (and cached briefly across them); undefined when unavailable. */
function catalogueLoader(ctx: IExecuteFunctions): () => Promise<CatalogueEntry[] | undefined> {
	let loading: Promise<CatalogueEntry[] | undefined> | undefined;
	return async () => {
		loading ??= cachedCatalogue(ctx).then(
			(entries) => entries,
			(error: Error) => {
				// The check is a courtesy: an unavailable catalogue never blocks a job.
				ctx.logger.warn('AI Stats: model catalogue unavailable, skipping the model check', { error: error.message });
				return undefined;
			},
		);
		return await loading;
	};
}

function problemsError(ctx: IExecuteFunctions, itemIndex: number, problems: FieldProblem[], model?: string): NodeOperationError {
	const [first] = problems;
	const title = model ? `Model ${model} cannot take this request` : `Invalid ${first.field}`;
	return new NodeOperationError(ctx.getNode(), `${title}: ${first.field} ${first.message}`, {
		itemIndex,
		description: problems.map((problem) => `${problem.field} ${problem.message}`).join('\n'),
	});
}

export async function prepareBodies(
	ctx: IExecuteFunctions,
	webhookFor?: (itemIndex: number) => GenerateInput['webhook'],
): Promise<PreparedItem[]> {
	const prepared: PreparedItem[] = [];
	const catalogue = catalogueLoader(ctx);
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const input = await readGenerateInput(ctx, itemIndex, webhookFor?.(itemIndex));
			const body = buildCreateBody(input);
			const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
			if (options.checkModel !== false) {
				const entry = (await catalogue())?.find((model) => model.model === body.model);
				const problems = entry ? checkAgainstModel(body, entry) : [];
				if (problems.length > 0) throw problemsError(ctx, itemIndex, problems, entry?.model);
			}
			prepared.push({ itemIndex, body });
		} catch (error) {
			const failure = error instanceof CreateRequestError ? problemsError(ctx, itemIndex, error.problems) : (error as Error);
			if (!ctx.continueOnFail()) throw failure;
			prepared.push({ itemIndex, error: failure });
		}
	}
	return prepared;
}

export async function createJob(ctx: IExecuteFunctions, body: IDataObject, itemIndex: number): Promise<VideoJob> {
	return await gatewayRequest<VideoJob>(ctx, { method: 'POST', path: '/videos', body, retry: 'create', itemIndex });
}

export type CreatedItem = { itemIndex: number; job: VideoJob } | { itemIndex: number; error: Error };

/**
 * Creates every valid item's job (bounded concurrency). Failures stay per item when
 * `keepErrors` (Continue On Fail, or a caller that decides itself); otherwise the first one throws.
 */
export async function createJobs(
	ctx: IExecuteFunctions,
	prepared: PreparedItem[],
	concurrency: number,
	keepErrors = ctx.continueOnFail(),
): Promise<CreatedItem[]> {
	return await mapLimited(prepared, concurrency, async (entry): Promise<CreatedItem> => {
		if ('error' in entry) return entry;
		try {
			return { itemIndex: entry.itemIndex, job: await createJob(ctx, entry.body, entry.itemIndex) };
		} catch (error) {
			rethrowIfCancelled(ctx, error);
			if (!keepErrors) throw asNodeError(ctx.getNode(), error, entry.itemIndex);
			return { itemIndex: entry.itemIndex, error: error as Error };
		}
	});
}

/** Without Continue On Fail, the first failed item stops the node. */
export function throwFirstFailure(ctx: IExecuteFunctions, created: CreatedItem[]): void {
	if (ctx.continueOnFail()) return;
	const failed = created.find((entry): entry is { itemIndex: number; error: Error } => 'error' in entry);
	if (failed) throw asNodeError(ctx.getNode(), failed.error, failed.itemIndex);
}
