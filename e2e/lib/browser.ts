/**
 * n8n's editor in a real browser: Debian's Chromium, driven by playwright-core (a dev dependency
 * without browsers of its own; e2e/install-browser.sh installs Chromium when it is missing).
 *
 *   const editor = await Editor.open(n8n, 'node-creator');   // a started n8n with an owner
 *   await editor.signIn();
 *   …
 *   await editor.close();    // screenshots stay in artifactsDir() (outside the repository)
 *
 * It records what went wrong in the page while the test ran: console errors, requests to n8n that
 * failed (HTTP 5xx), uncaught page errors, error toasts. `takeProblems()` hands them to the test; requests to other
 * hosts (the editor looks its community packages up in the npm registry, which is not reachable
 * from a test machine) are not n8n's and are left out.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import type { N8nInstance } from './n8n';
import { OWNER } from './rest';

export function chromiumPath(): string {
	const path = process.env.N8N_E2E_CHROMIUM || '/usr/bin/chromium';
	if (!existsSync(path)) {
		throw new Error(`no Chromium at ${path}: run e2e/install-browser.sh (Debian's chromium package), or set N8N_E2E_CHROMIUM`);
	}
	return path;
}

/** Screenshots of the editor tests: ${N8N_E2E_ARTIFACTS:-~/.cache/n8n-nodes-veeam-e2e/artifacts}/editor. */
export function artifactsDir(): string {
	return join(process.env.N8N_E2E_ARTIFACTS || join(homedir(), '.cache', 'n8n-nodes-veeam-e2e', 'artifacts'), 'editor');
}

/**
 * Runs in the page before the editor's scripts: keeps the text of every error toast (n8n's
 * notifications are element-plus ones; an error one carries `el-notification--error`) in
 * `window.__errorToasts`, since toasts vanish after a few seconds.
 */
function recordErrorToasts(): void {
	// The DOM, typed as far as used here (the project compiles without DOM types).
	interface El {
		textContent: string | null;
		closest(selector: string): El | null;
	}
	interface Page {
		__errorToasts: string[];
		document: { documentElement: object | null; querySelectorAll(selector: string): Iterable<El>; addEventListener(event: string, fn: () => void): void };
		MutationObserver: new (fn: () => void) => { observe(target: object, options: object): void };
	}
	const page = globalThis as unknown as Page;
	page.__errorToasts = [];
	const seen = new WeakSet<object>();
	const observer = new page.MutationObserver(() => {
		for (const icon of page.document.querySelectorAll('.el-notification .el-notification--error')) {
			const toast = icon.closest('.el-notification');
			if (!toast || seen.has(toast)) continue;
			seen.add(toast);
			page.__errorToasts.push(String(toast.textContent ?? '').trim());
		}
	});
	const start = () => observer.observe(page.document.documentElement as object, { childList: true, subtree: true });
	if (page.document.documentElement) start();
	else page.document.addEventListener('DOMContentLoaded', start);
}

/** Something the page reported: a console error, a failed n8n request, an uncaught exception, an error toast. */
export interface PageProblem {
	kind: 'console' | 'http' | 'pageerror' | 'toast';
	text: string;
}

export class Editor {
	private readonly recorded: PageProblem[] = [];
	private shots = 0;

