// Adds lock entries for unrs-resolver's optional platform bindings that the lock lacks.
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const resolver = lock.packages['node_modules/unrs-resolver'];
const platform = {
	'android-arm-eabi': { cpu: ['arm'], os: ['android'] },
	'android-arm64': { cpu: ['arm64'], os: ['android'] },
	'darwin-arm64': { cpu: ['arm64'], os: ['darwin'] },
	'darwin-x64': { cpu: ['x64'], os: ['darwin'] },
	'freebsd-x64': { cpu: ['x64'], os: ['freebsd'] },
	'linux-arm-gnueabihf': { cpu: ['arm'], os: ['linux'] },
	'linux-arm-musleabihf': { cpu: ['arm'], os: ['linux'] },
	'linux-loong64-gnu': { cpu: ['loong64'], libc: ['glibc'], os: ['linux'] },
	'linux-loong64-musl': { cpu: ['loong64'], libc: ['musl'], os: ['linux'] },
	'linux-ppc64-gnu': { cpu: ['ppc64'], libc: ['glibc'], os: ['linux'] },
	'linux-riscv64-gnu': { cpu: ['riscv64'], libc: ['glibc'], os: ['linux'] },
	'linux-riscv64-musl': { cpu: ['riscv64'], libc: ['musl'], os: ['linux'] },
	'linux-s390x-gnu': { cpu: ['s390x'], libc: ['glibc'], os: ['linux'] },
	'openharmony-arm64': { cpu: ['arm64'], os: ['openharmony'] },
	'win32-arm64-msvc': { cpu: ['arm64'], os: ['win32'] },
	'win32-ia32-msvc': { cpu: ['ia32'], os: ['win32'] },
	'win32-x64-msvc': { cpu: ['x64'], os: ['win32'] },
};
let added = 0;
for (const [name, version] of Object.entries(resolver.optionalDependencies)) {
	const key = `node_modules/${name}`;
	if (lock.packages[key]) continue;
	const p = platform[name.replace('@unrs/resolver-binding-', '')];
	if (!p) throw new Error(`no platform data for ${name}`);
	const { cpu, libc, os } = p;
	lock.packages[key] = { version, cpu, dev: true, ...(libc ? { libc } : {}), license: 'MIT', optional: true, os };
	added++;
}
const packages = {};
for (const key of Object.keys(lock.packages).sort((a, b) => a.localeCompare(b, 'en'))) packages[key] = lock.packages[key];
lock.packages = packages;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} entries`);
