/**
 * `har <t> <file>`: the tab's request history as a HAR 1.2 file (with the bodies Chrome
 * still holds), which Chrome DevTools' Network panel imports.
 */
import { resolve } from 'node:path';
import { absolutePath, usage } from './args.js';
import type { Entry } from '../session/history.js';
import type { Page } from '../session/page.js';
import { VERSION } from '../protocol/version.js';
import { writePrivateFile } from './files.js';
import { responseBody } from './network.js';
import { defineCommand } from './types.js';

type Pairs = Array<{ name: string; value: string }>;

function pairs(h: unknown): Pairs {
  return Object.entries((h ?? {}) as Record<string, unknown>).flatMap(([name, v]) => String(v).split('\n').map((value) => ({ name, value })));
}

function query(url: string): Pairs {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function header(h: Pairs, name: string): string | undefined {
  return h.find((x) => x.name.toLowerCase() === name)?.value;
}

async function content(page: Page, e: Entry): Promise<{ size: number; mimeType: string; text?: string; encoding?: string; comment?: string }> {
  const mimeType = String(e.data.mimeType ?? '');
  const size = Number(e.data.size ?? 0) || 0;
  if (e.data.state !== 'done') return { size, mimeType };
  const body = await responseBody(page, String(e.data.requestId), undefined).catch(() => 'unreadable');
  if (typeof body === 'string') return { size, mimeType, comment: 'body no longer held by Chrome' };
  return body.base64 !== undefined ? { size: body.bytes, mimeType, text: body.base64, encoding: 'base64' } : { size: body.bytes, mimeType, text: body.text! };
}

/** The HAR log of a tab's network history. */
async function harOf(page: Page) {
  const entries = page.history.network.toArray();
  const pages: Array<{ startedDateTime: string; id: string; title: string; pageTimings: { onContentLoad: number; onLoad: number } }> = [];
  const out: unknown[] = [];
  let pageref = '';
  for (const e of entries) {
    if (e.kind === 'navigation') {
      pageref = `page_${pages.length + 1}`;
      // The document's own request (and its redirect hops) came before the page committed.
      let start = e.time;
      for (let i = out.length - 1; i >= 0; i--) {
        const x = out[i] as { pageref?: string; _resourceType: string; startedDateTime: string };
        if (x._resourceType !== 'document') break;
        x.pageref = pageref;
        start = Math.min(start, Date.parse(x.startedDateTime));
      }
      pages.push({ startedDateTime: new Date(start).toISOString(), id: pageref, title: String(e.data.url), pageTimings: { onContentLoad: -1, onLoad: -1 } });
      continue;
    }
    if (e.kind !== 'request') continue;
    const d = e.data;
    const detail = e.detail ?? {};
    const reqHeaders = pairs(detail.requestHeaders);
    const resHeaders = pairs(detail.responseHeaders);
    const started = Number(detail.startedAt ?? e.time);
    const time = Math.max(0, Number(d.duration ?? 0));
    const httpVersion = String(detail.protocol ?? 'http/1.1').toUpperCase();
    const request: Record<string, unknown> = {
      method: d.method, url: d.url, httpVersion, cookies: [], headers: reqHeaders, queryString: query(String(d.url)), headersSize: -1, bodySize: 0,
    };
    if (typeof detail.postData === 'string') {
      request.postData = { mimeType: header(reqHeaders, 'content-type') ?? '', text: detail.postData };
      request.bodySize = Buffer.byteLength(detail.postData);
    }
    const entry: Record<string, unknown> = {
      ...(pageref ? { pageref } : {}),
      startedDateTime: new Date(started).toISOString(), time, request,
      response: {
        status: Number(d.status ?? 0), statusText: String(d.statusText ?? ''), httpVersion, cookies: [], headers: resHeaders,
        content: await content(page, e), redirectURL: header(resHeaders, 'location') ?? '', headersSize: -1, bodySize: Number(d.size ?? -1),
      },
      cache: {},
      timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: time, receive: 0, ssl: -1 },
      _resourceType: String(d.resourceType ?? '').toLowerCase(),
    };
    if (typeof detail.remoteAddress === 'string') entry.serverIPAddress = detail.remoteAddress.replace(/:\d*$/, '').replace(/^\[|\]$/g, '');
    if (d.state === 'failed') entry._error = d.errorText;
    if (d.routed) entry._routed = d.routed;
    out.push(entry);
  }
  return { log: { version: '1.2', creator: { name: 'cdpd', version: VERSION }, pages, entries: out } };
}

export const har = defineCommand({
  name: 'har',
  summary: "write the tab's request history as a HAR 1.2 file (with the bodies Chrome still holds)",
  target: 'required',
  reads: true,
  args: [{ name: 'file', required: true }],
  params: () => ({ path: absolutePath('har') }),
  text: (r) => `${r.path}\nHAR saved: ${r.entries} request(s), ${r.bodies} with their body, ${r.pages} page(s)`,
  parse(args, _opts, env) {
    if (!args[0]) throw usage('har takes the file to write: cdp har <target> session.har');
    return { path: resolve(env.cwd, args[0]) };
  },
  async run(ctx, params) {
    const log = await harOf(ctx.page);
    await writePrivateFile(params.path, JSON.stringify(log, null, 2) + '\n');
    const entries = log.log.entries as Array<{ response: { content: { text?: string } } }>;
    return { path: params.path, entries: entries.length, bodies: entries.filter((x) => x.response.content.text !== undefined).length, pages: log.log.pages.length };
  },
});
