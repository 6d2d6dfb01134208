import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as forge from 'node-forge';

export interface SimTlsMaterial {
	/** PEM of the certificate a client must trust: the test CA, or the server's own self-signed certificate. */
	caPem: string;
	certPem: string;
	keyPem: string;
}

/**
 * `ca`: a throw-away test CA signs the server certificate (what a company PKI does).
 * `self-signed`: the server certificate signs itself (what a fresh Veeam install has).
 * Either way the client can be told to trust `caPem`; nothing here is trusted by default.
 */
export type TlsMode = 'ca' | 'self-signed';

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
	// Node's native generator is ~50x faster than forge's pure-JS one.
	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
	const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
	return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

function baseCert(publicKey: forge.pki.PublicKey, cn: string, days: number): forge.pki.Certificate {
	const cert = forge.pki.createCertificate();
	cert.publicKey = publicKey;
	cert.serialNumber = '01' + randomBytes(15).toString('hex');
	cert.validity.notBefore = new Date(Date.now() - 60_000);
	cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
	const attrs = [
		{ name: 'commonName', value: cn },
		{ name: 'organizationName', value: 'n8n-nodes-veeam simulator' },
	];
	cert.setSubject(attrs);
	return cert;
}

const SERVER_ALT_NAMES = [
	{ type: 2, value: 'localhost' },
	{ type: 7, ip: '127.0.0.1' },
	{ type: 7, ip: '::1' },
];

export function generateTlsMaterial(mode: TlsMode = 'ca', hostname = 'localhost'): SimTlsMaterial {
	const server = rsaKeyPair();
	const altNames = [{ type: 2, value: hostname }, ...SERVER_ALT_NAMES];
	if (mode === 'self-signed') {
		const cert = baseCert(server.publicKey, hostname, 365);
		cert.setIssuer(cert.subject.attributes);
		cert.setExtensions([
			{ name: 'basicConstraints', cA: false },
			{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
			{ name: 'extKeyUsage', serverAuth: true },
			{ name: 'subjectAltName', altNames },
		]);
		cert.sign(server.privateKey, forge.md.sha256.create());
		const certPem = forge.pki.certificateToPem(cert);
		return { caPem: certPem, certPem, keyPem: server.pem };
	}
	const ca = rsaKeyPair();
	const caCert = baseCert(ca.publicKey, 'Veeam Simulator Test CA', 3650);
	caCert.setIssuer(caCert.subject.attributes);
	caCert.setExtensions([
		{ name: 'basicConstraints', cA: true, critical: true },
		{ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
		{ name: 'subjectKeyIdentifier' },
	]);
	caCert.sign(ca.privateKey, forge.md.sha256.create());

	const cert = baseCert(server.publicKey, hostname, 365);
	cert.setIssuer(caCert.subject.attributes);
	cert.setExtensions([
		{ name: 'basicConstraints', cA: false },
		{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
		{ name: 'extKeyUsage', serverAuth: true },
		{ name: 'subjectAltName', altNames },
	]);
	cert.sign(ca.privateKey, forge.md.sha256.create());
	return {
		caPem: forge.pki.certificateToPem(caCert),
		certPem: forge.pki.certificateToPem(cert),
		keyPem: server.pem,
	};
}
