/**
 * Offboard's "ticket for the directory": the groups that are operators of a role AND contain the
 * person, so that their restore rights outlive the offboarding until someone removes them from the
 * group in Microsoft 365. A group's members are read with GET /Organizations/{id}/Groups/{id}/Members
 * (helpcenter.veeam.com/docs/vbo365/rest, "Get Organization Group Members"), which names members
 * by `login` and `name` only (no ID): the person is matched by login (e-mail / UPN), without regard
 * to case. A member that is itself a group is looked up by its login or name and read in turn (up to
 * 3 levels). Whatever cannot be read is "cannot tell", never "no group grants it".
 */
import type { IDataObject } from 'n8n-workflow';

import { runPool } from '../../../../client/pool';
import type { Vb365Access, Vb365Operator, Vb365Organization, Vb365Role } from '../../../../client/vb365Model';
import { organizationOutput, principalOutput } from '../../helpers/vb365';

const MAX_DEPTH = 3;

/** What the group members read are: VB365's view of the organization, not Microsoft 365 live (audit G1). */
export const MEMBERSHIP_AS_OF =
	'as Veeam Backup for Microsoft 365 last synchronized the organization (its default data source, PreferLocal: the organization cache when synchronized); a change made in Microsoft 365 since may not show yet';

export interface GroupFinding {
	organization: Vb365Organization;
	group: Vb365Operator;
	roles: Vb365Role[];
	/** `grants`: the person is a member (directly, or through the nested groups in `via`); `cannotTell`: `reason`. */
	verdict: 'grants' | 'notMember' | 'cannotTell';
	via?: string[];
	reason?: string;
	/** The person's login (e-mail / UPN) in that organization, when known. */
	login?: string;
}

/** What one organization's check needs: its roles (operators read) and the person's login there, if known. */
export interface OrganizationCheck {
	organization: Vb365Organization;
	roles: Vb365Role[];
	login?: string;
}

const same = (a: string | undefined, b: string) => a !== undefined && a !== '' && a.toLowerCase() === b.toLowerCase();
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Whether the group with `groupId` contains `login`, following nested groups; a reason when it cannot tell. */
async function contains(access: Vb365Access, orgId: string, groupId: string, login: string, depth: number, seen: Set<string>): Promise<{ member: boolean; via?: string[]; reason?: string }> {
	seen.add(groupId.toLowerCase());
	let members;
	try {
		members = await access.groupMembers(orgId, groupId);
	} catch (error) {
		return { member: false, reason: `its members could not be read: ${messageOf(error)}` };
	}
	if (members.some((m) => (m.type ?? 'User').toLowerCase() !== 'group' && same(m.login, login))) return { member: true };
	const reasons: string[] = [];
	for (const nested of members.filter((m) => (m.type ?? '').toLowerCase() === 'group')) {
		const label = nested.login || nested.name;
		if (depth >= MAX_DEPTH) {
			reasons.push(`the nested group "${label}" is more than ${MAX_DEPTH} levels deep`);
			continue;
		}
		const group = await access.findPrincipal(orgId, label, 'group', 'Group').catch(() => undefined);
		if (!group) {
			reasons.push(`the nested group "${label}" could not be found to read its members`);
			continue;
		}
		if (seen.has(group.id.toLowerCase())) continue;
		const inner = await contains(access, orgId, group.id, login, depth + 1, seen);
		if (inner.member) return { member: true, via: [group.displayName || label, ...(inner.via ?? [])] };
		if (inner.reason) reasons.push(`in the nested group "${label}": ${inner.reason}`);
	}
	return reasons.length ? { member: false, reason: reasons.join('; ') } : { member: false };
}

/** Every group operator of the organizations' roles, checked for the person (8 groups at once). */
export async function checkGroups(access: Vb365Access, checks: OrganizationCheck[]): Promise<GroupFinding[]> {
	const groups: Array<Omit<GroupFinding, 'verdict'>> = [];
	for (const check of checks) {
		const byId = new Map<string, { group: Vb365Operator; roles: Vb365Role[] }>();
		for (const role of check.roles) {
			for (const op of (role.operators ?? []).filter((o) => o.kind === 'group')) {
				const entry = byId.get(op.id.toLowerCase()) ?? { group: op, roles: [] };
				entry.roles.push(role);
				byId.set(op.id.toLowerCase(), entry);
			}
		}
		for (const entry of byId.values()) groups.push({ organization: check.organization, ...entry, login: check.login });
	}
	const outcomes = await runPool(
		groups.length,
		async (n): Promise<GroupFinding> => {
			const g = groups[n];
			const login = g.login;
			if (!login) return { ...g, verdict: 'cannotTell', reason: "the person's e-mail address (UPN) in this organization is not known: give it as the Person" };
			const found = await contains(access, g.organization.id, g.group.id, login, 1, new Set());
			if (found.member) return { ...g, verdict: 'grants', ...(found.via ? { via: found.via } : {}) };
			return found.reason ? { ...g, verdict: 'cannotTell', reason: found.reason } : { ...g, verdict: 'notMember' };
		},
		{ concurrency: 8, stopOnError: false },
	);
	return outcomes.map((o, n) => (o?.ok ? o.value : { ...groups[n], verdict: 'cannotTell', reason: messageOf(o?.error) }));
}

function findingOutput(f: GroupFinding): IDataObject {
	return {
		organization: organizationOutput(f.organization),
		group: principalOutput(f.group),
		roles: f.roles.map((r) => ({ id: r.id, name: r.name })),
		...(f.login ? { personLogin: f.login } : {}),
		...(f.via ? { via: f.via } : {}),
		...(f.reason ? { reason: f.reason } : {}),
	};
}

/** The findings as output fields, with one line per group to hand to whoever manages the directory. */
export function groupsOutput(findings: GroupFinding[], person: string): IDataObject {
	const grants = findings.filter((f) => f.verdict === 'grants');
	const unknown = findings.filter((f) => f.verdict === 'cannotTell');
	const roleNames = (f: GroupFinding) => f.roles.map((r) => `"${r.name}"`).join(', ');
	const groupName = (f: GroupFinding) => f.group.displayName || f.group.name;
	return {
		groupsStillGranting: grants.map(findingOutput),
		groupsCannotTell: unknown.map(findingOutput),
		// complete: every group operator's members were read; the person is in none of them but those listed.
		groupCheck: unknown.length ? 'incomplete' : 'complete',
		// Members are read with Veeam's default data source (PreferLocal: "from the organization cache
		// database if organization objects are already synchronized"): said, not hidden (audit G1).
		...(findings.length ? { groupMembershipAsOf: MEMBERSHIP_AS_OF } : {}),
		directoryFollowUp: [
			...grants.map((f) => `Remove ${f.login ?? person} from the group "${groupName(f)}" of ${f.organization.name}${f.via ? ` (a member through ${f.via.map((v) => `"${v}"`).join(' → ')})` : ''}: it makes them a restore operator of ${roleNames(f)}.`),
			...unknown.map((f) => `Check whether ${f.login ?? person} is in the group "${groupName(f)}" of ${f.organization.name} (restore operator of ${roleNames(f)}): cannot tell, ${f.reason}.`),
		],
	};
}
