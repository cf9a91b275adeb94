/** End-to-end suite: real n8n processes (see e2e/README.md). Plain JS, no transform. */
module.exports = {
	rootDir: '..',
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e'],
	testMatch: ['**/*.e2e.js'],
	transform: {},
	globalSetup: '<rootDir>/e2e/setup.js',
	testTimeout: 10 * 60 * 1000,
	// Each suite runs its own n8n processes: one suite at a time keeps the 2-core machine responsive.
	maxWorkers: 1,
};
