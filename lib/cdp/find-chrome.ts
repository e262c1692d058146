/**
 * The browser binary a managed launch runs: CHROME_PATH, else a known name on PATH, else
 * the usual install paths of the platform.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import type { PlatformEnv } from '../runtime/paths.js';

const PATH_NAMES = [
  'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome',
  'microsoft-edge', 'brave-browser',
];

function installPaths(p: PlatformEnv): string[] {
  if (p.platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
      '/Applications/Brave Browser.app/Contents/MacOS/Brave Browser',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  if (p.platform === 'win32') {
    const roots = [p.env.PROGRAMFILES, p.env['PROGRAMFILES(X86)'], p.env.LOCALAPPDATA].filter(Boolean) as string[];
    return roots.flatMap((r) => [
      join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(r, 'Chromium', 'Application', 'chrome.exe'),
      join(r, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium', '/opt/google/chrome/chrome'];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser binary to launch: CHROME_PATH, else a known name on PATH, else install paths. */
export function findChrome(p: PlatformEnv): string {
  if (p.env.CHROME_PATH) {
    if (!executable(p.env.CHROME_PATH)) {
      throw new CdpdError('BROWSER_NOT_FOUND', `CHROME_PATH is not an executable file: ${p.env.CHROME_PATH}`);
    }
    return p.env.CHROME_PATH;
  }
  const exe = p.platform === 'win32' ? '.exe' : '';
  for (const dir of (p.env.PATH || '').split(delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) {
      const candidate = join(dir, name + exe);
      if (executable(candidate)) return candidate;
    }
  }
  for (const candidate of installPaths(p)) if (executable(candidate)) return candidate;
  throw new CdpdError('BROWSER_NOT_FOUND',
    'No browser found to launch. Install Chromium (Debian/Ubuntu: apt-get install -y chromium; ' +
    'macOS: brew install --cask chromium) or set CHROME_PATH, or enable remote debugging in your ' +
    'Chrome at chrome://inspect/#remote-debugging.');
}
