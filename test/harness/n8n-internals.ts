/**
 * Runtime handles on n8n packages that this project does not depend on directly.
 *
 * `@n8n/di` and `@n8n/backend-common` are loaded from n8n-core's own location, so the
 * harness always gets the very module instances n8n-core uses: a second copy of
 * `@n8n/di` would be a second, empty DI container, and a second copy of the `Logger`
 * class would be a different container key (n8n-core would never see our logger).
 * Only types are imported statically; they are erased at run time.
 */
import type { Logger as BackendLogger } from '@n8n/backend-common';
import type { Container as DiContainer } from '@n8n/di';
import { dirname } from 'node:path';

const coreDir = dirname(require.resolve('n8n-core/package.json'));

/** Path a module resolves to when required from inside `fromDir`. */
function resolveFrom(fromDir: string, moduleName: string): string {
	return require.resolve(moduleName, { paths: [fromDir] });
}

function requireBesideCore<T>(moduleName: string): T {
	// `require` (not createRequire) so jest's module registry is used: n8n-core, loaded by
	// jest, resolves the same absolute path and therefore gets the same module instance.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(resolveFrom(coreDir, moduleName)) as T;
}

/** The container's public API (its class has private members, which cannot be re-exported). */
type ContainerApi = Pick<typeof DiContainer, 'get' | 'set' | 'has' | 'reset'>;

export const { Container } = requireBesideCore<{ Container: ContainerApi }>('@n8n/di');
export const { Logger } = requireBesideCore<{ Logger: typeof BackendLogger }>(
	'@n8n/backend-common',
);

/** n8n packages that register services in the container n8n-core uses. */
const CONTAINER_USERS = [
	'@n8n/config',
	'@n8n/backend-common',
	'@n8n/decorators',
	'@n8n/backend-network',
	'@n8n/blob-storage',
];

/**
 * Fails fast, with the fix, if the install holds more than one copy of `@n8n/di`
 * (services registered through one copy are invisible to code using the other).
 */
export function assertSingleDiContainer(): void {
	const expected = resolveFrom(coreDir, '@n8n/di');
	for (const user of CONTAINER_USERS) {
		let userEntry: string;
		try {
			userEntry = resolveFrom(coreDir, user);
		} catch {
			continue; // not part of this n8n-core version
		}
		const found = resolveFrom(dirname(userEntry), '@n8n/di');
		if (found !== expected) {
			throw new Error(
				`Two copies of @n8n/di are installed (${expected} for n8n-core, ${found} for ${user}). ` +
					'Pin one with package.json "overrides": { "@n8n/di": "<the version n8n-core depends on>" } and reinstall.',
			);
		}
	}
}
