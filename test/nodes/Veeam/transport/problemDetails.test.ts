/**
 * Issue 25, point 6, on every product: an error answer's words reach the message whole. VBR's
 * `{ errorCode, message }`, VBGC's and AWS's problem details with `details`, and ASP.NET Core's
 * problem details (Azure, and what an ASP.NET service answers to a malformed body) with `detail`
 * and field `errors`: which field is wrong and why, not only "One or more validation errors occurred.".
 */
import { veeamErrorText } from '../../../../client/login';
import { problemDetails } from '../../../../client/transport/errors';

describe('veeamErrorText: the words of every product\'s error answer', () => {
	it('VBR: errorCode and message, as before', () => {
		expect(veeamErrorText({ errorCode: 'NotFound', message: 'User not found.', resourceId: 'x' })).toEqual({ errorCode: 'NotFound', message: 'User not found.', resourceId: 'x' });
	});

	it('VBGC and AWS problem details: details, as before', () => {
		expect(veeamErrorText({ type: 'https://x', title: 'Bad Request', status: 400, errorCode: 'UnexpectedContent', details: 'Name is taken.' })).toMatchObject({ errorCode: 'UnexpectedContent', message: 'Name is taken.' });
	});

	it('ASP.NET validation problem details (Azure\'s ProblemDetails400): the title, then each field with its messages', () => {
		const body = {
			type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
			title: 'One or more validation errors occurred.',
			status: 400,
			errors: { Name: ['The Name field is required.'], '$.role': ['The JSON value could not be converted to Veeam.Azure.REST.Latest.RbacRole. Path: $.role'] },
			traceId: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00',
		};
		expect(veeamErrorText(body).message).toBe(
			'One or more validation errors occurred. Name: The Name field is required.; $.role: The JSON value could not be converted to Veeam.Azure.REST.Latest.RbacRole. Path: $.role',
		);
		expect(problemDetails(body)).toEqual({ isProblem: true, fieldErrors: { Name: ['The Name field is required.'], '$.role': [body.errors['$.role'][0]] } });
	});

	it('problem details with a detail (Azure\'s 401 and 404): the detail, not the status\'s name; the 404\'s instance as the resource', () => {
		expect(veeamErrorText({ type: 'https://x', title: 'Unauthorized', status: 401, detail: 'Invalid user name or password.' }).message).toBe('Invalid user name or password.');
		expect(veeamErrorText({ type: 'https://x', title: 'Not Found', status: 404, detail: 'The user 1003 does not exist.', instance: '1003', traceId: 't' })).toEqual({
			errorCode: undefined,
			message: 'The user 1003 does not exist.',
			resourceId: '1003',
		});
	});

	it('takes only text from errors, and at most ten fields', () => {
		const errors = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, [`m${i}`, 7, null]]));
		const message = String(veeamErrorText({ title: 'One or more validation errors occurred.', status: 400, errors }).message);
		expect(message).toContain('f9: m9');
		expect(message).not.toContain('f10');
		expect(message).not.toMatch(/m\d 7|null/);
		expect(veeamErrorText({ title: 'T', status: 400, errors: ['not', 'a', 'map'] }).message).toBe('T');
	});
});
