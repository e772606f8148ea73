// npm run fleet:upgrade -- [--url http://127.0.0.1:8080] [--concurrency 2] [--stores id,id]
// Upgrades every Ready store (or the listed ones) to the store chart shipped with the running
// orchestrator, prints progress, and exits non-zero when the run halts. Authenticates with an admin's
// personal API token in STOREFLEET_TOKEN.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.STOREFLEET_URL ?? 'http://127.0.0.1:8080' },
    concurrency: { type: 'string', default: '2' },
    stores: { type: 'string' },
  },
});
const token = process.env.STOREFLEET_TOKEN;
if (!token) {
  process.stderr.write(
    'Set STOREFLEET_TOKEN to an admin personal API token (create one with POST /api/tokens).\n',
  );
  process.exit(2);
}
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const body = {
  concurrency: Number(values.concurrency),
  ...(values.stores ? { storeIds: values.stores.split(',').map((id) => id.trim()) } : {}),
};
const started = await fetch(`${values.url}/api/fleet/upgrade`, {
  method: 'POST',
  headers,
  body: JSON.stringify(body),
});
const run = (await started.json()) as { id?: string; message?: string; error?: { message: string } };
if (!started.ok || !run.id) {
  process.stderr.write(`Fleet upgrade refused: ${run.error?.message ?? started.status}\n`);
  process.exit(1);
}
process.stdout.write(`${run.message}\n`);
let last = '';
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const current = (await (await fetch(`${values.url}/api/fleet/upgrade/${run.id}`, { headers })).json()) as {
    state: string;
    message: string;
  };
  if (current.message !== last) process.stdout.write(`${current.message}\n`);
  last = current.message;
  if (current.state !== 'running') process.exit(current.state === 'succeeded' ? 0 : 1);
}