	private constructor(
		readonly n8n: N8nInstance,
		private readonly browser: Browser,
		readonly page: Page,
		private readonly shotDir: string,
	) {
		const own = (url: string) => url.startsWith(n8n.baseUrl);
		page.on('console', (message) => {
			// The browser logs each failed resource load as a console error; the request is judged below instead.
			if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) this.recorded.push({ kind: 'console', text: message.text() });
		});
		page.on('pageerror', (error) => this.recorded.push({ kind: 'pageerror', text: `${error.message} (at ${page.url().slice(n8n.baseUrl.length)}) ${(error.stack ?? '').split('\n').slice(1, 4).join(' | ')}` }));
		page.on('response', async (response) => {
			if (response.status() < 500 || !own(response.url())) return;
			const body = await response.text().catch(() => '');
			const path = response.url().slice(n8n.baseUrl.length);
			this.recorded.push({ kind: 'http', text: `${response.status()} ${response.request().method()} ${path} ${body.slice(0, 300)}` });
		});
	}

	/** A fresh browser profile on a started n8n; `name` names the screenshot folder. */
	static async open(n8n: N8nInstance, name: string): Promise<Editor> {
		const browser = await chromium.launch({
			executablePath: chromiumPath(),
			headless: true,
			// As root in a container Chromium needs --no-sandbox; the rest keeps it from calling home.
			args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
		});
		const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
		page.setDefaultTimeout(30_000);
		await page.addInitScript(recordErrorToasts);
		const shotDir = join(artifactsDir(), n8n.install.version, name);
		rmSync(shotDir, { recursive: true, force: true });
		mkdirSync(shotDir, { recursive: true });
		return new Editor(n8n, browser, page, shotDir);
	}

	get major(): number {
		return this.n8n.major;
	}

	/** Signs in through the sign-in form, as the owner N8nRest.setupOwner() created. */
	async signIn(): Promise<void> {
		await this.page.goto(`${this.n8n.baseUrl}/signin`);
		await this.page.fill('input[name=emailOrLdapLoginId]', OWNER.email);
		await this.page.fill('input[name=password]', OWNER.password);
		await this.page.click('[data-test-id=form-submit-button]');
		await this.page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	}

	/** Creates a workflow through the editor's own REST API (the session of the page) and opens it. */
	async openNewWorkflow(name: string, nodes: Array<Record<string, unknown>> = []): Promise<string> {
		const id = await this.page.evaluate(
			async ({ name, nodes }) => {
				// In the page: the editor keeps its browser id there and n8n ties the session to it.
				const { localStorage } = globalThis as unknown as { localStorage: { getItem(key: string): string | null } };
				const res = await fetch('/rest/workflows', {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') ?? '' },
					body: JSON.stringify({ name, active: false, nodes, connections: {}, settings: {} }),
				});
				if (!res.ok) throw new Error(`POST /rest/workflows: ${res.status} ${await res.text()}`);
				return ((await res.json()) as { data: { id: string } }).data.id;
			},
			{ name, nodes },
		);
		await this.page.goto(`${this.n8n.baseUrl}/workflow/${id}`);
		await this.page.locator('[data-test-id=canvas-wrapper], [data-test-id=node-view-wrapper], #canvas').first().waitFor();
		return id;
	}

	/** Opens the node creator (the canvas' "+"), types `search`, and opens the app named `app`. */
	async openInNodeCreator(search: string, app: string): Promise<void> {
		await this.page.click('[data-test-id=node-creator-plus-button]');
		await this.page.locator('[data-test-id=node-creator-search-bar] input, [data-test-id=search-bar] input').first().waitFor();
		await this.page.keyboard.type(search);
		await this.creator.locator('[data-test-id=node-creator-item-name]', { hasText: new RegExp(`^${app}$`) }).first().click();
		await this.creator.locator('[data-test-id=node-creator-category-item]').first().waitFor();
	}

	get creator() {
		return this.page.locator('[data-test-id=node-creator]');
	}

	/** The names listed under a category of the opened app ("Actions", "Triggers"), expanding it if needed. */
	async creatorCategory(category: 'Actions' | 'Triggers'): Promise<{ heading: string; items: string[] }> {
		const header = this.creator.locator('[data-test-id=node-creator-category-item]', { hasText: category });
		const heading = (await header.innerText()).trim();
		const names = async () =>
			await this.creator.evaluate((root, category) => {
				// The items of a category follow its header, up to the next header.
				const all = [...root.querySelectorAll('[data-test-id=node-creator-category-item], [data-test-id=node-creator-item-name]')];
				const start = all.findIndex((el) => el.getAttribute('data-test-id') === 'node-creator-category-item' && el.textContent?.includes(category));
				const out: string[] = [];
				for (const el of all.slice(start + 1)) {
					if (el.getAttribute('data-test-id') === 'node-creator-category-item') break;
					out.push(el.textContent?.trim() ?? '');
				}
				return out;
			}, category);
		if ((await names()).length === 0) {
			await header.click();
			await this.page.waitForTimeout(300);
		}
		return { heading, items: await names() };
	}

	/** The NDV of the node being edited. */
	get ndv() {
		return this.page.locator('[data-test-id=ndv]');
	}

	parameter(name: string) {
		return this.page.locator(`[data-test-id=parameter-input-${name}]`);
	}

	/** The options an options/multiOptions parameter shows when opened (then closed again). */
	async optionsOf(name: string, waitFor?: string): Promise<string[]> {
		const visible = this.page.locator('.el-select-dropdown__item:visible, [role=option]:visible');
		const wanted = waitFor ? visible.filter({ hasText: waitFor }).first() : visible.first();
		// A click that lands while a form or toast is still animating away opens nothing: try again.
		for (let attempt = 1; ; attempt++) {
			await this.parameter(name).click();
			try {
				await wanted.waitFor({ timeout: 10_000 });
				break;
			} catch (error) {
				if (attempt === 3) {
					await this.screenshot(`no-options-${name}`);
					throw error;
				}
				await this.page.keyboard.press('Escape');
			}
		}
		const texts = (await visible.allInnerTexts()).map((text) => text.split('\n')[0].trim());
		await this.page.keyboard.press('Escape');
		await visible.first().waitFor({ state: 'hidden' }).catch(() => undefined);
		return texts;
	}

	async chooseOption(name: string, option: string): Promise<void> {
		await this.parameter(name).click();
		await this.page.locator('.el-select-dropdown__item:visible, [role=option]:visible').filter({ hasText: option }).first().click();
	}

	/** "Execute step" in the NDV; resolves when the node has run (its output or error is shown). */
	async executeStep(): Promise<void> {
		const done = this.page.waitForResponse((response) => /\/rest\/workflows\/[^/]+\/run/.test(response.url()));
		await this.ndv.locator('[data-test-id=node-execute-button]').first().click();
		await done;
		await this.page
			.locator('[data-test-id=output-panel] [data-test-id=ndv-data-container], [data-test-id=output-panel] [data-test-id=node-error-message]')
			.first()
			.waitFor();
	}

	/**
	 * The output panel's JSON view as text, once `expected` shows: JSON-escaped, with every space,
	 * line break and the viewer's indentation dots (·) taken out, e.g. `"action":"created"`.
	 */
	async outputText(expected: string): Promise<string> {
		const panel = this.page.locator('[data-test-id=output-panel]');
		// The view switch renders after the data: waiting for it (rather than clicking it only if it is
		// already there) keeps the panel from staying in the table view, which shows no JSON quotes.
		const json = panel.locator('[data-test-id=radio-button-json]');
		const error = panel.locator('[data-test-id=node-error-message]');
		await json.or(error).first().waitFor();
		if ((await json.count()) > 0) await json.first().click();
		try {
			await panel.getByText(expected).first().waitFor();
		} catch (cause) {
			const shot = await this.screenshot('output-without-expected');
			const shown = (await panel.innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
			throw new Error(`The output panel never showed ${expected} (screenshot ${shot}); it shows: ${shown}`, { cause });
		}
		return (await panel.innerText()).replace(/[\s\u00b7]+/g, '');
	}

	/** Opens the "create credential" form from the NDV's credential field (2.x: a button; 1.x: a select). */
	async openNewCredential(): Promise<void> {
		const empty = this.page.locator('[data-test-id=node-credentials-empty-state]');
		if (this.major >= 2 && (await empty.count()) > 0) {
			await empty.locator('button').first().click();
		} else {
			// A select: with one credential of the type n8n picks it already; "Create new" is its last option.
			await this.page.locator('[data-test-id=node-credentials-select]').click();
			await this.page.getByText('Create new credential').click();
		}
		await this.credentialModal.waitFor();
	}

	get credentialModal() {
		return this.page.locator('[data-test-id=editCredential-modal]');
	}

	/** Picks the product in the credential form (2.x: a dropdown; 1.x: radio buttons). */
	async chooseCredentialProduct(product: string): Promise<void> {
		const modal = this.credentialModal;
		if (this.major >= 2) {
			await modal.locator('[data-test-id=credential-mode-dropdown-trigger]').click();
			await this.page.locator('[role=menuitem]:visible, .el-dropdown-menu__item:visible').filter({ hasText: product }).first().click();
		} else {
			await modal.locator('[data-test-id=node-auth-type-selector]').getByText(product, { exact: true }).click();
		}
		await modal.getByText(`${product} API`).first().waitFor();
	}

	/** Fills the credential form; `ca` goes into "CA Certificate", `skip` turns verification off. */
	async fillCredential(fields: { url: string; username: string; password: string; ca?: string; skip?: boolean }): Promise<void> {
		const modal = this.credentialModal;
		await modal.locator('[data-test-id=parameter-input-url] input').fill(fields.url);
		await modal.locator('[data-test-id=parameter-input-username] input').fill(fields.username);
		await modal.locator('[data-test-id=parameter-input-password] input').fill(fields.password);
		if (fields.ca) await modal.locator('[data-test-id=parameter-input-caCertificate] textarea').fill(fields.ca);
		if (fields.skip) await modal.locator('[data-test-id=parameter-input-skipTlsVerification] .el-switch').click();
	}

	/**
	 * Saves the credential form; n8n tests the credential on save. Returns n8n's test answer
	 * (what the form then shows) as the browser received it.
	 */
	async saveCredential(): Promise<{ status: string; message: string }> {
		const tested = this.page.waitForResponse((response) => response.url().endsWith('/rest/credentials/test'));
		await this.credentialModal.locator('[data-test-id=credential-save-button]').click();
		const body = (await (await tested).json()) as { data: { status: string; message: string } };
		return body.data;
	}

	/** The text the form shows for a failed test, its "More details" opened. */
	async credentialTestError(): Promise<string> {
		const modal = this.credentialModal;
		await modal.getByText('Couldn’t connect with these settings').first().waitFor();
		const details = modal.getByText('More details');
		if (await details.isVisible()) await details.click();
		return await modal.innerText();
	}

	async closeCredential(): Promise<void> {
		if (await this.credentialModal.isVisible()) {
			await this.page.keyboard.press('Escape');
			await this.credentialModal.waitFor({ state: 'detached' }).catch(() => undefined);
		}
	}

	/**
	 * What the page reported as going wrong since the last call, except what `expected` matches
	 * (each test takes its own).
	 */
	async takeProblems(expected: RegExp[] = []): Promise<PageProblem[]> {
		const toasts = await this.page.evaluate(() => {
			const page = globalThis as unknown as { __errorToasts?: string[] };
			return (page.__errorToasts ?? []).splice(0);
		});
		this.recorded.push(...toasts.map((text) => ({ kind: 'toast' as const, text })));
		const taken = this.recorded.splice(0, this.recorded.length);
		return taken.filter((problem) => !expected.some((pattern) => pattern.test(problem.text)));
	}

	async screenshot(label: string): Promise<string> {
		const file = join(this.shotDir, `${String(++this.shots).padStart(2, '0')}-${label}.png`);
		await this.page.screenshot({ path: file });
		return file;
	}

	async close(): Promise<void> {
		await this.browser.close();
	}
}
