/** Unit and engine tests: TypeScript through ts-jest, run in band-friendly workers. */
module.exports = {
	testEnvironment: 'node',
	// Product tests in test/; the simulator's own tests beside it; the harness self-test in test/harness/.
	roots: ['<rootDir>/test', '<rootDir>/simulator/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', isolatedModules: true }],
	},
	setupFiles: ['<rootDir>/test/setup/env.ts'],
	setupFilesAfterEnv: ['<rootDir>/test/setup/no-secrets.ts'],
	testTimeout: 60000,
	maxWorkers: 2,
};
