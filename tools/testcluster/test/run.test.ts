import { describe, expect, it } from 'vitest';
import { CommandError, runLogged } from '../src/run.ts';

describe('runLogged', () => {
  it('echoes output with the label and shows life while the command runs', async () => {
    const lines: string[] = [];
    const stdout = await runLogged('sh', ['-c', 'echo out; echo err >&2; sleep 0.3'], {
      label: 'step',
      log: (line) => lines.push(line),
      heartbeatMs: 100,
    });
    expect(stdout).toBe('out\n');
    expect(lines).toContain('step: err');
    expect(lines.some((line) => /^step: still running \(\d+s so far\)$/.test(line))).toBe(true);
  });

  it('fails with the command and the end of its output', async () => {
    const error = await runLogged('sh', ['-c', 'echo boom >&2; exit 3'], {
      label: 'step',
      log: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^step: `sh -c .*` exited with code 3\nboom/);
  });
});
