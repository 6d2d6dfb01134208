import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

/**
 * The demo's ticketing system: a tiny HTTP service on 127.0.0.1 that files tickets, and a node
 * that calls it — a stand-in for a Jira / ServiceNow node or an HTTP Request node.
 */
export interface Ticket {
	id: string;
	title: string;
	account: string;
}

/** Where the leftover account lives (`directoryAccountKind` of Offboard's output). */
const WHERE: Record<string, string> = { windows: 'Windows (Active Directory or local)', identityProvider: 'identity-provider (SSO)' };

export class TicketDesk {
	readonly tickets: Ticket[] = [];
	private server?: Server;
	url = '';

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			req.on('end', () => {
				const input = JSON.parse(body || '{}') as { title?: string; account?: string };
				const ticket: Ticket = {
					id: `IT-${1000 + this.tickets.length + 1}`,
					title: String(input.title ?? ''),
					account: String(input.account ?? ''),
				};
				this.tickets.push(ticket);
				res.writeHead(201, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(ticket));
			});
		});
		this.server.listen(0, '127.0.0.1');
		await once(this.server, 'listening');
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tickets`;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.close();
		await once(this.server, 'close');
	}
}

/** Opens a ticket for each item whose offboarding left an Active Directory account behind. */
export class DemoTicketDeskNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Ticket Desk (demo)',
		name: 'demoTicketDesk',
		group: ['output'],
		version: 1,
		description: 'Opens a ticket to remove each leftover directory account',
		defaults: { name: 'Ticket Desk' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Ticket API URL', name: 'url', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const json = items[i].json;
			if (json.directoryAccountRemains !== true) continue;
			const account = String(json.directoryAccount);
			const ticket = (await this.helpers.httpRequest({
				method: 'POST',
				url: this.getNodeParameter('url', i) as string,
				body: { title: `Remove the ${WHERE[String(json.directoryAccountKind)] ?? 'directory'} account ${account} (left Veeam)`, account },
				json: true,
			})) as IDataObject;
			out.push({ json: ticket, pairedItem: { item: i } });
		}
		return [out];
	}
}
