// n8n-core's InstanceSettings writes to the user folder on import: keep it in a temp dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER_FOR_TESTS) {
	process.env.N8N_USER_FOLDER_FOR_TESTS = mkdtempSync(join(tmpdir(), 'ai-stats-n8n-'));
}
process.env.N8N_USER_FOLDER = process.env.N8N_USER_FOLDER_FOR_TESTS;
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
