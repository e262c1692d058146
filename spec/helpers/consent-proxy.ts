/**
 * A loopback stand-in for Chrome with remote debugging switched on at chrome://inspect:
 * every plain HTTP request gets 404, and every WebSocket upgrade is held for `holdMs`
 * (the consent dialog) before it is passed to the real Chromium. Counts the upgrades.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';

/** A running stand-in. */
export interface ConsentProxy {
  port: number;
  /** WebSocket upgrades seen: each one is a consent prompt in real Chrome. */
  upgrades: number;
  /** Plain HTTP requests seen (all answered 404). */
  httpRequests: number;
  /** Writes a DevToolsActivePort file that points at the proxy. */
  writePortFile(path: string, browserPath: string): void;
  close(): Promise<void>;
}

/** Starts the stand-in in front of Chromium's debugging port. */
export function startConsentProxy(targetPort: number, holdMs: number): Promise<ConsentProxy> {
  const sockets = new Set<Socket>();
  const state = { upgrades: 0, httpRequests: 0 };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (!head.includes('\r\n\r\n')) return;
      client.off('data', onData);
      client.pause();
      if (/^upgrade:\s*websocket/im.test(head.toString('latin1'))) {
        state.upgrades++;
        setTimeout(() => {
          const upstream = connect(targetPort, '127.0.0.1');
          sockets.add(upstream);
          upstream.on('close', () => sockets.delete(upstream));
          upstream.on('error', () => client.destroy());
          client.on('close', () => upstream.destroy());
          upstream.once('connect', () => {
            upstream.write(head);
            client.pipe(upstream).pipe(client);
            client.resume();
          });
        }, holdMs);
      } else {
        state.httpRequests++;
        client.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      }
    };
    client.on('data', onData);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        get upgrades() { return state.upgrades; },
        get httpRequests() { return state.httpRequests; },
        writePortFile: (path, browserPath) => writeFileSync(path, `${port}\r\n${browserPath}\r\n`),
        close: () => new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}
