/**
 * One-time, process-wide preparation of n8n-core for in-process runs.
 *
 * Deliberately absent: `Expression.initExpressionEngine()`. On Node 20 it tries to start
 * the isolated-vm engine, fails, and leaves expression evaluation broken; without the
 * call n8n-workflow uses its in-process ("legacy") evaluator, which is what we want.
 */
import type { KeyInfo } from 'n8n-core';
import { Cipher, EncryptionKeyProxy, InstanceSettings } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';

import { CapturingLogger } from './logs';
import { Container, Logger, assertSingleDiContainer } from './n8n-internals';

let ready = false;

export function ensureHarnessReady(): void {
	if (ready) return;
	if (!process.env.N8N_USER_FOLDER) {
		// InstanceSettings (encryption key, signing secrets) would otherwise write to ~/.n8n.
		throw new Error(
			'N8N_USER_FOLDER is not set: load test/setup/env.ts (jest setupFiles) before the harness.',
		);
	}
	assertSingleDiContainer();
	const logger = new CapturingLogger();
	// Must happen before anything asks the container for a Logger: services resolved
	// earlier would keep n8n's console logger.
	Container.set(Logger, logger as unknown as InstanceType<typeof Logger>);
	LoggerProxy.init(logger);
	provideInstanceEncryptionKey();
	ready = true;
}

/**
 * n8n 2.41 encrypts credentials with data keys the cli loads from the database, behind
 * `EncryptionKeyProxy`. Without a provider every `Credentials.setData/getData` throws.
 * The harness provides the one key an instance that never rotated keys has: the
 * instance key itself ("no-prefix" format), wrapped as n8n wraps data keys.
 */
function provideInstanceEncryptionKey(): void {
	const instanceKey = Container.get(InstanceSettings).encryptionKey;
	const key: KeyInfo = {
		id: 'harness-instance-key',
		value: Container.get(Cipher).encryptDEKWithInstanceKey(instanceKey),
		algorithm: 'aes-256-cbc',
		format: 'no-prefix',
	};
	Container.get(EncryptionKeyProxy).setProvider({
		getActiveKey: async () => key,
		getKeyById: async (id) => (id === key.id ? key : null),
		getLegacyKey: async () => key,
	});
}
