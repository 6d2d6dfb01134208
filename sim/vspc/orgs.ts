/**
 * `/api/v3/organizations…`: the organizations a caller sees (provider, resellers, companies), the
 * companies (all, one, a reseller's; `expand=Organization`), and an organization's MFA policy. The
 * 3.6.1 spec's GetOrganizations, GetCompanies, GetCompany, GetCompaniesByReseller,
 * GetOrganizationPolicySettings (sim/contracts/vspc.md, "Organizations and companies").
 */
import type { SimRequest, SimResponse } from '../core/http';
import type { VspcCaller } from './auth';
import { vspcBadRequest, vspcForbidden, vspcNotFound } from './errors';
import type { VspcOrg, VspcRole } from './model';
import { pageAnswer, parseListQuery, project, selectAndOrder, type QueryLimits } from './query';
import type { VspcStore } from './store';
import { COMPANY_FIELDS, companyView, ORG_FIELDS, orgMfaPolicy, orgView } from './views';

/** `x-veeam-vspc-admitted-roles` of GetOrganizationPolicySettings and of a reseller's companies (3.6.1 spec). */
const ADMITTED_TO_POLICY: readonly VspcRole[] = ['PortalAdministrator', 'CompanyOwner', 'PortalOperator', 'ResellerOwner', 'ResellerAdministrator', 'SiteAdministrator', 'CompanyAdministrator', 'PortalReadonlyOperator'];
const ADMITTED_TO_RESELLER_COMPANIES: readonly VspcRole[] = ['PortalAdministrator', 'ResellerOwner', 'ResellerAdministrator'];

function expandOrganization(query: URLSearchParams): boolean {
	const values = query.getAll('expand').flatMap((v) => v.split(','));
	for (const v of values) if (v !== '' && v !== 'Organization') throw vspcBadRequest(`The expand value ${v} is not supported: Organization.`, { parameterName: 'expand' });
	return values.includes('Organization');
}

export class VspcOrganizations {
	constructor(
		private readonly store: VspcStore,
		private readonly limits: () => QueryLimits,
	) {}

	/** The organizations the caller sees: the provider sees all; a reseller itself and its companies; a company itself (assumed). */
	private visibleOrgs(caller: VspcCaller): VspcOrg[] {
		const inScope = this.store.orgScope(caller.org);
		return [...this.store.orgs.values()].filter((o) => inScope(o.uid));
	}

	organizations(req: SimRequest, caller: VspcCaller): SimResponse {
		const q = parseListQuery(req.query, ORG_FIELDS, this.limits());
		return pageAnswer(selectAndOrder(this.visibleOrgs(caller).map(orgView), q), q);
	}

	/** `expand=Organization` adds `_embedded.organization` (the spec's CompanyExpand). */
	companies(req: SimRequest, caller: VspcCaller, resellerUid?: string): SimResponse {
		if (resellerUid !== undefined) {
			if (!ADMITTED_TO_RESELLER_COMPANIES.includes(caller.user.role)) throw vspcForbidden();
			const reseller = this.store.orgs.get(resellerUid);
			if (reseller?.type !== 'Reseller' || !this.store.orgScope(caller.org)(resellerUid)) throw vspcNotFound(`The reseller ${resellerUid} does not exist.`);
		}
		const q = parseListQuery(req.query, COMPANY_FIELDS, this.limits());
		const expand = expandOrganization(req.query);
		const list = this.visibleOrgs(caller)
			.filter((o) => o.type === 'Company' && (resellerUid === undefined || o.resellerUid === resellerUid))
			.map((o) => companyView(o, this.store, expand));
		return pageAnswer(selectAndOrder(list, q), q);
	}

	/** `GET /organizations/{organizationUid}/configuration/policy`: `{ mfaPolicyStatus, enforceMfaPolicy }`. */
	policy(req: SimRequest, caller: VspcCaller): SimResponse {
		if (!ADMITTED_TO_POLICY.includes(caller.user.role)) throw vspcForbidden();
		const uid = req.params.organizationUid;
		const org = this.store.orgs.get(uid);
		if (!org || !this.store.orgScope(caller.org)(uid)) throw vspcNotFound(`The organization ${uid} does not exist.`);
		return { status: 200, body: { data: { mfaPolicyStatus: orgMfaPolicy(org, this.store), enforceMfaPolicy: org.enforceMfaPolicy ?? false } } };
	}

	company(req: SimRequest, caller: VspcCaller): SimResponse {
		const uid = req.params.companyUid;
		const org = this.store.companyByUid(uid);
		if (!org || !this.store.orgScope(caller.org)(org.uid)) throw vspcNotFound(`The company ${uid} does not exist.`);
		const q = parseListQuery(req.query, COMPANY_FIELDS, this.limits(), false);
		return { status: 200, body: { data: project(companyView(org, this.store, expandOrganization(req.query)), q.select) } };
	}
}
