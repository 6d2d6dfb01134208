// Jest globalSetup: a fresh folder for the suite-wide secret scan (see secretScan.ts). Workers
// start after this and inherit the variable.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
	if (process.env.VEEAM_SECRET_SCAN === '0') return;
	process.env.VEEAM_SECRET_SCAN_DIR = mkdtempSync(join(tmpdir(), 'veeam-secret-scan-'));
};
