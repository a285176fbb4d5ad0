import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { canInstallDebianPackages, installDebianPackage } from './apt';
import { findOnPath } from './find-executable';

/** Debian's chromium, installed with apt when missing and this process may; puppeteer-core downloads no browser. */
async function chromiumPath(): Promise<string> {
  const found = await findOnPath('chromium');
  if (found) return found;
  if (!(await canInstallDebianPackages())) throw new Error("chromium is not on PATH: install Debian's chromium (apt-get install chromium)");
  process.stderr.write('installing chromium with apt-get ...\n');
  await installDebianPackage('chromium');
  const installed = await findOnPath('chromium');
  if (!installed) throw new Error('apt-get install chromium left no chromium on PATH');
  return installed;
}

export interface HeadlessBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile that talks to nothing but the pages it is sent to. */
export async function launchHeadlessChromium(): Promise<HeadlessBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'weir-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: await chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
