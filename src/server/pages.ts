/**
 * Two plain pages until the web app lands: the instance's front page (name, log key, latest
 * checkpoint) and the organizer's one-time setup page. No inline script (strict CSP): the setup
 * page's script is a separate same-origin file. The setup token travels in the URL fragment, which
 * browsers never send to the server, so it cannot end up in any log; opening the link spends
 * nothing: only the explicit POST from the page does.
 */
import type { FastifyInstance } from 'fastify';
import type { Instance } from './instance.ts';

const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code,pre{font:14px ui-monospace,monospace;background:#f3f3f3;padding:.1rem .3rem;border-radius:3px;word-break:break-all;white-space:pre-wrap}
button{font:inherit;padding:.4rem 1rem}label{display:block;margin:.5rem 0}.error{color:#a00}`;

const SETUP_JS = `const form = document.getElementById('setup');
const token = document.getElementById('token');
const out = document.getElementById('out');
if (location.hash.length > 1) token.value = decodeURIComponent(location.hash.slice(1));
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  out.textContent = '';
  out.className = '';
  const res = await fetch('/api/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token.value.trim() }) });
  const body = await res.json();
  if (!res.ok) { out.className = 'error'; out.textContent = body.error.message; return; }
  history.replaceState(null, '', location.pathname);
  out.textContent = 'Your organizer token (shown once; keep it safe): ' + body.adminToken;
});
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/style.css"></head><body>${body}</body></html>`;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function registerPages(app: FastifyInstance, instance: Instance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', CSP);
    return payload;
  });
  app.get('/style.css', async (_req, reply) => reply.type('text/css').send(STYLE));
  app.get('/setup.js', async (_req, reply) => reply.type('text/javascript').send(SETUP_JS));
  app.get('/', async (_req, reply) => {
    const info = await instance.info();
    reply.type('text/html; charset=utf-8');
    return page(
      escape(info.name),
      `<h1>${escape(info.name)}</h1><p>An <b>undersigned</b> instance. Its public log is signed with this key; compare it with the one your organizer published:</p>
<pre>${escape(info.verifierKey)}</pre><p>Latest checkpoint:</p><pre>${escape(info.checkpoint)}</pre>
<p>API: <code>/api/instance</code>, <code>/api/roster</code>, <code>/api/letters</code>, <code>/api/log/checkpoint</code>. Members use <code>npx undersigned member --help</code>.</p>`,
    );
  });
  app.get('/setup', async (_req, reply) => {
    reply.type('text/html; charset=utf-8');
    return page(
      'Organizer setup',
      `<h1>Organizer setup</h1><p>This exchanges the one-time setup token printed by the server for an organizer token.</p>
<form id="setup"><label>Setup token <input id="token" autocomplete="off" size="40" required></label><button type="submit">Complete setup</button></form>
<p id="out" role="status"></p><script src="/setup.js"></script>`,
    );
  });
}
