/**
 * `undersigned serve` in a child process for the benchmarks: resolves once it prints its URL (and,
 * for a new instance, its setup link). No publication window (serve's --publish-window): it would
 * add its length to every latency and measure the window, not ingest; throughput over a long run
 * does not depend on it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export function startServe(root: string, dataDir: string, options: { timeoutMs: number; setupToken: boolean }): Promise<{ child: ChildProcess; url: string; setupToken: string }> {
  // BENCH_SERVE_NODE_ARGS: Node options for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to profile it.
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin/undersigned.mjs'), 'serve', '--data', dataDir, '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, UNDERSIGNED_PUBLISH_WINDOW: '0' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), options.timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /running at (http:\/\/[^\s]+?)\/?\s/.exec(out)?.[1];
      const token = /setup#([A-Za-z0-9_-]+)/.exec(out)?.[1];
      if (url && (token || !options.setupToken)) {
        clearTimeout(timer);
        resolve({ child, url, setupToken: token ?? '' });
      }
    });
    child.stderr!.resume(); // request lines
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}
