import type { Simulator } from '../simulator';
import { callListSearch, disposeHarness, testCredential } from './harness';
import { aiStatsCredential, credentialTypes, generateParameters, nodeTypes, runAiStats, startSimulator, AI_STATS } from './support/fixtures';

let sim: Simulator;

beforeAll(async () => {
	// Legacy aistats_ keys stop working at the gateway on 2027-01-01; this suite tests the credential, not the calendar.
	sim = await startSimulator({ legacyKeysRetireAt: '2100-01-01T00:00:00Z' });
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});

describe('AI Stats API credential test', () => {
	const test = async (data: Record<string, string>) =>
		await testCredential(credentialTypes.aiStatsApi, { apiKey: sim.keys.inference, baseUrl: sim.baseUrl, ...data });

	it('accepts a valid key (trailing slash in the base URL is fine)', async () => {
		expect(await test({})).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect((await test({ baseUrl: `${sim.baseUrl}/` })).status).toBe('OK');
		expect((await test({ apiKey: sim.keys.legacyInference })).status).toBe('OK');
	});

	it.each([
		['revoked', 'key_not_found_or_revoked'],
		['expired', 'key_expired'],
	] as const)('names the gateway reason for a %s key', async (key, reason) => {
		const result = await test({ apiKey: sim.keys[key] });
		expect(result.status).toBe('Error');
		expect(result.message).toContain(reason);
		expect(result.message).toMatch(/^Invalid API key \(401/);
	});

	it('says so for a malformed key and for a management key', async () => {
		expect((await test({ apiKey: 'not-a-key' })).message).toContain('invalid_key_format');
		const management = await test({ apiKey: sim.keys.management });
		expect(management.status).toBe('Error');
		expect(management.message).toContain('a management key (phaseo_v1_mk_…) belongs in the Management Key field');
	});

	it('passes for the one credential with both keys (inference key in API Key, management key in Management Key)', async () => {
		expect((await test({ apiKey: sim.keys.inference, managementKey: sim.keys.management })).status).toBe('OK');
	});

	it('tells a valid key without video access apart', async () => {
		const result = await test({ apiKey: sim.keys.videoDisabled });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('The key is valid, but the video API is not enabled for this workspace (501 video_api_feature_disabled)');
	});

	it('notices a Base URL that is not the video API', async () => {
		const result = await test({ baseUrl: `${sim.origin}/not-the-api` });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Base URL/);
	});

	it('never echoes the key', async () => {
		const result = await test({ apiKey: sim.keys.revoked });
		expect(result.message).not.toContain(sim.keys.revoked);
	});
});

describe('resource locator lists', () => {
	const options = () => ({ credentialTypes, credentials: [aiStatsCredential(sim)], parameters: {} });

	it('lists models from the catalogue, searchable', async () => {
		const all = await callListSearch(nodeTypes[AI_STATS], 'searchModels', options());
		expect(all.results.length).toBeGreaterThanOrEqual(4);
		expect(all.results.map((result) => result.value)).toContain('google/veo-3.1-lite');
		const sora = await callListSearch(nodeTypes[AI_STATS], 'searchModels', { ...options(), filter: 'sora' });
		expect(sora.results.length).toBeGreaterThan(0);
		expect(sora.results.every((result) => String(result.value).includes('sora') || result.name.toLowerCase().includes('sora'))).toBe(true);
	});

	it('lists recent videos newest first and pages with the gateway cursor', async () => {
		sim.reset();
		const run = await runAiStats(sim, {
			items: Array.from({ length: 3 }, (_, index) => ({ json: { index } })),
			parameters: generateParameters({ waitForCompletion: 'none' }),
		});
		const ids = run.items.map((item) => item.json.id as string);
		const list = await callListSearch(nodeTypes[AI_STATS], 'searchVideos', options());
		expect(list.results.map((result) => result.value)).toEqual([...ids].reverse());
		expect(list.results[0].name).toContain('google/veo-3.1-lite');
		const filtered = await callListSearch(nodeTypes[AI_STATS], 'searchVideos', { ...options(), filter: ids[1] });
		expect(filtered.results.map((result) => result.value)).toEqual([ids[1]]);
	});
});
