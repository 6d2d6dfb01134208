// ESLint 9 flat config.
//
// - Every .ts file: @eslint/js recommended + typescript-eslint recommended (not type-aware;
//   `npm run lint` runs `tsc --noEmit` for the type checks).
// - eslint-plugin-n8n-nodes-base, as its authors split it: `community` rules on package.json,
//   `credentials` rules on credentials/**/*.ts, `nodes` rules on nodes/**/*.ts.
// - What n8n's community-package scanner enforces (scripts/scan.mjs runs the scanner itself): inline
//   config is off everywhere (`noInlineConfig`: an `eslint-disable` comment counts for nothing and is
//   itself reported, so none creeps back), `no-console` is an error in what ships, and the plugin
//   rules the scanner switches off are off here for the same reasons.
//
// eslint-plugin-n8n-nodes-base 2.0.0 ships no flat configs: its `configs.{community,credentials,
// nodes}` are eslintrc objects (`plugins: ['n8n-nodes-base']`, `env`, `parserOptions`). Only
// their `rules` maps are taken here; the plugin object is registered under the same prefix,
// so the rule names (`n8n-nodes-base/...`) match.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The plugin switches into its own unit-test mode when NODE_ENV is 'test' (read once, when it
// is loaded): package.json rules then look for `const x = {...}` instead of a JSON document and
// silently pass. Clear it before loading the plugin so lint behaves the same in any shell.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
const { default: n8nNodesBase } = await import('eslint-plugin-n8n-nodes-base');
// n8n's newer rules for verified community packages (restricted imports and globals, no runtime
// dependencies, usableAsTool, credential tests, pairedItem, NodeApiError …), used by `n8n-node lint`.
const { n8nCommunityNodesPlugin } = await import('@n8n/eslint-plugin-community-nodes');

const rootDir = path.dirname(fileURLToPath(import.meta.url));

const hasNodeSources = (() => {
	const nodesDir = path.join(rootDir, 'nodes');
	if (!fs.existsSync(nodesDir)) return false;
	return fs
		.readdirSync(nodesDir, { recursive: true })
		.some((file) => String(file).endsWith('.node.ts'));
})();

const commonJsGlobals = {
	require: 'readonly',
	module: 'writable',
	exports: 'writable',
	__dirname: 'readonly',
	__filename: 'readonly',
	process: 'readonly',
	console: 'readonly',
};

export default defineConfig([
	globalIgnores(['dist/', 'node_modules/', 'coverage/']),

	{
		// The scanner lints with `allowInlineConfig: false`. Here the same, for every file: a directive
		// comment is ignored and reported (an error, see `veeam/no-inline-config` below).
		name: 'veeam/no-inline-config',
		linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' },
	},

	{
		name: 'veeam/typescript',
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
	},

	{
		name: 'veeam/javascript-commonjs',
		files: ['**/*.js', '**/*.cjs'],
		extends: [js.configs.recommended],
		languageOptions: { sourceType: 'commonjs', globals: commonJsGlobals },
	},
	{
		name: 'veeam/javascript-esm',
		files: ['**/*.mjs'],
		extends: [js.configs.recommended],
		languageOptions: {
			sourceType: 'module',
			globals: { process: 'readonly', console: 'readonly' },
		},
	},

	{
		name: 'n8n-nodes-base/community (package.json)',
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		// The community rules visit ESTree `ObjectExpression`/`Property`/`Literal` nodes and expect
		// the document's object directly under an ExpressionStatement of the Program. That is what
		// @typescript-eslint/parser produces for a .json file (TypeScript's JSON script kind), and
		// what n8n-nodes-starter's classic .eslintrc.js used (`extraFileExtensions: ['.json']`).
		// jsonc-eslint-parser would not work: it emits `JSONObjectExpression` etc., which these
		// rules never visit, so they would all pass vacuously.
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
		rules: {
			...n8nNodesBase.configs.community.rules,
			// `n8n.nodes` must list at least one built node. Until the first nodes/**/*.node.ts
			// exists there is nothing that could be listed; the rule switches itself on as soon as
			// one does (and scripts/check-pack.js checks every listed path is in the tarball).
			...(hasNodeSources ? {} : { 'n8n-nodes-base/community-package-json-n8n-nodes-empty': 'off' }),
		},
	},

	{
		name: 'n8n-nodes-base/credentials',
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Documented by the plugin as "Only applicable to nodes in the main repository" (there a
			// documentationUrl is a camelCase slug). A community credential must instead use an HTTP
			// URL (`cred-class-field-documentation-url-not-http-url`, kept on), and no URL is ever
			// camelCase, so the two rules cannot both pass. n8n-nodes-starter and n8n's scanner turn it
			// off too.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Off in n8n's scanner: @n8n/community-nodes/credential-password-field checks the same, better.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},

	{
		name: 'n8n-nodes-base/nodes',
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Off in n8n's scanner (and `n8n-node lint`): these two want `['main']`, while
			// @n8n/community-nodes/node-connection-type-literal (on, below) wants NodeConnectionTypes.Main.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// Off in n8n's scanner: a service's own maximum (a page size) is a valid maxValue.
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},

	{
		// The same recommended set `n8n-node lint` applies, on what ships: client, nodes, credentials, package.json.
		name: '@n8n/community-nodes/recommended',
		files: ['client/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		plugins: n8nCommunityNodesPlugin.configs.recommended.plugins,
		rules: n8nCommunityNodesPlugin.configs.recommended.rules,
	},

	{
		// The scanner's `no-console: error` applies to everything it lints: the sources of nodes and
		// credentials, and every .js file of the tarball (client/ is compiled into dist/).
		name: 'veeam/shipped-no-console',
		files: ['client/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts', 'index.js'],
		rules: { 'no-console': 'error' },
	},

	{
		// Development code that loads the built package from dist/ (as n8n loads a community package),
		// a plain-JS helper, or one n8n major's internals chosen at run time: that takes require() with
		// a computed path. What ships (client/, nodes/, credentials/) keeps the rule.
		name: 'veeam/dev-runtime-require',
		files: ['test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts'],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
]);
