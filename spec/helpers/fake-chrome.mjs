#!/usr/bin/env node
// A stand-in "browser" for CHROME_PATH: it takes the flags of a managed launch, writes its
// DevToolsActivePort into --user-data-dir like Chromium, and answers every CDP command with
// an error, so a daemon fails after it has connected. It writes its pid next to the port file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

const profile = process.argv.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length);
if (!profile) process.exit(2);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/devtools/browser/fake' });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const { id } = JSON.parse(String(data));
    ws.send(JSON.stringify({ id, error: { code: -32000, message: 'the fake browser refuses everything' } }));
  });
});
wss.on('listening', () => {
  writeFileSync(join(profile, 'fake.pid'), String(process.pid));
  writeFileSync(join(profile, 'DevToolsActivePort'), `${wss.address().port}\n/devtools/browser/fake`);
});
