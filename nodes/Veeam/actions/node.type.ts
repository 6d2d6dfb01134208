import type { AllEntities, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../client/adapters';

type NodeMap = {
	user:
		| 'onboard'
		| 'promote'
		| 'offboard'
		| 'get'
		| 'getMany'
		| 'resetMfa'
		| 'requireMfa'
		| 'stopRequiringMfa'
		| 'setServiceAccountMode'
		| 'changePassword'
		| 'sync'
		| 'accessReport';
	mfa: 'enable' | 'accept' | 'disable' | 'recreate';
	role: 'create' | 'update' | 'clone' | 'delete' | 'get' | 'getMany';
	authorizationEvent: 'get' | 'getMany';
	backupAccess: 'get' | 'getMany' | 'changeOwner' | 'setEffectiveAccess';
	restoreOperator: 'grant' | 'revoke' | 'offboard' | 'get' | 'getMany' | 'sync' | 'accessReport';
};

export type VeeamType = AllEntities<NodeMap>;
export type VeeamResource = VeeamType['resource'];

/**
 * What every `*.operation.ts` exports. The router first runs `prepare` for every item (reading
 * and checking parameters, resolving role names: read-only), then `execute` for each item that
 * passed, so a bad item stops the run before anything has been changed.
 */
/** The user an item is about: by name, or by the product's reference (list / id). */
export interface UserTarget {
	mode: string;
	value: string;
}

export interface VeeamOperation<P = unknown> {
	description: INodeProperties[];
	/** Present when each item is about one user: the router groups items by it and may prefetch users. */
	target?(params: P): UserTarget;
	/**
	 * What item runs must not overlap with (the same key: one after another, in input order), for an
	 * operation whose items are not about one user (Veeam Backup for Microsoft 365: an organization,
	 * a role, an operator). Unlike `target`, it never makes the router read the user list.
	 */
	serialKey?(params: P): string;
	/** True when its outputs say a user was created, updated or deleted: the router reads them back (confirm.ts). */
	confirms?: boolean;
	/** Reads and checks item `i`'s parameters. May read from the server, never changes anything. */
	prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<P>;
	/** Carries out item `i`; returns one output item or several. */
	execute(this: IExecuteFunctions, params: P, directory: UserDirectory, i: number): Promise<IDataObject | IDataObject[]>;
}

/**
 * An operation over the input as a whole (Sync, Access Report): one result for all items, so it
 * pairs its output items itself. `prepare` reads and checks every item first (read-only), as for
 * item operations; a bad item fails the whole run, since the rest cannot be trusted without it.
 */
export interface VeeamBatchOperation<P = unknown> {
	description: INodeProperties[];
	batch: true;
	/** Reads and checks the parameters of all `itemCount` items; throws per-item errors (see `ItemErrors`). */
	prepare(this: IExecuteFunctions, itemCount: number, directory: UserDirectory): Promise<P>;
	execute(this: IExecuteFunctions, params: P, directory: UserDirectory, itemCount: number): Promise<INodeExecutionData[]>;
}

/** Every operation of a resource, so that a missing one is a compile error. */
export type OperationMap<R extends VeeamResource> = {
	[O in Extract<VeeamType, { resource: R }>['operation']]: VeeamOperation | VeeamBatchOperation;
};
