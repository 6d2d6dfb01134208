/**
 * The README's "See it work" block: the demo's output as README.md shows it. `npm run demo:run --
 * --check-readme` (part of `npm run test:all`) fails when the block is not what the demo printed;
 * test/docs/links.test.ts checks this comparison on fixtures and that the README still has the block.
 */

/** The lines the README shows under "`npm run demo` prints …:", or undefined when it has no such block. */
export function readmeDemoBlock(readme: string): string[] | undefined {
	const block = /`npm run demo` prints[^\n]*:\n\n```\n([\s\S]*?)\n```/.exec(readme)?.[1];
	return block === undefined ? undefined : block.split('\n');
}

const seconds = (line: string) => line.replace(/\d+(\.\d+)? s\.$/, 'N s.');

/**
 * Why the README's block is not what the demo printed (the seconds on the last line aside), or
 * undefined when it is.
 */
export function readmeDemoDifference(readme: string, printed: string[]): string | undefined {
	const block = readmeDemoBlock(readme);
	if (block === undefined) return 'README.md has no "`npm run demo` prints …:" block followed by a ``` block';
	const expected = printed.map(seconds);
	const shown = block.map(seconds);
	const differing = expected.findIndex((line, i) => line !== shown[i]);
	if (differing === -1 && shown.length === expected.length) return undefined;
	const at = differing === -1 ? expected.length : differing;
	return `README.md's demo output differs from what the demo printed, from line ${at + 1}:\n  README: ${shown[at] ?? '(nothing)'}\n  demo:   ${expected[at] ?? '(nothing)'}`;
}
