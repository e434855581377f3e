// node check.mjs PAGE.html OUTDIR SECTION...
// Renders the report in Debian's headless Chromium at a desktop and a phone
// width, saves a full-page screenshot of each, and fails when the page logs
// a console error, throws, asks the network for anything, lacks one of the
// named sections, has a chart of zero size, or is wider than a phone screen.
// With FIGURE_SHOTS=1 it also saves each figure at desktop width as
// OUTDIR/<figure id>.png (docs/screenshots.sh uses that).
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [page_path, outdir, ...sections] = process.argv.slice(2);
const url = pathToFileURL(path.resolve(page_path)).href;
const problems = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const widths = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, scale: 1 },
  { name: 'phone', viewport: { width: 390, height: 844 }, scale: 1 },
];
for (const w of widths) {
  // the page has no script: scripts off is how it must read
  const context = await browser.newContext({ viewport: w.viewport, deviceScaleFactor: w.scale, javaScriptEnabled: false });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${w.name}: console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${w.name}: page error: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== url) problems.push(`${w.name}: the page fetched ${r.url()}`); });
  await page.goto(url, { waitUntil: 'load' });
  const found = await page.evaluate(() => ({
    sections: [...document.querySelectorAll('section[id]')].map((s) => s.id),
    charts: [...document.querySelectorAll('svg.chart')].map((s) => {
      const r = s.getBoundingClientRect();
      return { id: s.id, width: r.width, height: r.height, table: !!s.closest('figure')?.querySelector('table') };
    }),
    scroll_width: document.documentElement.scrollWidth,
    inner_width: window.innerWidth,
  }));
  for (const s of sections) if (!found.sections.includes(s)) problems.push(`${w.name}: no section ${s}`);
  if (found.charts.length === 0) problems.push(`${w.name}: no chart`);
  for (const c of found.charts) {
    if (!(c.width > 0 && c.height > 0)) problems.push(`${w.name}: chart ${c.id} is ${c.width} x ${c.height}`);
    if (c.width > w.viewport.width) problems.push(`${w.name}: chart ${c.id} is ${c.width} wide, wider than the screen`);
    if (!c.table) problems.push(`${w.name}: chart ${c.id} has no table beside it`);
  }
  if (found.scroll_width > found.inner_width + 1)
    problems.push(`${w.name}: the page is ${found.scroll_width} px wide on a ${found.inner_width} px screen`);
  if (process.env.FIGURE_SHOTS === '1' && w.name === 'desktop') {
    for (const id of await page.$$eval('figure[id]', (fs) => fs.map((f) => f.id)))
      await page.locator(`figure[id="${id}"]`).screenshot({ path: path.join(outdir, `${id}.png`) });
  }
  const shot = path.join(outdir, `report-${w.name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`${w.name}: ${found.charts.length} charts in ${found.sections.length} sections, screenshot ${shot}`);
  await context.close();
}
await browser.close();
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log('browser: no console errors, nothing fetched, every chart drawn with its table');
