// After every test file: nothing n8n or our nodes logged may contain a key or a signing secret.
import { harnessLogText } from '../harness/logs';
import { testSecrets } from '../support/secrets';

afterAll(() => {
	const logs = harnessLogText();
	const leaked = testSecrets().filter((secret) => logs.includes(secret));
	if (leaked.length > 0) throw new Error(`${leaked.length} test secret(s) appeared in n8n's logs`);
});
