/** Gateway simulator: the create-request validator as a pure function (used for property-style comparisons). */
import { normalizeWebhookEvent, normalizeWebhookEvents, validateCreate } from '../lib/validate';

const base = { model: 'google/veo-3.1', prompt: 'A teddy bear playing electric guitar on stage' };
const paths = (body: unknown, options?: Parameters<typeof validateCreate>[1]) => validateCreate(body, options).map((problem) => problem.path.join('.'));

describe('validateCreate', () => {
	it('accepts minimal and maximal valid bodies', () => {
		expect(validateCreate(base)).toEqual([]);
		expect(
			validateCreate({
				...base,
				duration: 120,
				resolution: '4K',
				aspect_ratio: '21:9',
				seed: -3,
				sample_count: 4,
				negative_prompt: '',
				generate_audio: true,
				enhance_prompt: false,
				compression_quality: 0,
				person_generation: 'allow_all',
				resize_mode: 'pad',
				input_references: [
					{ type: 'image_url', role: 'first_frame', reference_type: 'style', image_url: { url: 'https://example.com/a.png' } },
					{ type: 'video_url', role: 'source', media_url: { url: 'https://example.com/a.mp4' } },
					{ type: 'audio_url', media_url: { url: 'https://example.com/a.mp3' } },
				],
				provider_params: { style: { tone: 'noir' }, list: [1, 2] },
				output: { access: 'signed_url' },
				provider: { order: ['a'], only: [], ignore: ['b'], include_alpha: true, sort: 'price' },
				webhook: { endpoint_id: 'whep_1', events: ['completed', 'job.failed', 'video.progress', 'canceled'] },
				input_video_duration: 12.5,
				input_audio_duration: 2,
				echo_upstream_request: false,
				debug: { enabled: true, trace_level: 'full' },
				beta: {},
				routing: { only: ['x'] },
			}),
		).toEqual([]);
	});

	it('rejects non-objects', () => {
		for (const body of [null, [], 'x', 3, undefined]) expect(paths(body)).toEqual(['']);
	});

	it('tags a missing model as model_required and checks prompt', () => {
		expect(validateCreate({ prompt: 'x' })[0]).toMatchObject({ path: ['model'], code: 'model_required' });
		expect(validateCreate({ model: '', prompt: 'x' })[0].code).toBe('model_required');
		expect(validateCreate({ model: 3, prompt: 'x' })[0].code).toBe('invalid_type');
		expect(paths({ model: 'm' })).toEqual(['prompt']);
		expect(paths({ model: 'm', prompt: '' })).toEqual(['prompt']);
		expect(paths({ model: 'm', prompt: 5 })).toEqual(['prompt']);
	});

	it.each([
		[{ duration: 0 }, 'duration'],
		[{ duration: 121 }, 'duration'],
		[{ duration: 8.5 }, 'duration'],
		[{ duration: '8' }, 'duration'],
		[{ duration_seconds: 8 }, 'duration_seconds'],
		[{ seconds: 8 }, 'seconds'],
		[{ seed: 1.5 }, 'seed'],
		[{ sample_count: 0 }, 'sample_count'],
		[{ compression_quality: -1 }, 'compression_quality'],
		[{ input_video_duration: 0 }, 'input_video_duration'],
		[{ input_audio_duration: 21 }, 'input_audio_duration'],
		[{ size: '1280X720' }, 'size'],
		[{ resolution: '720P' }, 'resolution'],
		[{ aspect_ratio: '16/9' }, 'aspect_ratio'],
		[{ negative_prompt: null }, 'negative_prompt'],
		[{ enhance_prompt: 1 }, 'enhance_prompt'],
		[{ output: 'both' }, 'output'],
		[{ output: { access: 'url' } }, 'output.access'],
		[{ provider: [] }, 'provider'],
		[{ provider: { include_alpha: 'yes' } }, 'provider.include_alpha'],
		[{ debug: { trace_level: 'verbose' } }, 'debug.trace_level'],
		[{ beta: 1 }, 'beta'],
	])('rejects %j', (overrides, path) => {
		expect(paths({ ...base, ...overrides })).toContain(path);
	});

	it('rejects size combined with resolution or aspect_ratio', () => {
		expect(paths({ ...base, size: '1280x720', aspect_ratio: '16:9' })).toEqual(['size']);
		expect(paths({ ...base, size: '1280x720', resolution: '720p' })).toEqual(['size']);
		expect(paths({ ...base, resolution: '720p', aspect_ratio: '9:16' })).toEqual([]);
	});

	it('validates input references strictly', () => {
		const ref = (value: unknown) => paths({ ...base, input_references: [value] });
		expect(ref({ type: 'image_url', image_url: { url: 'https://x.test/a.png' }, extra: 1 })).toEqual(['input_references.0.extra']);
		expect(ref({ type: 'image_url', media_url: { url: 'https://x.test/a.png' } })).toContain('input_references.0.image_url');
		expect(ref({ type: 'video_url', image_url: { url: 'https://x.test/a.mp4' } })).toContain('input_references.0.media_url');
		expect(ref({ type: 'image_url', image_url: { url: 'ftp://x.test/a.png' } })).toEqual(['input_references.0.image_url.url']);
		expect(ref({ type: 'image_url', image_url: { url: 'not a url' } })).toEqual(['input_references.0.image_url.url']);
		expect(ref({ type: 'image_url', role: 'poster', image_url: { url: 'https://x.test/a.png' } })).toEqual(['input_references.0.role']);
		expect(ref({ type: 'text', text: 'x' })).toEqual(['input_references.0.type']);
		expect(ref('https://x.test/a.png')).toEqual(['input_references.0']);
		expect(paths({ ...base, input_references: {} })).toEqual(['input_references']);
		const http = { ...base, input_references: [{ type: 'image_url', image_url: { url: 'http://127.0.0.1/a.png' } }] };
		expect(paths(http)).toHaveLength(1);
		expect(paths(http, { allowHttpReferences: true })).toEqual([]);
	});

	it('keeps provider_params from overriding validated fields, at any depth for provider-controlled keys', () => {
		expect(paths({ ...base, provider_params: { model: 'x' } })).toEqual(['provider_params.model']);
		expect(paths({ ...base, provider_params: { negative_prompt: 'x' } })).toEqual(['provider_params.negative_prompt']);
		expect(paths({ ...base, provider_params: { nested: { aspectRatio: '1:1' } } })).toEqual(['provider_params.nested.aspectRatio']);
		expect(paths({ ...base, provider_params: { list: [{ callback_url: 'https://x' }] } })).toEqual(['provider_params.list.0.callback_url']);
		expect(paths({ ...base, provider_params: { 'Number-Of-Videos': 2 } })).toEqual(['provider_params.Number-Of-Videos']);
		expect(paths({ ...base, provider_params: { nested: { seed: 1 } } })).toEqual([]);
		expect(paths({ ...base, provider_params: [] })).toEqual(['provider_params']);
	});

	it('validates both webhook forms', () => {
		const hook = (webhook: unknown, options?: Parameters<typeof validateCreate>[1]) => paths({ ...base, webhook }, options);
		expect(hook({ url: 'http://127.0.0.1:8080/hook', secret: 's' })).toEqual([]);
		expect(hook({ url: 'https://example.com/hook', secret: 's', events: ['video.completed'] })).toEqual([]);
		expect(hook({ endpoint_id: 'whep_1' })).toEqual([]);
		expect(hook({ url: 'https://example.com/hook' })).toEqual(['webhook.secret']);
		expect(hook({ url: 'https://example.com/hook', secret: '  ' })).toEqual(['webhook.secret']);
		expect(hook({ endpoint_id: 'whep_1', url: 'https://example.com/hook', secret: 's' })).toEqual(['webhook']);
		expect(hook({ endpoint_id: 'whep_1', secret: 's' })).toEqual(['webhook.secret']);
		expect(hook({ endpoint_id: '' })).toEqual(['webhook.endpoint_id']);
		expect(hook({})).toEqual(['webhook.endpoint_id']);
		expect(hook({ endpoint_id: 'whep_1', events: 'completed' })).toEqual(['webhook.events']);
		expect(hook({ endpoint_id: 'whep_1', events: ['batch.completed'] })).toEqual(['webhook.events']);
		expect(hook({ endpoint_id: 'whep_1', events: ['batch.completed', 'video.completed'] })).toEqual([]);
		expect(hook({ endpoint_id: 'whep_1', extra: true })).toEqual(['webhook.extra']);
		expect(hook({ url: 'http://127.0.0.1/hook', secret: 's' }, { requireHttpsWebhooks: true })).toEqual(['webhook.url']);
		expect(hook({ url: 'https://10.0.0.5/hook', secret: 's' }, { requireHttpsWebhooks: true })).toEqual(['webhook.url']);
		expect(hook({ url: 'https://hooks.example.com/x', secret: 's' }, { requireHttpsWebhooks: true })).toEqual([]);
		// The production server's zod schema: endpoint_id Required, then unrecognized_keys on `webhook`.
		expect(hook({ url: 'https://example.com/hook', secret: 's' }, { acceptInlineWebhooks: false })).toEqual(['webhook.endpoint_id', 'webhook']);
	});

	it('reports every problem, not just the first', () => {
		expect(paths({ model: 'm', prompt: 'p', duration: 0, sample_count: 9, wat: 1 }).sort()).toEqual(['duration', 'sample_count', 'wat']);
	});
});

describe('webhook event normalisation', () => {
	it('matches the gateway rules', () => {
		expect(normalizeWebhookEvent('completed')).toBe('job.completed');
		expect(normalizeWebhookEvent(' Video.Completed ')).toBe('video.completed');
		expect(normalizeWebhookEvent('job.canceled')).toBe('job.cancelled');
		expect(normalizeWebhookEvent('canceled')).toBe('job.cancelled');
		expect(normalizeWebhookEvent('status_changed')).toBe('job.status_changed');
		expect(normalizeWebhookEvent('batch.completed')).toBeNull();
		expect(normalizeWebhookEvent('video.exploded')).toBeNull();
		expect(normalizeWebhookEvent(42)).toBeNull();
		expect(normalizeWebhookEvents(['completed', 'job.completed', 'completed', 'nope'])).toEqual(['job.completed']);
	});
});
