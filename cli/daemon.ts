/**
 * The daemon process entry, spawned detached by the client with stderr to its log file.
 * argv[2] is the endpoint as JSON. A start-up failure is written as one FATAL line the
 * client reads back and shows the user.
 */
import type { Endpoint } from '../lib/cdp/discover.js';
import type { ManagedBrowser } from '../lib/cdp/launch.js';
import { exitCodeOf, toCdpdError } from '../lib/protocol/errors.js';
import { VERSION } from '../lib/protocol/version.js';
import { settings } from '../lib/runtime/settings.js';
import { LOG_MARKERS } from '../lib/protocol/wire.js';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

async function main(): Promise<void> {
  process.umask(0o077);
  const endpoint = JSON.parse(process.argv[2] ?? 'null') as Endpoint;
  log(`cdpd ${VERSION} daemon starting, pid ${process.pid}, endpoint from ${endpoint.source}`);
  const launchTimeoutMs = settings.launchTimeoutMs();
  // A browser to launch starts first: it boots while the daemon's modules load.
  let launching: Promise<ManagedBrowser> | undefined;
  // The CLI that spawned us may have started the browser already: its pid, to take over.
  const launched = Number(process.env.CDPD_BROWSER_PID) || undefined;
  delete process.env.CDPD_BROWSER_PID;
  if (endpoint.kind === 'managed') {
    const [{ launchManaged }, paths] = await Promise.all([import('../lib/cdp/launch.js'), import('../lib/runtime/paths.js')]);
    const platform = paths.currentPlatform();
    launching = launchManaged(platform, paths.managedProfileDir(paths.runtimeDir(platform), endpoint.headed), endpoint.headed, launchTimeoutMs, false, launched);
    launching.catch(() => {});
  }
  const { startDaemon } = await import('../lib/daemon/daemon.js');
  const daemon = await startDaemon({
    launching,
    endpoint,
    idleTimeoutMs: settings.idleTimeoutMs(),
    log,
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void daemon.shutdown(sig));
  const reason = await daemon.closed;
  log(`exited: ${reason}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  const e = toCdpdError(err);
  process.stderr.write(`${LOG_MARKERS.fatal}${e.code}: ${e.message}\n`);
  process.exit(exitCodeOf(e) || 1);
});
