// Copies node and credential icons next to the compiled files, keeping their paths
// (nodes/Foo/foo.svg -> dist/nodes/Foo/foo.svg), as n8n-nodes-starter's classic gulpfile does.
const { parallel, src, dest } = require('gulp');

// Gulp 5 reads files as UTF-8 by default, which corrupts PNGs: copy raw bytes.
// A glob that matches nothing (no icons yet, or no folder) is not an error.
const copy = (folder) => {
	const copyIcons = () =>
		src(`${folder}/**/*.{png,svg}`, { encoding: false }).pipe(
			dest(`dist/${folder}`),
		);
	copyIcons.displayName = `icons:${folder}`;
	return copyIcons;
};

exports['build:icons'] = parallel(copy('nodes'), copy('credentials'));
