// Prints the plain closing line CI reads ("jest: N passed, N failed, N skipped"). Jest's own summary
// is written after reporters' onRunComplete, so the line is written when the process exits.
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		const line = `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
		process.once('exit', () => process.stdout.write(line));
	}
}
module.exports = SummaryReporter;
