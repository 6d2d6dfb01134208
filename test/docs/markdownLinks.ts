/**
 * The README and docs/ pages stay linked and their links true: every relative link resolves to a
 * file in the repository (and a `#anchor` to a heading of the page it names, as GitHub makes
 * anchors), every docs page is linked from the README, and every docs page links back to it.
 * Plain functions over a directory, so test/docs/links.test.ts runs them on the repository and on
 * broken fixtures.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface Link {
	target: string;
	line: number;
}

const FENCE = /^\s{0,3}(```|~~~)/;

/** The lines outside fenced code blocks: as written, and with the content of inline code spans blanked. */
function proseLines(markdown: string): Array<{ raw: string; text: string; line: number }> {
	const out: Array<{ raw: string; text: string; line: number }> = [];
	let inFence = false;
	markdown.split('\n').forEach((raw, i) => {
		if (FENCE.test(raw)) {
			inFence = !inFence;
			return;
		}
		if (inFence) return;
		out.push({ raw, text: raw.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1/g, (m, ticks: string) => ticks + 'x'.repeat(m.length - 2 * ticks.length) + ticks), line: i + 1 });
	});
	return out;
}

/** Inline links and images, reference definitions and HTML href/src attributes, outside code. */
export function links(markdown: string): Link[] {
	const found: Link[] = [];
	for (const { text, line } of proseLines(markdown)) {
		for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
			found.push({ target: m[1].replace(/^<|>$/g, ''), line });
		}
		const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
		if (definition) found.push({ target: definition[1], line });
		for (const m of text.matchAll(/\b(?:href|src)="([^"]+)"/g)) found.push({ target: m[1], line });
	}
	return found;
}

/** A heading's anchor as GitHub makes it: the text lower-cased, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
	const text = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/[`*]/g, '');
	return text
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
		.replace(/ /g, '-');
}

/** The anchors of a page's headings (a repeated one gets -1, -2 … as on GitHub). */
export function anchors(markdown: string): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	for (const { raw } of proseLines(markdown)) {
		const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(raw);
		if (!heading) continue;
		const base = slug(heading[1]);
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		result.add(count === 0 ? base : `${base}-${count}`);
	}
	return result;
}

/** The pages checked: README.md and every docs/*.md, as paths relative to root. */
export function pages(root: string): string[] {
	const docs = join(root, 'docs');
	const docPages = existsSync(docs)
		? readdirSync(docs)
				.filter((f) => f.endsWith('.md'))
				.sort()
				.map((f) => `docs/${f}`)
		: [];
	return ['README.md', ...docPages];
}

/**
 * Every problem with the README's and the docs pages' links under root, one line each
 * (`file:line: …`); none when all hold. `others` (repository-relative) are Markdown files whose
 * links are checked too, though they need not be linked from the README nor link back.
 */
export function linkProblems(root: string, others: string[] = []): string[] {
	const problems: string[] = [];
	const docPages = pages(root);
	const files = [...docPages, ...others];
	const read = (file: string) => readFileSync(join(root, file), 'utf8');
	/** Which page each page links to (repository-relative paths). */
	const linksTo = new Map<string, Set<string>>();
	for (const file of files) {
		const targets = new Set<string>();
		linksTo.set(file, targets);
		for (const { target, line } of links(read(file))) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // a URL
			const at = `${file}:${line}`;
			const hash = target.indexOf('#');
			const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
			const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
			const absolute = path === '' ? join(root, file) : resolve(root, dirname(file), path);
			const inRepo = relative(root, absolute);
			if (inRepo.startsWith('..') || isAbsolute(inRepo)) {
				problems.push(`${at}: ${target} points outside the repository`);
				continue;
			}
			if (!existsSync(absolute)) {
				problems.push(`${at}: ${target}: no file ${inRepo.split(sep).join('/')}`);
				continue;
			}
			targets.add(inRepo.split(sep).join('/'));
			if (anchor === undefined) continue;
			if (statSync(absolute).isDirectory() || !absolute.endsWith('.md')) {
				problems.push(`${at}: ${target}: an anchor into something that is not a Markdown page`);
			} else if (!anchors(readFileSync(absolute, 'utf8')).has(anchor)) {
				problems.push(`${at}: ${target}: no heading with the anchor #${anchor} in ${inRepo.split(sep).join('/')}`);
			}
		}
	}
	const fromReadme = linksTo.get('README.md') ?? new Set<string>();
	for (const page of docPages.filter((f) => f !== 'README.md')) {
		if (!fromReadme.has(page)) problems.push(`${page}: not linked from README.md`);
		if (!linksTo.get(page)?.has('README.md')) problems.push(`${page}: does not link back to README.md`);
	}
	return problems;
}
