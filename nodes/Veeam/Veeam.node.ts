import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { listSearch, loadOptions } from './methods';

export class Veeam implements INodeType {
	// icon, subtitle and usableAsTool are set here, not in versionDescription: n8n's package lint
	// (@n8n/eslint-plugin-community-nodes) reads them from the class, and checks the icon file.
	description: INodeTypeDescription = {
		...versionDescription,
		icon: 'file:veeam.svg',
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		usableAsTool: true,
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
