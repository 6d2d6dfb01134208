/**
 * Regular expressions from node descriptions run natively in the harness. A side-effect import of
 * `engine.ts`, like `engine-env.ts`.
 *
 * n8n-workflow runs the patterns of node descriptions through its `safeRegex`: a resource locator
 * mode's `validation` regex (`NodeHelpers`, when parameter issues are checked) and `extractValue`
 * (n8n-core). By default each call runs in `node:vm` with a 250 ms timeout, and that timeout is a
 * watchdog on the wall clock. n8n installs no other engine (n8n 2.41.1 and 1.123.81 never call
 * `setSafeRegexEngine`), so in n8n itself that is how our patterns run. Ours are linear (`^\s*\S.*$`,
 * a UUID, `^[^\s/\\]{1,64}$`, the Azure ID pattern), a few microseconds each, yet on a loaded machine
 * (2 cores, several jest runs) a call was cut off now and then: "Regular expression execution timed
 * out", failing a test that has nothing to do with time. The harness measures our code, not n8n's
 * sandbox under CPU contention: here the same patterns run with the engine n8n-workflow itself
 * falls back to where `node:vm` is missing (`new RegExp(pattern, flags)`, no timeout), installed
 * through n8n's own hook. Both n8n-workflow majors the tests run on (2.41, 1.120) have the hook;
 * an n8n-workflow without it keeps its default.
 *
 * n8n-workflow is a fresh module per test file (jest's registry), so this holds for the test file
 * that imported the harness, and nothing outside jest sees it.
 */
import * as workflow from 'n8n-workflow';

type Engine = {
	exec(pattern: string, input: string, flags?: string): RegExpExecArray | null;
	test(pattern: string, input: string, flags?: string): boolean;
	replace(pattern: string, input: string, flags: string | undefined, replacement: string): string;
	matchAll(pattern: string, input: string, flags?: string): RegExpMatchArray[];
	split(pattern: string, input: string, flags?: string): string[];
};

const withGlobal = (flags: string | undefined): string => (flags?.includes('g') ? flags : `${flags ?? ''}g`);

/** What n8n-workflow's `safeRegex` does without `node:vm`: the same calls, natively. */
export const nativeRegexEngine: Engine = {
	exec: (pattern, input, flags) => new RegExp(pattern, flags).exec(input),
	test: (pattern, input, flags) => new RegExp(pattern, flags).test(input),
	replace: (pattern, input, flags, replacement) => input.replace(new RegExp(pattern, flags), replacement),
	matchAll: (pattern, input, flags) => Array.from(input.matchAll(new RegExp(pattern, withGlobal(flags)))),
	split: (pattern, input, flags) => input.split(new RegExp(pattern, flags)),
};

/** Whether this n8n-workflow has the hook (and so runs description patterns natively in the tests). */
export const NATIVE_REGEX_ENGINE_INSTALLED = installNativeRegexEngine();

function installNativeRegexEngine(): boolean {
	const set = (workflow as { setSafeRegexEngine?: (engine: Engine) => void }).setSafeRegexEngine;
	if (typeof set !== 'function') return false;
	set(nativeRegexEngine);
	return true;
}
