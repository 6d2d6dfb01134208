import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { productCredentials } from '../../client/products';
import { usableAsTool } from './actions/asTool';
import { properties } from './actions/properties';
import { router } from './actions/router';
import { listSearch, loadOptions } from './methods';

/** Each operation's action, by `resource:operation` ("Get many users"): what the canvas shows under the node. */
const ACTIONS: Record<string, string> = Object.fromEntries(
	properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			((p.displayOptions?.show?.resource ?? []) as string[]).flatMap((resource) =>
				((p.options ?? []) as INodePropertyOptions[]).map((o) => [`${resource}:${String(o.value)}`, o.action ?? o.name]),
			),
		),
);

export class Veeam implements INodeType {
	// The whole description is written here, in the class: n8n's lint rules and its community-package
	// scanner read it from the class in the file named after the node (Veeam.node.ts for `veeam`).
	description: INodeTypeDescription = {
		displayName: 'Veeam',
		name: 'veeam',
		icon: { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ ${JSON.stringify(ACTIONS)}[$parameter["resource"] + ":" + $parameter["operation"]] }}`,
		description:
			'Onboard, promote and offboard the users of Veeam Backup & Replication, Veeam Backup for Google Cloud, AWS and Microsoft Azure, and of Veeam Service Provider Console companies, sync them with a list, report on their access, manage their MFA, and read users and roles; grant and revoke the restore operator roles of Veeam Backup for Microsoft 365',
		defaults: {
			name: 'Veeam',
		},
		// NodeConnectionTypes.Main is the string 'main' (n8n-workflow 1.x and 2.x alike).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// As an AI Agent's tool: what the model is told (actions/asTool.ts).
		usableAsTool,
		// One credential per product, shown for its product.
		credentials: productCredentials(),
		properties,
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
