import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): no browser is ever downloaded. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

/** Where browser tests keep their screenshots (git-ignored). */
export const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  }
  // --no-sandbox: the tests may run as root, where Chromium's own sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

export function artifactPath(suite: string, name: string): string {
  const dir = path.join(ARTIFACTS, suite);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
