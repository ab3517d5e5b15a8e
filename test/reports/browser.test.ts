import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/reports/html/render.js';
import { buildReportModel } from '../../src/reports/model/index.js';
import { CJK_TEXT, HOSTILE, estateAssessment, estateEvidence, reportOptions } from '../fixtures/reports/estate.js';

/** Debian's chromium (playwright's own browser download does not work offline). */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-browser-'));
const ev = estateEvidence({ hostile: true });
const model = buildReportModel(estateAssessment(ev, { hostile: true }), ev, reportOptions());
const file = path.join(tmp, 'pack.html');
writeFileSync(file, renderHtml(model));
const url = pathToFileURL(file).href;

let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (listed in .ci/run)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Every request goes through here: only the file itself (and data: URLs) may load; anything else fails the test.
  await page.route('**/*', async (route) => {
    const u = route.request().url();
    if (u.startsWith('file:') || u.startsWith('data:')) await route.continue();
    else {
      foreignRequests.push(u);
      await route.abort();
    }
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('file:') && !u.startsWith('data:')) foreignRequests.push(u);
  });
  await page.goto(url, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pack.html in headless Chromium', () => {
  it('loads with no console errors and no network requests', async () => {
    await page.waitForLoadState('networkidle');
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(await page.title()).toBe('Nørdvind Santé AI · AI workload audit evidence pack · 2026-10');
  });

  it('renders injected markup and template syntax inert and visible as text', async () => {
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    const body = await page.locator('main').innerText();
    for (const literal of Object.values(HOSTILE)) expect(body).toContain(literal);
    // In a model card, a CloudTrail event, a resource name and a trail name.
    const card = await page.locator('#sec-model-cards').locator('..').innerText();
    expect(card).toContain(`${CJK_TEXT}: predicts which members will leave within 90 days. ${HOSTILE.script}`);
    const cloudtrail = await page.locator('section[aria-labelledby="sec-cloudtrail"]').innerText();
    expect(cloudtrail).toContain(`User is not authorized to perform bedrock:UpdateGuardrail ${HOSTILE.script}`);
    expect(cloudtrail).toContain(`dev-trail ${HOSTILE.script}`);
    const config = await page.locator('section[aria-labelledby="sec-config"]').innerText();
    expect(config).toContain(`ml-dev-scratch ${HOSTILE.script}`);
  });

  it('navigation links resolve to anchors, and following one scrolls its target into view', async () => {
    // (Page functions are given as strings: the project's TypeScript has no DOM library.)
    const broken = await page.evaluate(`[...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href').slice(1)).filter((id) => !document.getElementById(id))`);
    expect(broken).toEqual([]);
    const control = model.controls.frameworks[1]!.controls[5]!;
    // The disclosure triangle opens the framework's control list (its name is a link to the framework).
    await page.locator('nav.toc details').nth(1).locator('summary').click({ position: { x: 4, y: 8 } });
    expect(await page.locator('nav.toc details').nth(1).getAttribute('open')).not.toBeNull();
    await page.locator(`nav.toc a[href="#${control.anchor}"]`).click();
    expect(new URL(page.url()).hash).toBe(`#${control.anchor}`);
    await expect.poll(() => page.locator(`#${control.anchor}`).isVisible()).toBe(true);
    const top = await page.evaluate<number>(`document.getElementById(${JSON.stringify(control.anchor)}).getBoundingClientRect().top`);
    expect(Math.abs(top)).toBeLessThan(60);
    // The nav stays in view while the page scrolls.
    expect(await page.evaluate(`document.querySelector('nav.toc').getBoundingClientRect().top`)).toBe(0);
    await page.locator(`nav.toc a[href="#${model.lineage.anchor}"]`).click();
    expect(await page.locator(`#${model.lineage.anchor}`).isVisible()).toBe(true);
  });

  it('prints without the navigation, one section per page', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(`getComputedStyle(document.querySelector('nav.toc')).display`)).toBe('none');
    expect(await page.evaluate(`getComputedStyle(document.querySelector('section.section')).breakBefore`)).toBe('page');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.emulateMedia({ media: 'screen' });
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
