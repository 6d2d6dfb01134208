/**
 * No module state under client/, nodes/ and credentials/: n8n runs many executions at once in one process,
 * and in queue mode on several workers, so anything a module keeps between calls is shared by
 * executions that must not share it (or differs between workers). Checked on the source with the
 * TypeScript compiler, at module level:
 * - no `let` or `var` (a binding that can change);
 * - no `const` holding an object built at load time (`new X()`), but for lookup tables and patterns
 *   (`new Set`, `new Map`, `new RegExp`) that nothing changes, and no regular expression with the
 *   `g` or `y` flag (it keeps `lastIndex`);
 * - no static class field that is not `readonly`;
 * - no function that mutates a module-level binding: assigns to it or to a property of it, or calls
 *   a mutating method on it (set, add, push, delete, clear, splice, …).
 * State belongs in the execution (the adapter, the RequestGroup, the pool) or in n8n's static data.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const LOOKUP_CONSTRUCTORS = new Set(['Set', 'Map', 'RegExp']);
const MUTATORS = new Set(['set', 'add', 'push', 'pop', 'shift', 'unshift', 'splice', 'delete', 'clear', 'sort', 'reverse', 'fill', 'copyWithin', 'assign']);

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sources(path);
		return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
	});
}

/** The module-state problems of one file, as `line: what`. */
export function moduleStateProblems(file: string, text: string): string[] {
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	const problems: string[] = [];
	const at = (node: ts.Node, what: string) => problems.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
	const moduleNames = new Set<string>();

	for (const statement of source.statements) {
		if (ts.isVariableStatement(statement)) {
			const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
			for (const decl of statement.declarationList.declarations) {
				const name = decl.name.getText(source);
				moduleNames.add(name);
				if (!isConst) at(decl, `module-level ${statement.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var'} ${name}`);
				let init = decl.initializer;
				while (init && (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
				if (init && ts.isNewExpression(init)) {
					const kind = init.expression.getText(source);
					const flags = kind === 'RegExp' && init.arguments?.[1] && ts.isStringLiteral(init.arguments[1]) ? init.arguments[1].text : '';
					// A lookup table (Set, Map) or pattern built once is a constant as long as nothing changes it (below).
					if (!LOOKUP_CONSTRUCTORS.has(kind)) at(decl, `module-level ${name} = new ${kind}(…)`);
					else if (/[gy]/.test(flags)) at(decl, `module-level regular expression ${name} with the g or y flag`);
				}
				if (init && ts.isRegularExpressionLiteral(init) && /\/[a-z]*[gy][a-z]*$/.test(init.text)) at(decl, `module-level regular expression ${name} with the g or y flag`);
			}
		}
		if (ts.isClassDeclaration(statement)) {
			for (const member of statement.members) {
				const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
				const isStatic = modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
				const isReadonly = modifiers.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword);
				if (ts.isPropertyDeclaration(member) && isStatic && !isReadonly) at(member, `static field ${member.name.getText(source)} that is not readonly`);
			}
		}
	}

	/** The module-level binding an expression starts from (`cache` in `cache.x[1]`), if any. */
	const rootName = (expr: ts.Expression): string | undefined => {
		let e = expr;
		while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
		return ts.isIdentifier(e) && moduleNames.has(e.text) ? e.text : undefined;
	};
	/** Whether `name` at `node` is shadowed by a local of an enclosing function (parameters and declarations). */
	const shadowed = (node: ts.Node, name: string): boolean => {
		for (let p: ts.Node | undefined = node.parent; p && p !== source; p = p.parent) {
			if (ts.isFunctionLike(p) && p.parameters.some((param) => param.name.getText(source) === name)) return true;
			if (ts.isBlock(p) || ts.isSourceFile(p)) {
				const declares = p.statements.some(
					(s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => d.name.getText(source) === name),
				);
				if (declares && !ts.isSourceFile(p)) return true;
			}
		}
		return false;
	};
	const insideFunction = (node: ts.Node) => {
		for (let p: ts.Node | undefined = node.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return true;
		return false;
	};
	const visit = (node: ts.Node) => {
		if (insideFunction(node)) {
			if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
				const name = rootName(node.left);
				if (name && !shadowed(node, name)) at(node, `a function assigns to module-level ${name}`);
			}
			if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(node.operator)) {
				const name = rootName(node.operand);
				if (name && !shadowed(node, name)) at(node, `a function changes module-level ${name}`);
			}
			if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && MUTATORS.has(node.expression.name.text)) {
				const target = node.expression.expression;
				const name = rootName(target);
				// Object.assign(moduleThing, …) mutates its first argument.
				const assigned = node.expression.name.text === 'assign' && ts.isIdentifier(target) && target.text === 'Object' && node.arguments[0] ? rootName(node.arguments[0]) : undefined;
				const culprit = node.expression.name.text === 'assign' ? assigned : name;
				if (culprit && !shadowed(node, culprit)) at(node, `a function calls ${node.expression.name.text}() on module-level ${culprit}`);
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return problems;
}

describe('no module state in client/, nodes/ and credentials/', () => {
	const files = [...sources(join(ROOT, 'client')), ...sources(join(ROOT, 'nodes')), ...sources(join(ROOT, 'credentials'))];

	it('finds the files (the check is not vacuous)', () => {
		expect(files.length).toBeGreaterThan(40);
	});

	it.each(files.map((f) => [relative(ROOT, f)]))('%s keeps no mutable state at module level', (file) => {
		expect(moduleStateProblems(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
	});

	it('catches each kind of module state it looks for', () => {
		const bad = [
			'let token = "";',
			'var hits = 0;',
			'const cache = new Map<string, string>();',
			'const re = /x/g;',
			'const group = new RequestGroup();',
			'const seen: string[] = [];',
			'class A { static count = 0; static readonly fine = 1; }',
			'function f(x: string) { token = x; seen.push(x); cache.set(x, x); Object.assign(state, {}); }',
			'const state = {};',
			'function g(seen: string[]) { seen.push("local"); }',
		].join('\n');
		expect(moduleStateProblems('bad.ts', bad)).toEqual([
			'1: module-level let token',
			'2: module-level var hits',
			'4: module-level regular expression re with the g or y flag',
			'5: module-level group = new RequestGroup(…)',
			'7: static field count that is not readonly',
			'8: a function assigns to module-level token',
			'8: a function calls push() on module-level seen',
			'8: a function calls set() on module-level cache',
			'8: a function calls assign() on module-level state',
		]);
	});
});
