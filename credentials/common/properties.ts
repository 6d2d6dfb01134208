import type { INodeProperties } from 'n8n-workflow';

import { AUTOMATIC_API_VERSION } from '../../client/login/fields';
import { FOUND_API_VERSION_FIELD } from '../../client/login/versions';

const AUTOMATIC_DESCRIPTION =
	'Automatic (the default) finds the newest of the versions listed here that the server accepts, at the login, keeps it with the token and finds it again after a server upgrade or downgrade. Choose a version to pin it.';

/** Credential fields every Veeam product shares, in the order the user fills them in. */
export function connectionProperties(opts: {
	urlPlaceholder: string;
	usernamePlaceholder: string;
	/** The versions the package knows, oldest first (the product row's `offeredVersions`). */
	versions: ReadonlyArray<{ readonly name: string; readonly value: string }>;
	/** How the version reaches the server, when not as the x-api-version header. */
	versionDescription?: string;
	customVersionPlaceholder?: string;
}): INodeProperties[] {
	return [
		{
			displayName: 'Server URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: opts.urlPlaceholder,
			required: true,
			description: 'Address of the Veeam server: https://host or https://host:port, without a path',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			placeholder: opts.usernamePlaceholder,
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: [
				{ name: 'Automatic (Newest the Server Accepts)', value: AUTOMATIC_API_VERSION },
				...opts.versions.map((v) => ({ name: v.name, value: v.value })),
				{ name: 'Custom', value: 'custom' },
			],
			default: AUTOMATIC_API_VERSION,
			description: `${opts.versionDescription ?? 'Sent as x-api-version on every request. A server accepts the versions of its own release and some earlier ones (Veeam\'s Versioning table), not every older one.'} ${AUTOMATIC_DESCRIPTION}`,
		},
		{
			displayName: 'Custom API Version',
			name: 'customApiVersion',
			type: 'string',
			default: '',
			placeholder: opts.customVersionPlaceholder ?? '1.3-rev2',
			displayOptions: { show: { apiVersion: ['custom'] } },
		},
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				"PEM of the server's self-signed certificate or of the CA that signed it: the server's certificate is then verified against it. n8n 1.x does not use this field: there, give n8n the CA with the NODE_EXTRA_CA_CERTS environment variable, or turn on Skip Certificate Validation.",
		},
		{
			displayName: 'Skip Certificate Validation',
			name: 'skipTlsVerification',
			type: 'boolean',
			default: false,
			description:
				'Whether to accept any certificate, without verifying it (insecure). On n8n 2.x ignored when a CA Certificate is given; on n8n 1.x, which does not use that field, it applies.',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 600 },
			default: 30,
			description:
				'How long to wait for each answer from the server. A read that times out is retried; a change is checked on the server before it is sent again.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Token Expires At',
			name: 'tokenExpiresAt',
			type: 'hidden',
			default: '',
		},
		{
			// "Automatic": the version found at the last login, stored with the token by preAuthentication.
			displayName: 'API Version Found',
			name: FOUND_API_VERSION_FIELD,
			type: 'hidden',
			default: '',
		},
	];
}

/** The TOTP Secret field, after the password: for products whose login may ask for an MFA code. */
export function withTotpSecret(props: INodeProperties[]): INodeProperties[] {
	const totp: INodeProperties = {
		displayName: 'TOTP Secret',
		name: 'totpSecret',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description:
			'Only for an account with multi-factor authentication on: the base32 secret key shown when MFA was set up. n8n computes the 6-digit code at each login.',
	};
	const at = props.findIndex((p) => p.name === 'password') + 1;
	return [...props.slice(0, at), totp, ...props.slice(at)];
}
