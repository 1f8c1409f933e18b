#!/usr/bin/env node
// A `solc` command for machines without a native compiler: it answers `--version` and
// `--standard-json` like native solc, so py-solc-x adopts it and brownie compiles offline.
// solcjs alone cannot read imported files; the callback below resolves them the way native
// solc does (base path, include paths, then node_modules).
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function usage(message) {
  process.stderr.write(`solc (hdex front): ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: process.cwd(), includePaths: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      i += 1;
      return argv[i];
    };
    if (arg === '--version') opts.version = true;
    else if (arg === '--standard-json') opts.standardJson = true;
    else if (arg === '--base-path') opts.basePath = path.resolve(value());
    else if (arg === '--include-path') opts.includePaths.push(path.resolve(value()));
    else if (arg === '--allow-paths') value(); // every readable path is allowed: we only compile our own tree
    else if (arg.startsWith('--allow-paths=')) continue;
    else if (arg.startsWith('--base-path=')) opts.basePath = path.resolve(arg.slice(12));
    else if (arg.startsWith('--include-path=')) opts.includePaths.push(path.resolve(arg.slice(15)));
    else if (arg === '-' || arg === '--pretty-json' || arg === '--no-color') continue;
    else usage(`unsupported argument ${arg} (only --version and --standard-json are served)`);
  }
  return opts;
}

function importCallback(opts) {
  const roots = [opts.basePath, ...opts.includePaths, path.join(opts.basePath, 'node_modules'), path.join(__dirname, '..', '..', 'node_modules')];
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      }
    }
    return { error: `File not found: ${importPath} (looked in ${roots.join(', ')})` };
  };
}

const opts = parseArgs(process.argv.slice(2));
if (opts.version) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (opts.standardJson) {
  const input = fs.readFileSync(0, 'utf8');
  process.stdout.write(solc.compile(input, { import: importCallback(opts) }));
  process.stdout.write('\n');
} else {
  usage('pass --version or --standard-json');
}
