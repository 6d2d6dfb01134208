import type { IExecuteFunctions, INodeExecutionData, INodePropertyOptions, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { listSearch, loadOptions } from './methods';

/** Each operation's action, by `resource:operation` ("Get many users"): what the canvas shows under the node. */
const ACTIONS: Record<string, string> = Object.fromEntries(
	versionDescription.properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			((p.displayOptions?.show?.resource ?? []) as string[]).flatMap((resource) =>
				((p.options ?? []) as INodePropertyOptions[]).map((o) => [`${resource}:${String(o.value)}`, o.action ?? o.name]),
			),
		),
);

export class Veeam implements INodeType {
	// icon, subtitle and usableAsTool are set here, not in versionDescription: n8n's package lint
	// (@n8n/eslint-plugin-community-nodes) reads them from the class, and checks the icon file.
	description: INodeTypeDescription = {
		...versionDescription,
		icon: { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' },
		subtitle: `={{ ${JSON.stringify(ACTIONS)}[$parameter["resource"] + ":" + $parameter["operation"]] }}`,
		usableAsTool: true,
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
