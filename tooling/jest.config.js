/** Tests of the project's tooling (plain JS, no transform): `npm run test:tooling`. */
module.exports = {
	rootDir: '..',
	testEnvironment: 'node',
	roots: ['<rootDir>/tooling'],
	testMatch: ['**/*.test.js'],
	transform: {},
	testTimeout: 25 * 60 * 1000,
	maxWorkers: 1,
};
