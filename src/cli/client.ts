/**
 * A small HTTP client for the instance API, used by the member commands. Errors from the server
 * arrive as {"error": {"code", "message"}} and become CliErrors with that code. A 429
 * `rate_limited` (turned away before anything was done, docs/api.md "Rate limits") is retried
 * after its `Retry-After`, a few times, when that is short; otherwise it is the error.
 */
import { CliError } from './errors.ts';

/** How often, and how long at most each time, a rate-limited request waits and tries again. */
export const RATE_LIMIT_RETRIES = 3;
export const RATE_LIMIT_MAX_WAIT_S = 10;

export class Client {
  constructor(
    private readonly server: string,
    private readonly headers: Record<string, string> = {},
  ) {
    if (!/^https?:\/\//.test(server)) throw new CliError('bad_server', `--server must be an http(s) URL, not "${server}"`, 2);
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async text(path: string): Promise<string> {
    const res = await this.fetch('GET', path);
    if (!res.ok) await this.fail(res);
    return res.text();
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetchOnce(method, path, body);
      const wait = Number(res.headers.get('retry-after'));
      if (res.status !== 429 || attempt >= RATE_LIMIT_RETRIES || !Number.isInteger(wait) || wait < 0 || wait > RATE_LIMIT_MAX_WAIT_S) return res;
      await res.arrayBuffer(); // drain it: the connection is reused
      await new Promise((resolve) => setTimeout(resolve, wait * 1000 + Math.random() * 250));
    }
  }

  private async fetchOnce(method: string, path: string, body?: unknown): Promise<Response> {
    const url = new URL(path, this.server.endsWith('/') ? this.server : this.server + '/');
    try {
      return await fetch(url, {
        method,
        headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new CliError('server_unreachable', `cannot reach ${this.server}: ${(e as Error).cause ?? (e as Error).message}`);
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, path, body);
    if (!res.ok) await this.fail(res);
    return (await res.json()) as T;
  }

  private async fail(res: Response): Promise<never> {
    let code = `http_${res.status}`;
    let message = `the server answered ${res.status}`;
    try {
      const j = (await res.json()) as { error?: { code?: string; message?: string } };
      if (j.error?.code) code = j.error.code;
      if (j.error?.message) message = j.error.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new CliError(code, message);
  }
}
