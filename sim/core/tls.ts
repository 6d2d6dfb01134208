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

/** Names every simulator certificate carries: where a local client reaches it. */
const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** subjectAltName entries: DNS names (type 2) and IP addresses (type 7). */
function altNames(names: readonly string[]): Array<{ type: number; value?: string; ip?: string }> {
	return [...new Set([...names, ...LOCAL_NAMES])].map((name) => (IPV4.test(name) || name.includes(':') ? { type: 7, ip: name } : { type: 2, value: name }));
}

/** A test CA that can sign server certificates: its certificate and (for issuing) its key, as PEM. */
export interface SimCa {
	caPem: string;
	caKeyPem: string;
}

export function generateCa(): SimCa {
	const ca = rsaKeyPair();
	const caCert = baseCert(ca.publicKey, 'Veeam Simulator Test CA', 3650);
	caCert.setIssuer(caCert.subject.attributes);
	caCert.setExtensions([
		{ name: 'basicConstraints', cA: true, critical: true },
		{ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
		{ name: 'subjectKeyIdentifier' },
	]);
	caCert.sign(ca.privateKey, forge.md.sha256.create());
	return { caPem: forge.pki.certificateToPem(caCert), caKeyPem: ca.pem };
}

/** A server certificate for `names` (and localhost), signed by `ca`. */
export function issueServerCertificate(ca: SimCa, names: readonly string[] = []): SimTlsMaterial {
	const server = rsaKeyPair();
	const caCert = forge.pki.certificateFromPem(ca.caPem);
	const caKey = forge.pki.privateKeyFromPem(ca.caKeyPem);
	const cert = baseCert(server.publicKey, names[0] ?? 'localhost', 365);
	cert.setIssuer(caCert.subject.attributes);
	cert.setExtensions([
		{ name: 'basicConstraints', cA: false },
		{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
		{ name: 'extKeyUsage', serverAuth: true },
		{ name: 'subjectAltName', altNames: altNames(names) },
	]);
	cert.sign(caKey, forge.md.sha256.create());
	return { caPem: ca.caPem, certPem: forge.pki.certificateToPem(cert), keyPem: server.pem };
}

/** Fresh TLS material: a new test CA and a server certificate it signed, or a self-signed one. */
export function generateTlsMaterial(mode: TlsMode = 'ca', hostname = 'localhost'): SimTlsMaterial {
	if (mode === 'ca') return issueServerCertificate(generateCa(), [hostname]);
	const server = rsaKeyPair();
	const cert = baseCert(server.publicKey, hostname, 365);
	cert.setIssuer(cert.subject.attributes);
	cert.setExtensions([
		{ name: 'basicConstraints', cA: false },
		{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
		{ name: 'extKeyUsage', serverAuth: true },
		{ name: 'subjectAltName', altNames: altNames([hostname]) },
	]);
	cert.sign(server.privateKey, forge.md.sha256.create());
	const certPem = forge.pki.certificateToPem(cert);
	return { caPem: certPem, certPem, keyPem: server.pem };
}
