/**
 * Where `undersigned serve` is reached from (docs/deploy.md §The public URL): the public URL is
 * the address people open, the one the setup link is printed with. The web app builds every link
 * it prints (the enrollment sheet's URL and QR codes, the trustee page) from the address the
 * browser opened, so the organizer must open the setup link at the public URL.
 *
 * Plain HTTP is allowed only on loopback (the server and the browser on one machine): a browser
 * gives a page WebCrypto only in a secure context (HTTPS, or http://localhost / 127.0.0.1), and
 * the setup link and the organizer's token are credentials that would cross the network in clear.
 * Anything else needs HTTPS (a proxy in front, `--public-url https://…`) or an explicit
 * `--insecure-http`.
 */
import { CliError } from './errors.ts';

export interface ServingAddress {
  /** Origin people use (no trailing slash): links and the setup link are printed with it. */
  publicUrl: string;
  /** The public URL is HTTPS: the server sends Strict-Transport-Security. */
  https: boolean;
  warnings: string[];
}

/** Loopback as browsers count it for a secure context: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/** The public URL of a server listening on `host:port`, and whether serving it is allowed. */
export function servingAddress(options: { host: string; port: number; publicUrl?: string; insecureHttp?: boolean }): ServingAddress {
  const { host, port } = options;
  const publicUrl = options.publicUrl === undefined ? derivedUrl(host, port) : parsePublicUrl(options.publicUrl);
  const url = new URL(publicUrl);
  const https = url.protocol === 'https:';
  const listensOnLoopback = isLoopbackHost(host);
  const warnings: string[] = [];
  if (!https && (!isLoopbackHost(url.hostname) || !listensOnLoopback)) {
    if (!options.insecureHttp) {
      throw new CliError(
        'insecure_http',
        `refusing to serve over plain HTTP beyond this machine (${publicUrl}, listening on ${host}): browsers give a page WebCrypto, which members need to enroll and sign, only over HTTPS or on localhost, and the setup link printed here is the organizer's credential, which would cross the network in clear. Put the server behind an HTTPS proxy and pass --public-url https://your.host (docs/deploy.md), or pass --insecure-http on a network you trust.`,
        2,
      );
    }
    warnings.push(`warning: serving over plain HTTP beyond this machine (--insecure-http): members' browsers will refuse to sign outside a secure context, and tokens cross the network in clear`);
  }
  if (isLoopbackHost(url.hostname) && !listensOnLoopback) {
    warnings.push(
      `warning: the public URL ${publicUrl} is a loopback address but the server listens on ${host}: links printed from a browser opened there (the enrollment sheet, its QR codes) point at ${url.host}, which no one else can reach. Pass --public-url with the address people use.`,
    );
  }
  return { publicUrl, https, warnings };
}

/** Without --public-url: the address listened on (loopback when listening on every interface). */
function derivedUrl(host: string, port: number): string {
  const name = WILDCARD.has(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError('bad_public_url', `--public-url ${JSON.stringify(text.slice(0, 100))} is not a URL: give the address people open, like https://caucus.example.org`, 2);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError('bad_public_url', `--public-url must start with https:// (or http:// on localhost), not ${url.protocol}`, 2);
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new CliError('bad_public_url', `--public-url is an origin only, like https://caucus.example.org: the server answers at the root of its host (no path, query or credentials)`, 2);
  }
  return url.origin;
}
