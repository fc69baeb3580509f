#!/usr/bin/env node
// Renders the chart and window table of a demo report (reports/demo.html) to a PNG, as README's
// docs/demo-report.png is made: node scripts/report-screenshot.mjs [report.html] [out.png]
// Uses Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core; downloads nothing.
import path from 'node:path';
import { chromium } from 'playwright-core';

const [src = 'reports/demo.html', out = 'docs/demo-report.png'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  await page.goto(`file://${path.resolve(src)}`);
  // The chart, the table and the figures: everything above the per-key table.
  const bottom = await page.evaluate(() => document.querySelector('h2')?.getBoundingClientRect().top ?? document.body.scrollHeight);
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 900, height: Math.ceil(bottom) } });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
