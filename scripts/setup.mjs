#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Brings a fresh clone to a runnable state. Runs on whatever Node the machine has (Node 20 is
// enough): it installs the npm dependencies, which bring Node 24 into node_modules/.bin, and with
// --for-tests the system packages the tests need. Every step is skipped when already done.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for-tests');

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function ensureNpmDependencies() {
  const lockfile = join(root, 'package-lock.json');
  const stampFile = join(root, 'node_modules', '.storefleet-install');
  const fingerprint = createHash('sha256')
    .update(readFileSync(lockfile))
    .update(readFileSync(join(root, 'package.json')))
    .digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === fingerprint) return;
  // `npm install` rather than `npm ci`: it installs the locked versions too, and unlike `npm ci` it
  // accepts a lockfile that lacks other platforms' optional binaries (which npm does not always record).
  // --no-save: it never writes package-lock.json (it would add those binaries), so a fresh clone stays clean.
  log('installing npm dependencies…');
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(stampFile, fingerprint);
}

function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : undefined;
}

function aptInstall(packages, why) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `${why} needs the Debian packages ${packages.join(', ')}; install them (apt-get install -y ${packages.join(' ')}) and run again`,
    );
  }
  log(`installing ${packages.join(', ')} for ${why} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
}

/** Debian packages the tests need, with how to tell each is already there. */
function missingTestPackages() {
  const wanted = [
    // a throwaway PostgreSQL server for the database tests
    [
      'postgresql',
      () =>
        Boolean(process.env.STOREFLEET_PG_BIN && existsSync(join(process.env.STOREFLEET_PG_BIN, 'initdb'))) ||
        Boolean(postgresBinDir()),
    ],
    // shellcheck of the store chart's setup script
    ['shellcheck', () => existsSync('/usr/bin/shellcheck')],
    // the dashboard's end-to-end tests drive Debian's Chromium through playwright-core
    [
      'chromium',
      () =>
        Boolean(process.env.STOREFLEET_CHROMIUM && existsSync(process.env.STOREFLEET_CHROMIUM)) ||
        existsSync('/usr/bin/chromium'),
    ],
    // certutil: the HTTPS tests make Chromium trust the test ACME server's root through an NSS database
    ['libnss3-tools', () => existsSync('/usr/bin/certutil')],
  ];
  return wanted.filter(([, present]) => !present()).map(([name]) => name);
}

/**
 * The real node's Debian packages (one list, shared with tools/testcluster), where this host could
 * run one: Linux, root, apt-get, and not opted out with STOREFLEET_NODE=simulated.
 */
function missingNodePackages() {
  const canRun =
    process.platform === 'linux' &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    existsSync('/usr/bin/apt-get') &&
    process.env.STOREFLEET_NODE !== 'simulated';
  if (!canRun) return [];
  const list = JSON.parse(readFileSync(join(root, 'tools/testcluster/node-packages.json'), 'utf8'));
  return list.filter((entry) => !existsSync(entry.file)).map((entry) => entry.package);
}

function ensureSystemPackages() {
  const missing = () => [...(forTests ? missingTestPackages() : []), ...missingNodePackages()];
  const wanted = missing();
  if (wanted.length === 0) return;
  aptInstall(wanted, forTests ? 'the tests and the real node' : 'the real node');
  const still = missing();
  if (still.length > 0) throw new Error(`${still.join(', ')} still missing after apt-get install`);
}

/**
 * A pinned Python tool from PyPI in a virtual environment of its own under the cache, reinstalled only
 * when its requirements file changes.
 */
function ensurePythonTool({ what, venvName, requirements, executable }) {
  // The same cache as tools/testcluster/src/paths.ts (cacheRoot): STOREFLEET_CACHE or ~/.cache/storefleet.
  const cache = resolve(process.env.STOREFLEET_CACHE || join(homedir(), '.cache', 'storefleet'));
  const venv = join(cache, venvName);
  const stampFile = join(venv, '.storefleet-requirements');
  const wanted = readFileSync(join(root, requirements), 'utf8');
  const installed = existsSync(join(venv, 'bin', executable)) && existsSync(stampFile);
  if (installed && readFileSync(stampFile, 'utf8') === wanted) return;
  log(`installing ${what} (${wanted.trim().split('\n').join(', ')}) into ${venv}…`);
  rmSync(venv, { recursive: true, force: true });
  run('python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--cache-dir',
    join(cache, 'pip'),
    '-r',
    join(root, requirements),
  ]);
  writeFileSync(stampFile, wanted);
}

/** The pinned API fuzzer (schemathesis). */
const FUZZER = {
  what: 'the API fuzzer',
  venvName: 'schemathesis',
  requirements: 'apps/orchestrator/test/fuzz/requirements.txt',
  executable: 'st',
};

/** The S3-compatible server of the backup tests (moto's, S3 only); test/support/s3-server.ts starts it. */
const S3_SERVER = {
  what: 'the S3 test server',
  venvName: 's3-server',
  requirements: 'apps/orchestrator/test/support/s3-server-requirements.txt',
  executable: 'moto_server',
};

try {
  ensureNpmDependencies();
  ensureSystemPackages();
  if (forTests) {
    ensurePythonTool(FUZZER);
    ensurePythonTool(S3_SERVER);
  }
} catch (error) {
  log(`failed: ${error.message}`);
  process.exit(1);
}
