// Package entry point (`main`). n8n does not load nodes from here: it reads the
// `n8n.nodes` and `n8n.credentials` lists in package.json, which point into dist/.
module.exports = {};
