/**
 * `GET /api/v1/security/users` of the VBR simulator: paging, order and the filters of the published
 * specs (`UserFilters`; 1.3-rev2 adds `mfaEnabledFilter` and `orderColumn=MfaEnabled`).
 */
import { badRequest, boolParam, intParam, type SimRequest, type SimResponse } from '../core/http';
import { compareNames, documentedNameMatcher, enumParam, ok, ver, VBR_USER_TYPES, type VbrUser, type VbrUserType } from './model';

/** `EUserFiltersOrderColumn`: 1.3-rev2 adds `MfaEnabled`. */
const USER_ORDER_COLUMNS = ['Name', 'Type', 'IsServiceAccount'] as const;
const USER_ORDER_COLUMNS_REV2 = [...USER_ORDER_COLUMNS, 'MfaEnabled'] as const;

export interface UserListDeps {
	/** Every user, sorted by name. */
	sorted: VbrUser[];
	maxPageSize: number;
	/** The role's name as the API of `version` shows it. */
	roleName(id: string, version: string): string;
	/** Whether MFA applies to the user now. */
	mfa(user: VbrUser): boolean;
	model(user: VbrUser, version: string): Record<string, unknown>;
}

export function listUsers(req: SimRequest, deps: UserListDeps): SimResponse {
	const q = req.query;
	const skip = intParam(q, 'skip', 0, 0);
	const limit = Math.min(intParam(q, 'limit', 200, 1), deps.maxPageSize);
	const version = ver(req);
	const rev1 = version === '1.3-rev1';
	const orderColumn = enumParam(q, 'orderColumn', rev1 ? USER_ORDER_COLUMNS : USER_ORDER_COLUMNS_REV2);
	const orderAsc = boolParam(q, 'orderAsc') ?? true;
	const nameFilter = q.get('nameFilter');
	// An array parameter (OpenAPI 3.0, no `style`: form, explode) comes as repeated keys,
	// `typeFilter=ExternalUser&typeFilter=ExternalGroup`. Each value is one EUserType: a
	// comma-joined value is not one, and is refused as an unknown value.
	const typeFilter = q.getAll('typeFilter');
	for (const t of typeFilter) {
		if (!VBR_USER_TYPES.includes(t as VbrUserType)) throw badRequest(`Unknown typeFilter value ${t}.`);
	}
	const roleIdFilter = q.get('roleIdFilter');
	const roleNameFilter = q.get('roleNameFilter')?.toLowerCase();
	const isServiceAccountFilter = boolParam(q, 'isServiceAccountFilter');
	// `mfaEnabledFilter` is 1.3-rev2's (UserFilters); 1.3-rev1 has no such parameter and, as an
	// unknown query parameter, ignores it.
	const mfaEnabledFilter = rev1 ? undefined : boolParam(q, 'mfaEnabledFilter');

	let list = deps.sorted;
	const filtered =
		nameFilter || typeFilter.length || roleIdFilter || roleNameFilter || isServiceAccountFilter !== undefined || mfaEnabledFilter !== undefined;
	if (filtered) {
		const nameMatch = nameFilter ? documentedNameMatcher(nameFilter) : undefined;
		list = list.filter(
			(u) =>
				(!nameMatch || nameMatch(u.name)) &&
				(!typeFilter.length || typeFilter.includes(u.type)) &&
				(!roleIdFilter || u.roleIds.includes(roleIdFilter.toLowerCase())) &&
				(!roleNameFilter || u.roleIds.some((id) => deps.roleName(id, version).toLowerCase() === roleNameFilter)) &&
				(isServiceAccountFilter === undefined || u.isServiceAccount === isServiceAccountFilter) &&
				(mfaEnabledFilter === undefined || deps.mfa(u) === mfaEnabledFilter),
		);
	}
	if (orderColumn && orderColumn !== 'Name') {
		const key: Record<string, (u: VbrUser) => string> = {
			Type: (u) => u.type,
			IsServiceAccount: (u) => String(u.isServiceAccount),
			MfaEnabled: (u) => String(deps.mfa(u)),
		};
		const by = key[orderColumn];
		list = [...list].sort((a, b) => by(a).localeCompare(by(b)) || compareNames(a.name, b.name));
	}
	if (!orderAsc) list = [...list].reverse();
	const page = list.slice(skip, skip + limit);
	return ok({
		data: page.map((u) => deps.model(u, version)),
		pagination: { total: list.length, count: page.length, skip, limit },
	});
}
