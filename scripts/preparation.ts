// What `npm start` is preparing before the platform can answer (the dashboard build, binaries built
// from the Go module proxy, node images, the cluster), shown at once on the platform's own port: a
// page that follows GET /api/preparation and opens the dashboard when the platform is up, and the
// same progress on the console.
import { createServer, type Server } from 'node:http';

export type StepState = 'waiting' | 'running' | 'done' | 'failed';

export interface Step {
  name: string;
  state: StepState;
  startedAt: number | null;
  finishedAt: number | null;
  /** The last line the step printed. */
  detail: string;
}

export interface Preparation {
  steps: Step[];
  /** Seconds each step has taken so far; what is left. */
  snapshot(now?: number): PreparationView;
  run<T>(name: string, work: (log: (line: string) => void) => Promise<T>): Promise<T>;
}

export interface PreparationView {
  steps: { name: string; state: StepState; seconds: number | null; detail: string }[];
  left: number;
  failed: boolean;
}

export function createPreparation(names: readonly string[], print: (line: string) => void): Preparation {
  const steps: Step[] = names.map((name) => ({
    name,
    state: 'waiting',
    startedAt: null,
    finishedAt: null,
    detail: '',
  }));
  const find = (name: string) => {
    const step = steps.find((s) => s.name === name);
    if (!step) throw new Error(`no preparation step named ${name}`);
    return step;
  };
  const left = () => steps.filter((s) => s.state === 'waiting' || s.state === 'running').length;
  return {
    steps,
    snapshot(now = Date.now()) {
      return {
        steps: steps.map((s) => ({
          name: s.name,
          state: s.state,
          seconds: s.startedAt === null ? null : Math.round(((s.finishedAt ?? now) - s.startedAt) / 1000),
          detail: s.detail,
        })),
        left: left(),
        failed: steps.some((s) => s.state === 'failed'),
      };
    },
    async run(name, work) {
      const step = find(name);
      step.state = 'running';
      step.startedAt = Date.now();
      print(`${name}… (${left()} step${left() === 1 ? '' : 's'} left)`);
      try {
        const result = await work((line) => {
          step.detail = line;
          print(line);
        });
        step.state = 'done';
        return result;
      } catch (error) {
        step.state = 'failed';
        step.detail = (error as Error).message;
        throw error;
      } finally {
        step.finishedAt = Date.now();
        print(
          `${name}: ${step.state} in ${Math.round((step.finishedAt - (step.startedAt ?? step.finishedAt)) / 1000)}s`,
        );
      }
    },
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Storefleet is starting</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; color: #1f2933; }
  li { margin: .4rem 0; list-style: none; }
  .done::before { content: "✓ "; color: #2f855a; }
  .running::before { content: "… "; color: #2b6cb0; }
  .waiting::before { content: "· "; color: #9aa5b1; }
  .failed::before { content: "✗ "; color: #c53030; }
  small { color: #52606d; display: block; overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>Storefleet is starting</h1>
<p id="summary">Preparing…</p>
<ul id="steps"></ul>
<script>
  async function poll() {
    try {
      const response = await fetch('/api/preparation', { cache: 'no-store' });
      const contentType = response.headers.get('content-type') || '';
      if (!contentType.includes('application/json')) return location.reload();
      const view = await response.json();
      if (!view.steps) return location.reload();
      const list = document.getElementById('steps');
      list.replaceChildren(...view.steps.map((step) => {
        const item = document.createElement('li');
        item.className = step.state;
        item.textContent = step.name + (step.seconds === null ? '' : ' (' + step.seconds + ' s)');
        if (step.detail && step.state !== 'done') {
          const detail = document.createElement('small');
          detail.textContent = step.detail;
          item.append(detail);
        }
        return item;
      }));
      document.getElementById('summary').textContent = view.failed
        ? 'Start-up failed: the console says why.'
        : view.left + ' step' + (view.left === 1 ? '' : 's') + ' left; this page opens the dashboard when the platform is up.';
    } catch {
      // The platform takes over the port: the next load is the dashboard.
      return setTimeout(() => location.reload(), 1000);
    }
    setTimeout(poll, 1000);
  }
  poll();
</script>
</body>
</html>
`;

/** Serves the progress page and GET /api/preparation until `close()` hands the port over. */
export async function servePreparation(
  preparation: Preparation,
  port: number,
  host: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/api/preparation') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(preparation.snapshot()));
    } else if (path.startsWith('/api/')) {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      response.end(
        JSON.stringify({
          error: {
            code: 'STARTING',
            message: 'The platform is still starting; see GET /api/preparation.',
            details: {},
          },
        }),
      );
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(PAGE);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
