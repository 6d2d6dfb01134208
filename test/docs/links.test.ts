/**
 * The README and the docs/ pages: every relative link resolves (anchors too), no page is an orphan,
 * each page links back, and the README keeps the demo block `npm run demo:run -- --check-readme`
 * compares with the demo's output. The checkers are proven on broken fixtures, never on the real files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { readmeDemoBlock, readmeDemoDifference } from '../../demo/readmeBlock';
import { anchors, linkProblems, links, pages, slug } from './markdownLinks';

const root = join(__dirname, '..', '..');

describe('README.md and docs/', () => {
	it('has only links that resolve, every docs page linked from the README and linking back', () => {
		expect(pages(root).length).toBeGreaterThan(5);
		expect(linkProblems(root, ['sim/README.md', 'e2e/README.md'])).toEqual([]);
	});

	it('keeps the demo block that --check-readme compares with the demo', () => {
		const block = readmeDemoBlock(readFileSync(join(root, 'README.md'), 'utf8'));
		expect(block?.[0]).toMatch(/^✔ 1\. /);
		expect(block?.at(-1)).toMatch(/^\d+ HTTPS requests, token grants: .* \d+(\.\d+)? s\.$/);
	});
});

describe('the link checker', () => {
	let dir: string;
	const write = (files: Record<string, string>) => {
		rmSync(dir, { recursive: true, force: true });
		for (const [file, text] of Object.entries(files)) {
			mkdirSync(dirname(join(dir, file)), { recursive: true });
			writeFileSync(join(dir, file), text);
		}
	};
	const good = {
		'README.md': '# Title\n\n## Two `words` here\n\nSee [a](docs/a.md), [b](docs/b.md#part-one) and [me](#two-words-here).\n',
		'docs/a.md': '# A\n\nBack to the [README](../README.md); [b](b.md "title"), ![logo](../logo.svg).\n',
		'docs/b.md': '# B\n\n## Part one\n\n## Part one\n\n[README](../README.md#title), [second](#part-one-1), [x][ref]\n\n[ref]: a.md#a\n',
		'logo.svg': '<svg/>',
	};

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'veeam-docs-links-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('passes a consistent fixture', () => {
		write(good);
		expect(linkProblems(dir)).toEqual([]);
	});

	it('finds a link to a missing file, with its line', () => {
		write({ ...good, 'docs/a.md': `${good['docs/a.md']}\nAnd [gone](missing.md).\n` });
		expect(linkProblems(dir)).toEqual(['docs/a.md:5: missing.md: no file docs/missing.md']);
	});

	it('finds an anchor no heading makes, in another page and in the same one', () => {
		write({
			...good,
			'README.md': good['README.md'].replace('b.md#part-one', 'b.md#part-two').replace('#two-words-here', '#two-words'),
		});
		expect(linkProblems(dir)).toEqual([
			'README.md:5: docs/b.md#part-two: no heading with the anchor #part-two in docs/b.md',
			'README.md:5: #two-words: no heading with the anchor #two-words in README.md',
		]);
	});

	it('finds an orphan page and a page without a link back', () => {
		write({ ...good, 'docs/c.md': '# C\n\nNo way back.\n' });
		expect(linkProblems(dir)).toEqual(['docs/c.md: not linked from README.md', 'docs/c.md: does not link back to README.md']);
	});

	it('checks the links of other pages too, without asking them to be linked or to link back', () => {
		write({ ...good, 'sim/README.md': '# Sim\n\n[figures](../docs/b.md#part-one), [gone](../README.md#nothing)\n' });
		expect(linkProblems(dir, ['sim/README.md'])).toEqual(['sim/README.md:3: ../README.md#nothing: no heading with the anchor #nothing in README.md']);
	});

	it('finds a link that leaves the repository, and an anchor into a file that is not Markdown', () => {
		write({ ...good, 'docs/a.md': `${good['docs/a.md']}[up](../../elsewhere.md) [svg](../logo.svg#x)\n` });
		expect(linkProblems(dir)).toEqual([
			'docs/a.md:4: ../../elsewhere.md points outside the repository',
			'docs/a.md:4: ../logo.svg#x: an anchor into something that is not a Markdown page',
		]);
	});

	it('ignores links inside code and URLs', () => {
		const text = '# T\n\n`[no](nothing.md)`\n\n```\n[no](nothing.md)\n```\n\n[web](https://example.com/x.md) [mail](mailto:a@b.c)\n';
		expect(links(text).map((l) => l.target)).toEqual(['https://example.com/x.md', 'mailto:a@b.c']);
	});

	it('makes anchors as GitHub does', () => {
		expect(slug("n8n's SSRF protection")).toBe('n8ns-ssrf-protection');
		expect(slug('Installing on Node 20 and 22+')).toBe('installing-on-node-20-and-22');
		expect(slug('`pendingApproval` and the [request](x.md)')).toBe('pendingapproval-and-the-request');
		expect(slug('Try it: two commands')).toBe('try-it-two-commands');
		expect([...anchors('# A\n## B\n## B\n```\n# not a heading\n```\n')]).toEqual(['a', 'b', 'b-1']);
	});
});

describe('the README demo check (--check-readme)', () => {
	const printed = ['✔ 1. New hire', '     created', '', '28 HTTPS requests; 1.9 s.'];
	const readme = (lines: string[]) => `# X\n\n\`npm run demo\` prints (timings vary):\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`;

	it('accepts the same output, whatever the seconds', () => {
		expect(readmeDemoDifference(readme([...printed.slice(0, 3), '28 HTTPS requests; 2.4 s.']), printed)).toBeUndefined();
	});

	it('names the first line that differs, a missing line and a missing block', () => {
		expect(readmeDemoDifference(readme(['✔ 1. New hire', '     updated', '', '28 HTTPS requests; 1.9 s.']), printed)).toContain('from line 2:\n  README:      updated\n  demo:        created');
		expect(readmeDemoDifference(readme(printed.slice(0, 3)), printed)).toContain('from line 4:\n  README: (nothing)');
		expect(readmeDemoDifference(readme([...printed, 'extra']), printed)).toContain('from line 5:\n  README: extra\n  demo:   (nothing)');
		expect(readmeDemoDifference('# X\n\nNo demo here.\n', printed)).toMatch(/has no "`npm run demo` prints/);
	});
});
