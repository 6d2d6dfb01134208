/**
 * How the Veeam Backup for Microsoft Azure simulator reads request values as ASP.NET Core binds
 * them (sim/contracts/azure.md): an `int32` query parameter, a JSON string property, and `role` in
 * the shape of the path's API version. A value of another type is a validation error (400
 * problem details with `errors`); the wordings are assumed (System.Text.Json's and ASP.NET's).
 */
import { badRequest } from '../core/http';
import { AZURE_ROLES, type AzureRole, type RoleShape } from './model';
import { invalidField } from './problem';

/** An `int32` query parameter (`fallback` when absent or empty), at least `min`. */
export function queryInteger(raw: string | undefined, name: string, fallback: number, min: number): number {
	if (raw === undefined || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw) || Number(raw) > 2_147_483_647 || Number(raw) < -2_147_483_648) throw invalidField(name, `The value '${raw}' is not valid for ${name}.`);
	if (Number(raw) < min) throw invalidField(name, `The field ${name} must be between ${min} and 2147483647.`);
	return Number(raw);
}

/**
 * `role` in a body, in `shape` (one string on v5 … v8.1, an array on v3 only: azureRoleShape): the other
 * shape is a JSON conversion error (400 with `errors["$.role"]`), a value outside `RbacRole` too.
 */
export function bodyRole(value: unknown, shape: RoleShape): AzureRole {
	const wrong = shape === 'array' ? !Array.isArray(value) : typeof value !== 'string';
	const target = shape === 'array' ? 'System.Collections.Generic.List`1[Veeam.Azure.REST.Latest.RbacRole]' : 'Veeam.Azure.REST.Latest.RbacRole';
	const refuse = () => invalidField('$.role', `The JSON value could not be converted to ${target}. Path: $.role`);
	if (wrong) throw refuse();
	const values = Array.isArray(value) ? value : [value];
	if (values.length !== 1) throw badRequest('A user has exactly one role.');
	const role = AZURE_ROLES.find((r) => r === values[0]);
	if (!role) throw refuse();
	return role;
}

/** A string property of a body: a string or null (absent), else a JSON conversion error. */
export function bodyText(body: Record<string, unknown>, field: string): string | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw invalidField(`$.${field}`, `The JSON value could not be converted to System.String. Path: $.${field}`);
	return value;
}
