/**
 * client/secrets.ts: what `scrub` takes out of a server's text before it reaches an error or an
 * item. Besides the secrets it is given, any bearer token as an `Authorization` header writes it:
 * one stored and replaced again while a request was under way is not among those it knows.
 */
import { scrub } from '../../client/secrets';

describe('scrub', () => {
	it('takes out each secret given, in its encoded forms', () => {
		expect(scrub('pw=s3cr3t%2Fvalue and "s3cr3t/value"', ['s3cr3t/value'])).toBe('pw=[redacted] and "[redacted]"');
	});

	it('takes out a bearer token it was not given, as a header or a message writes it', () => {
		const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
		expect(scrub(`Bad request from Bearer ${jwt}`, [])).toBe('Bad request from Bearer [redacted]');
		expect(scrub('authorization: bearer at.uQblX3kq9ZpLmN0-7wE_rT', [])).toBe('authorization: bearer [redacted]');
		expect(scrub('Bearer 1234567890abcdef1234==, then more', [])).toBe('Bearer [redacted], then more');
	});

	it('leaves words after "Bearer" in a message', () => {
		expect(scrub('Bearer authentication failed: the token expired', [])).toBe('Bearer authentication failed: the token expired');
		expect(scrub('Bearer token-missing', [])).toBe('Bearer token-missing');
	});
});
