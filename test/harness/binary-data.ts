/**
 * Binary data modes for a harness run.
 *
 * n8n-core reaches binary storage only through `Container.get(BinaryDataService)` (in
 * prepareBinaryData, getBinaryStream, createBinarySignedUrl, …). The service has no
 * storage manager until `init()` is called: then every `store()` keeps the bytes inline
 * as base64 ("default" mode, n8n 1.x's in-memory mode). After `init()` with mode
 * `filesystem` it streams them to `<storage path>/workflows/<wf>/executions/<exec>/
 * binary_data/<uuid>` and items carry `id: "filesystem-v2:<fileId>"` and
 * `data: "filesystem-v2"` instead of the bytes. (n8n 2.x itself defaults to filesystem.)
 *
 * Each run gets its own service instance, registered in the container for the duration
 * of the run; runs in one process must therefore not overlap in time (jest runs the tests
 * of a file one after another, which is all the harness needs).
 */
import { BinaryDataConfig, BinaryDataService, ErrorReporter } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Container, Logger } from './n8n-internals';

export type HarnessBinaryMode = 'default' | 'filesystem';

export interface HarnessBinaryStore {
	mode: HarnessBinaryMode;
	service: BinaryDataService;
	/** Filesystem mode: the storage root of this run. */
	storagePath?: string;
}

const createdStoragePaths: string[] = [];

export async function createBinaryStore(mode: HarnessBinaryMode): Promise<HarnessBinaryStore> {
	const baseConfig = Container.get(BinaryDataConfig);
	if (mode === 'default') {
		const service = new BinaryDataService(
			baseConfig,
			Container.get(ErrorReporter),
			Container.get(Logger),
		);
		return { mode, service };
	}
	const storagePath = mkdtempSync(join(process.env.N8N_USER_FOLDER ?? tmpdir(), 'harness-binary-'));
	createdStoragePaths.push(storagePath);
	// Same signing secret as the instance (it derives from the encryption key), own path.
	const config = Object.assign(Object.create(BinaryDataConfig.prototype) as BinaryDataConfig, {
		...baseConfig,
		mode: 'filesystem',
		localStoragePath: storagePath,
	});
	const service = new BinaryDataService(config, Container.get(ErrorReporter), Container.get(Logger));
	await service.init();
	return { mode, service, storagePath };
}

/** Make this store the one n8n-core's helpers use from now on. */
export function activateBinaryStore(store: HarnessBinaryStore): void {
	Container.set(BinaryDataService, store.service);
}

export async function readBinary(store: HarnessBinaryStore, binary: IBinaryData): Promise<Buffer> {
	return await store.service.getAsBuffer(binary);
}

/** Filesystem mode: absolute path of a stored binary; undefined for inline data. */
export function binaryPath(store: HarnessBinaryStore, binary: IBinaryData): string | undefined {
	return binary.id ? store.service.getPath(binary.id) : undefined;
}

/** Removes every storage folder the harness created in this process. */
export function removeBinaryStorage(): void {
	for (const path of createdStoragePaths.splice(0)) rmSync(path, { recursive: true, force: true });
}
