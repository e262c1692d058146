/**
 * The daemon ⇄ client wire protocol: JSON text frames over a loopback WebSocket.
 * Every frame either side may send is one member of the unions below. PROTOCOL.md is the
 * prose version of this file; keep them in step.
 */
import type { ErrorPayload } from './errors.js';

/** Bumped on any change a client of the previous version would misread. */
export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts (bytes). */
export const MAX_PAYLOAD = 16 * 1024 * 1024;

/** Milliseconds a new connection has to send its auth frame. */
export const AUTH_TIMEOUT_MS = 2000;

/** WebSocket close codes the daemon uses. */
export const CLOSE = {
  /** Wrong token, or a first frame that is not auth. */
  UNAUTHORIZED: 4401,
  /** No auth frame within AUTH_TIMEOUT_MS. */
  AUTH_TIMEOUT: 4408,
  /** The daemon is shutting down. */
  SHUTDOWN: 4000,
  /** The browser connection closed: the daemon answered what was in flight and exits. */
  BROWSER_GONE: 4003,
} as const;

/** What the daemon knows of its browser; never holds a secret. */
export interface BrowserInfo {
  /** The browser-level CDP WebSocket URL the daemon connected to. */
  endpoint: string;
  /** `Browser.getVersion().product`, e.g. `Chrome/156.0.8078.114`. */
  product: string;
  /** True when cdpd launched this browser and closes it on exit. */
  managed: boolean;
  /** True when launched headless. */
  headless?: boolean;
  /** A managed browser's process id, when known. */
  pid?: number;
}

/** The client's first frame. */
export interface AuthFrame { type: 'auth'; token: string }

/** The daemon's answer to a good auth frame. */
export interface WelcomeFrame {
  type: 'welcome';
  protocol: number;
  version: string;
  pid: number;
  browser: BrowserInfo;
}

/** A request id: chosen by the client, echoed in the response. */
export type RequestId = number | string;

/** A command request. */
export interface RequestFrame {
  id: RequestId;
  cmd: string;
  params?: Record<string, unknown>;
}

/** A successful response. */
export interface OkResponse { id: RequestId; ok: true; result: unknown }

/** A failed response. `id` is null when the request could not be read at all. */
export interface ErrorResponse { id: RequestId | null; ok: false; error: ErrorPayload }

/** Any response. */
export type ResponseFrame = OkResponse | ErrorResponse;

/** The kinds of page events a watcher can receive. */
export const EVENT_KINDS = [
  'console', 'error', 'request', 'response', 'requestfinished', 'requestfailed', 'navigation', 'load',
  'dialog', 'target', 'dropped',
] as const;

/** One page-event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** A streamed event, tagged with the id of the watch request it belongs to. */
export interface EventFrame {
  type: 'event';
  sub: RequestId;
  /** The tab; null only on the `dropped` count of a watch of every tab, which spans tabs. */
  target: string | null;
  event: EventKind;
  data: Record<string, unknown>;
}

/** Everything the client may send. */
export type ClientFrame = AuthFrame | RequestFrame;

/** Everything the daemon may send. */
export type DaemonFrame = WelcomeFrame | ResponseFrame | EventFrame;

/** The discovery file `<runtime>/daemon-<key>.json`; mode 0600, holds the token. */
export interface DiscoveryFile {
  protocol: number;
  version: string;
  pid: number;
  port: number;
  token: string;
  browser: BrowserInfo;
  startedAt: string;
}

/**
 * Reads a request frame, or says why it is not one. Pure, so the daemon and the specs
 * share it.
 */
export function parseRequest(text: string):
  { ok: true; request: RequestFrame } | { ok: false; id: RequestId | null; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, id: null, message: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, id: null, message: 'frame must be a JSON object' };
  }
  const frame = value as Record<string, unknown>;
  const id = frame.id;
  const idOk = (typeof id === 'number' && Number.isSafeInteger(id)) ||
    (typeof id === 'string' && id.length > 0 && id.length <= 128);
  if (!idOk) return { ok: false, id: null, message: '"id" must be a safe integer or a string of 1-128 characters' };
  const rid = id as RequestId;
  if (typeof frame.cmd !== 'string' || frame.cmd.length === 0 || frame.cmd.length > 64) {
    return { ok: false, id: rid, message: '"cmd" must be a command name' };
  }
  const params = frame.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    return { ok: false, id: rid, message: '"params" must be an object' };
  }
  return { ok: true, request: { id: rid, cmd: frame.cmd, params: (params ?? {}) as Record<string, unknown> } };
}

/** Lines the daemon writes to its log for the client that started it to read back. */
export const LOG_MARKERS = {
  /** Chrome holds the upgrade until "Allow remote debugging?" is answered. */
  consent: 'cdpd: waiting for consent',
  /** Followed by `<CODE>: <message>`: why start-up failed. */
  fatal: 'cdpd: fatal ',
} as const;
