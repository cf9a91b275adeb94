/** The secrets the tests use; none of them may ever reach a log line or an output item. */
export const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef0123456789abcdef';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { keyMap } = require('../../simulator/lib/keys') as { keyMap: () => Record<string, string> };

export function testSecrets(): string[] {
	return [...Object.values(keyMap()), WEBHOOK_SECRET];
}
