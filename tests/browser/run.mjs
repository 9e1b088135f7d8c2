// run.mjs: browser tests of the dashboard (web/) in Debian's chromium through playwright-core,
// against `omen serve` on a small synthetic store (or tests/browser/mock_server.mjs when this
// omen has no serve command yet). Saves a screenshot of each view in tests/artifacts/browser/.
// Ends with "N passed, N failed, N skipped". Env: BUILD (omen's build folder), OMEN_BROWSER_SCALE
// (synth scale, default 0.02), ONLY (a regex of test names), OMEN_BROWSER_MOCK=1 (use the mock
// server even when serve exists), CHROMIUM (default /usr/bin/chromium), OMEN_WEB (the web/ folder
// to serve, default web/).
import { createRequire } from 'node:module';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(path.join(repo, 'web/package.json'));
const { chromium } = require('playwright-core');

const BUILD = path.resolve(repo, process.env.BUILD || 'build');
const OMEN = path.join(BUILD, 'omen');
const ART = path.join(repo, 'tests/artifacts/browser');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/* OMEN_WEB: another web/ folder to test (e.g. an older commit's, to see a new test fail there) */
const WEB = process.env.OMEN_WEB ? path.resolve(process.env.OMEN_WEB) : path.join(repo, 'web');
fs.mkdirSync(ART, { recursive: true });

let passed = 0, failed = 0, skipped = 0;
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : null;

async function test(name, fn) {
    if (only && !only.test(name)) return;
    const t0 = Date.now();
    try {
        const r = await fn();
        if (r === 'skip') return; /* skip() counted it */
        passed++;
        console.log(`ok    ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
        failed++;
        console.log(`FAIL  ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
    }
}
function skip(name, why) {
    skipped++;
    console.log(`skip  ${name}: ${why}`);
    return 'skip';
}
function assert(cond, msg) {
    if (!cond) throw new Error(msg);
}

function freePort() {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.listen(0, '127.0.0.1', () => {
            const p = s.address().port;
            s.close(() => resolve(p));
        });
    });
}

function hasServe() {
    try {
        execFileSync(OMEN, ['serve', '--help'], { stdio: 'pipe' });
        return true;
    } catch (e) {
        return false;
    }
}

async function waitFor(url, ms) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        try {
            const r = await fetch(url);
            if (r.ok) return true;
        } catch (e) {
            /* not up yet */
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    return false;
}

/* ---------------------------------------------------------------- setup */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'omen-browser-'));
const db = path.join(tmp, 's.db');
const scale = process.env.OMEN_BROWSER_SCALE || '0.02';
execFileSync(OMEN, ['--db', db, '--quiet', 'synth', '--scale', scale], { stdio: 'pipe' });

const port = await freePort();
const real = hasServe() && !process.env.OMEN_BROWSER_MOCK;
const server = real
    ? spawn(OMEN, ['--db', db, 'serve', '--port', String(port), '--web', WEB], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [path.join(here, 'mock_server.mjs'), '--omen', OMEN, '--db', db, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => (serverLog += d));
const base = `http://127.0.0.1:${port}`;
console.log(`server: ${real ? 'omen serve' : 'mock_server.mjs'} on ${base}, store ${db} (scale ${scale})`);
if (!(await waitFor(base + '/api/meta', 20000))) {
    console.log('server did not start: ' + serverLog.slice(0, 500));
    server.kill();
    console.log('0 passed, 1 failed');
    process.exit(1);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });

/* A page that records console errors, page errors and API requests. */
async function open(hash) {
    const page = await context.newPage();
    page.errors = [];
    page.apiRequests = [];
    page.on('console', (m) => m.type() === 'error' && !/status of 400/.test(m.text()) && page.errors.push(m.text()));
    page.on('pageerror', (e) => page.errors.push(String(e)));
    page.on('request', (r) => r.url().includes('/api/') && page.apiRequests.push(r.url().slice(base.length)));
    await page.goto(base + '/' + (hash || ''));
    await settle(page);
    return page;
}

/* Waits until every card of the view left the loading state. */
/* Waits until the view rendered is the one the URL names (the hashchange listener runs after
 * the assignment that changes the hash, so on a busy machine a test could otherwise read the
 * previous view's settled cards) and none of its cards is still loading. */
async function settle(page) {
    await page.waitForFunction(() => {
        const v = document.getElementById('view');
        if (!v || (v.dataset.hash !== undefined && v.dataset.hash !== location.hash)) return false;
        const cards = [...document.querySelectorAll('.card')];
        return cards.length > 0 ? cards.every((c) => c.dataset.state !== 'loading') : !!v.querySelector('.notice');
    }, null, { timeout: 60000 });
}

async function cardStates(page) {
    return page.$$eval('.card', (cs) => cs.map((c) => ({ id: c.id, state: c.dataset.state, key: c.dataset.key, marks: c.querySelectorAll('svg [aria-label] path, svg [aria-label] rect, svg [aria-label] text, svg [aria-label] line, table tbody tr').length })));
}

const VIEWS = ['overview', 'concentration', 'shares', 'characteristics', 'sizes', 'derivations', 'orgs', 'alerts'];
const meta = await (await fetch(base + '/api/meta')).json();

/* ---------------------------------------------------------------- tests */

for (const v of VIEWS) {
    await test(`view ${v} renders its charts with no console errors`, async () => {
        const page = await open('#view=' + v);
        const cards = await cardStates(page);
        await page.screenshot({ path: path.join(ART, v + '.png'), fullPage: true });
        assert(cards.length > 0, 'no cards');
        const bad = cards.filter((c) => c.state !== 'ready' && c.state !== 'missing');
        assert(!bad.length, 'cards not ready: ' + JSON.stringify(bad));
        const ready = cards.filter((c) => c.state === 'ready');
        assert(ready.length > 0 || cards.every((c) => c.state === 'missing'), 'nothing ready');
        for (const c of ready) assert(c.marks > 0, `card ${c.id} has no marks`);
        const charts = await page.$$eval('.card[data-state=ready] .card-body svg[class^=plot]', (s) => s.length);
        const tables = await page.$$eval('.card[data-state=ready] table', (s) => s.length);
        assert(charts + tables > 0 || cards.every((c) => c.state === 'missing'), 'no SVG chart or table');
        assert(!page.errors.length, 'console errors: ' + page.errors.join(' | '));
        await page.close();
    });
}

/* ---------------------------------------------------------------- geometry of what is drawn */

/* In the page: the x position (client px) of a date on a card's time axis, from the axis' year
 * tick labels ("2021", "2022", ...), so a test reads the chart as a reader does, not through
 * the dashboard's own scale objects. Also the y position of a share from the "0%".."100%"
 * labels, and each area path's outline as client-px points. */
const GEOMETRY = `
window.__geo = function (cardId) {
    const svg = document.querySelector('#card-' + cardId + ' .card-body svg[class^=plot]');
    const mid = (n) => { const b = n.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; };
    const years = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text')].filter((t) => /^(Jan)?\\d{4}$/.test(t.textContent.trim()));
    const yt = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].filter((t) => /^\\d+%$/.test(t.textContent.trim()));
    let xOf = null, yOf = null;
    if (years.length >= 2) {
        const [a, b] = [years[0], years[years.length - 1]];
        const yr = (t) => +t.textContent.trim().slice(-4);
        const ta = Date.UTC(yr(a), 0, 1), tb = Date.UTC(yr(b), 0, 1);
        const xa = mid(a)[0], xb = mid(b)[0];
        xOf = (iso) => xa + ((Date.parse(iso + 'T00:00:00Z') - ta) * (xb - xa)) / (tb - ta);
    }
    if (yt.length >= 2) {
        const [a, b] = [yt[0], yt[yt.length - 1]];
        const va = parseFloat(a.textContent) / 100, vb = parseFloat(b.textContent) / 100;
        const ya = mid(a)[1], yb = mid(b)[1];
        yOf = (v) => ya + ((v - va) * (yb - ya)) / (vb - va);
    }
    const shapes = [...svg.querySelectorAll('g[aria-label=area] path, g[aria-label=line] path')].map((p) => {
        const m = p.getScreenCTM();
        const nums = (p.getAttribute('d') || '').match(/-?[0-9.]+(e-?[0-9]+)?/g) || [];
        const pts = [];
        for (let i = 0; i + 1 < nums.length; i += 2) {
            const q = new DOMPoint(+nums[i], +nums[i + 1]).matrixTransform(m);
            pts.push([q.x, q.y]);
        }
        return { fill: p.getAttribute('fill') || (p.parentNode.getAttribute && p.parentNode.getAttribute('fill')), area: p.parentNode.getAttribute('aria-label') === 'area', pts };
    });
    const legend = {};
    const fig = svg.closest('figure') || svg.parentNode;
    for (const sw of fig.querySelectorAll('span[class$="-swatch"]')) {
        const s = sw.querySelector('svg');
        if (s) legend[sw.textContent.trim()] = s.getAttribute('fill');
    }
    return { xOf, yOf, shapes, legend };
};
/* the y of a polyline (client px points) at x: the segment that covers x, horizontal steps preferred */
window.__yAt = function (pts, x) {
    for (let i = 0; i + 1 < pts.length; i++) {
        const [x0, y0] = pts[i], [x1, y1] = pts[i + 1];
        if (Math.min(x0, x1) - 0.01 <= x && x <= Math.max(x0, x1) + 0.01 && Math.abs(y1 - y0) < 1e-6) return y0;
    }
    return null;
};
`;

function dayAfter(iso) {
    return new Date(Date.parse(iso + 'T00:00:00Z') + 864e5).toISOString().slice(0, 10);
}

async function apiJSON(key) {
    const r = await fetch(base + key);
    assert(r.ok, key + ': ' + r.status);
    return r.json();
}

/* Issue 14 (1): the last period of every stepped chart spans to its end. */
for (const [view, card, hash] of [
    ['concentration', 'segments-model', 'window=year'],
    ['concentration', 'segments-country', 'window=year'],
    ['concentration', 'indices-developer', 'window=year'],
    ['concentration', 'monitor-country', 'window=year&ci=on&envelope=on'],
    ['shares', 'shares-developer', 'window=year'],
    ['shares', 'shares-country', 'window=month'],
    ['characteristics', 'trends', 'window=year'],
    ['characteristics', 'modalities', 'window=year'],
    ['derivations', 'depth-trend', 'window=year'],
    ['derivations', 'intermediaries-trend', 'window=year'],
    ['orgs', 'orgs-time', 'window=year'],
]) {
    await test(`the last period of ${view}/${card} (${hash}) is drawn to the period's end`, async () => {
        const page = await open(`#view=${view}&${hash}`);
        const key = await page.getAttribute('#card-' + card, 'data-key');
        const data = await apiJSON(key);
        const lastEnd = data.rows.map((r) => r.period_end).sort().pop();
        const firstStart = data.rows.map((r) => r.period_start).sort()[0];
        await page.evaluate(GEOMETRY); /* not addScriptTag: the dashboard's CSP blocks inline scripts, and the tests run under it */
        const got = await page.evaluate(([id, a, b]) => {
            const g = window.__geo(id);
            if (!g.xOf) return { err: 'no year ticks' };
            const xs = g.shapes.flatMap((s) => s.pts.map((p) => p[0]));
            return { left: Math.min(...xs), right: Math.max(...xs), want: g.xOf(b), wantLeft: g.xOf(a) };
        }, [card, firstStart, dayAfter(lastEnd)]);
        assert(!got.err, got.err);
        assert(Math.abs(got.right - got.want) < 1.5, `marks end at x=${got.right.toFixed(1)}, the last period (to ${lastEnd}) ends at x=${got.want.toFixed(1)}`);
        assert(Math.abs(got.left - got.wantLeft) < 1.5, `marks start at x=${got.left.toFixed(1)}, the first period at x=${got.wantLeft.toFixed(1)}`);
        await page.close();
    });
}

/* Issue 14 (2): a named developer's band is its true share in every period, whether or not it
 * is in that period's top 8; the truth is the API's shares with a long list. */
for (const [level, win] of [['developer', 'quarter'], ['developer', 'month']]) {
    await test(`market share: each named ${level}'s drawn share equals the API's share in every period (${win})`, async () => {
        const page = await open(`#view=shares&window=${win}`);
        await page.evaluate(GEOMETRY); /* not addScriptTag: the dashboard's CSP blocks inline scripts, and the tests run under it */
        const truth = await apiJSON(`/api/shares?level=${level}&top=1000&window=${win}`);
        const byPeriod = d3group(truth.rows);
        const named = await page.evaluate((id) => Object.keys(window.__geo(id).legend).filter((l) => l !== 'All others'), 'shares-' + level);
        assert(named.length === 8, 'named: ' + named.join(','));
        let checked = 0, zeroWrong = 0;
        const bad = [];
        for (const [start, rows] of byPeriod) {
            const end = rows[0].period_end;
            const drawn = await page.evaluate(([id, a, b, names]) => {
                const g = window.__geo(id);
                const x = (g.xOf(a) + g.xOf(b)) / 2;
                const px = g.yOf(0) - g.yOf(1);
                const out = {};
                for (const n of names) {
                    const s = g.shapes.find((sh) => sh.area && sh.fill === g.legend[n]);
                    if (!s) { out[n] = null; continue; }
                    const h = s.pts.length / 2;
                    const top = window.__yAt(s.pts.slice(0, h), x), bottom = window.__yAt(s.pts.slice(h), x);
                    out[n] = top == null || bottom == null ? null : Math.abs(bottom - top) / px;
                }
                return out;
            }, ['shares-' + level, start, dayAfter(end), named]);
            for (const n of named) {
                const r = rows.find((q) => q.entity === n);
                const want = r ? r.share : 0;
                checked++;
                if (drawn[n] == null || Math.abs(drawn[n] - want) > 0.004) {
                    bad.push(`${n} ${start}: drawn ${drawn[n] == null ? 'nothing' : (100 * drawn[n]).toFixed(2) + '%'}, API ${(100 * want).toFixed(2)}%`);
                    if (drawn[n] != null && drawn[n] < 0.0005 && want > 0.004) zeroWrong++;
                }
            }
        }
        assert(checked > 0, 'nothing checked');
        assert(!bad.length, `${bad.length} of ${checked} bands wrong (${zeroWrong} drawn as 0): ` + bad.slice(0, 5).join(' | '));
        await page.close();
    });
}

function d3group(rows) {
    const m = new Map();
    for (const r of rows) {
        if (!m.has(r.period_start)) m.set(r.period_start, []);
        m.get(r.period_start).push(r);
    }
    return m;
}

await test('synthetic banner shows when meta says synthetic', async () => {
    assert(meta.synthetic === true, 'the test store should be synthetic');
    const page = await open('#view=overview');
    assert(await page.isVisible('#banner'), 'banner hidden');
    assert(/synthetic/i.test(await page.textContent('#banner')), 'banner text');
    await page.close();
});

await test('a control changes the URL and the request; reloading restores it', async () => {
    const page = await open('#view=concentration');
    const before = await page.getAttribute('#card-segments-country', 'data-key');
    page.apiRequests.length = 0;
    await page.selectOption('#ctl-window', 'quarter');
    await settle(page);
    await page.uncheck('#ctl-rolling');
    await page.waitForFunction(() => /rolling=off/.test(location.hash));
    await settle(page);
    const url = page.url();
    assert(/window=quarter/.test(url) && /rolling=off/.test(url), 'URL lacks state: ' + url);
    const after = await page.getAttribute('#card-segments-country', 'data-key');
    assert(after !== before && /window=quarter/.test(after) && /no-rolling=/.test(after), 'request key unchanged: ' + after);
    assert(page.apiRequests.some((r) => /level=country/.test(r) && /window=quarter/.test(r) && /no-rolling/.test(r)), 'no such API request: ' + page.apiRequests.join(' '));
    const shown = await page.textContent('#card-indices-developer');
    await page.reload();
    await settle(page);
    assert((await page.inputValue('#ctl-window')) === 'quarter', 'window not restored');
    assert(!(await page.isChecked('#ctl-rolling')), 'rolling not restored');
    assert((await page.getAttribute('#card-segments-country', 'data-key')) === after, 'request not restored');
    assert(shown.length > 0, 'no content');
    await page.close();
});

await test('rolling filter and attribution change the numbers shown', async () => {
    const page = await open('#view=overview');
    const a = await page.textContent('#card-lb-developer tbody');
    await page.uncheck('#ctl-rolling');
    await page.waitForFunction(() => /rolling=off/.test(location.hash));
    await settle(page);
    const b = await page.textContent('#card-lb-developer tbody');
    assert(a !== b, 'rolling off shows the same leaderboard');
    await page.selectOption('#ctl-attribution', 'recursive');
    await page.waitForFunction(() => /attribution=recursive/.test(location.hash));
    await settle(page);
    const c = await page.textContent('#card-lb-developer tbody');
    assert(c !== b, 'recursive attribution shows the same leaderboard');
    await page.close();
});

await test('leaderboard tabs switch between all-time and last year', async () => {
    const page = await open('#view=overview');
    const a = await page.textContent('#card-lb-model tbody');
    await page.click('button[data-period=last-year]');
    await page.waitForFunction(() => /period=last-year/.test(location.hash));
    await settle(page);
    assert((await page.getAttribute('button[data-period=last-year]', 'aria-pressed')) === 'true', 'tab not pressed');
    assert(/period=last-year/.test(await page.getAttribute('#card-lb-model', 'data-key')), 'request lacks period');
    const b = await page.textContent('#card-lb-model tbody');
    assert(a !== b, 'same models in both tabs');
    await page.close();
});

/* The text of the file a click downloads; a CSV's provenance sidecar, which may arrive first
 * (a large CSV's blob takes longer), is passed over. */
async function downloadText(page, selector) {
    const got = [];
    const on = (d) => got.push(d);
    page.on('download', on);
    await page.click(selector);
    const main = () => got.find((d) => !d.suggestedFilename().endsWith('.provenance.txt'));
    for (let i = 0; i < 200 && !main(); i++) await page.waitForTimeout(50);
    page.off('download', on);
    assert(main(), 'no download: ' + got.map((d) => d.suggestedFilename()).join(','));
    return fs.readFileSync(await main().path(), 'utf8');
}

for (const [view, card] of [['concentration', 'segments-developer'], ['overview', 'lb-developer'], ['shares', 'shares-country'], ['overview', 'map'], ['concentration', 'monitor-country'], ['alerts', 'alerts-list']]) {
    await test(`CSV download of ${view}/${card} equals the API's CSV`, async () => {
        const page = await open('#view=' + view);
        const key = await page.getAttribute('#card-' + card, 'data-key');
        const csv = await downloadText(page, `#card-${card} button.dl:text("CSV")`);
        const api = await (await fetch(base + key + (key.includes('?') ? '&' : '?') + 'format=csv')).text();
        assert(csv.length > 20, 'empty CSV');
        assert(csv === api, `CSV differs from ${key}: ${JSON.stringify(csv.slice(0, 120))} vs ${JSON.stringify(api.slice(0, 120))}`);
        await page.close();
    });
}

for (const [view, card] of [['concentration', 'segments-developer'], ['concentration', 'indices-model'], ['shares', 'shares-developer'], ['overview', 'map'], ['sizes', 'violin-created'], ['orgs', 'orgs-country']]) {
    await test(`tooltip: hovering ${view}/${card} shows a tip`, async () => {
        const page = await open('#view=' + view);
        const svg = await page.$(`#card-${card} .card-body svg[class^=plot]`);
        await svg.scrollIntoViewIfNeeded();
        const box = await svg.boundingBox();
        let shown = false;
        if (card === 'map') {
            /* the tip sits on each country's centroid, where its label is */
            const label = await page.$(`#card-map svg g[aria-label=text] text`);
            const b = await label.boundingBox();
            await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
            await page.waitForTimeout(200);
            shown = await page.evaluate(() => !!document.querySelector('#card-map svg [aria-label=tip]'));
        }
        /* sweep across the middle of the plot until a tip appears */
        for (let i = 1; i < 36 && !shown; i++) {
            await page.mouse.move(box.x + (box.width * (i % 12)) / 12, box.y + box.height * [0.55, 0.3, 0.8][Math.floor(i / 12)]);
            shown = await page.evaluate((id) => {
                const tip = document.querySelector(`#card-${id} svg [aria-label=tip]`);
                return !!tip && tip.textContent.trim().length > 0;
            }, card);
        }
        if (card === 'segments-developer') await page.screenshot({ path: path.join(ART, 'tooltip-concentration.png') });
        assert(shown, 'no tip');
        await page.close();
    });
}

for (const [view, card, legend] of [['concentration', 'segments-developer', 'Rank 1'], ['overview', 'map', 'Ranks as in the Countries table'], ['orgs', 'orgs-country', 'company'], ['alerts', 'alerts-timeline', 'Organisation types']]) {
    await test(`SVG download of ${view}/${card} is a valid SVG document with its legend`, async () => {
        const page = await open('#view=' + view);
        const svg = await downloadText(page, `#card-${card} button.dl:text("SVG")`);
        assert(/^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/.test(svg), 'no svg root: ' + svg.slice(0, 100));
        const ok = await page.evaluate((text) => {
            const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
            return !doc.querySelector('parsererror') && doc.documentElement.nodeName === 'svg' && doc.querySelectorAll('path').length > 0;
        }, svg);
        assert(ok, 'the SVG does not parse');
        assert(svg.includes(legend), 'the legend is not in the SVG: ' + legend);
        const file = path.join(ART, `${view}-${card}.svg`);
        fs.writeFileSync(file, svg);
        const shot = await context.newPage();
        await shot.goto(pathToFileURL(file).href);
        await shot.screenshot({ path: file.replace(/\.svg$/, '.svg.png') });
        await shot.close();
        await page.close();
    });
}

/* Issue 14 (4): downloads carry their provenance. */
for (const [view, card, hash] of [['concentration', 'segments-developer', '&window=year&rolling=off'], ['overview', 'map', ''], ['characteristics', 'trends', '&field=architecture']]) {
    await test(`the SVG download of ${view}/${card} carries its title, filters, source and the SYNTHETIC mark`, async () => {
        const page = await open('#view=' + view + hash);
        const title = (await page.textContent(`#card-${card} h2`)).trim();
        const key = await page.getAttribute('#card-' + card, 'data-key');
        const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`#card-${card} button.dl:text("SVG")`)]);
        const svg = fs.readFileSync(await dl.path(), 'utf8');
        const text = await page.evaluate((t) => new DOMParser().parseFromString(t, 'image/svg+xml').documentElement.textContent, svg);
        assert(text.includes(title), 'no title ' + title);
        assert(text.includes(`omen ${meta.omen_version}, store ${meta.store_version}, weeks ${meta.first_week} to ${meta.last_week}`), 'no source line');
        assert(/Filters: weeks \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d/.test(text), 'no filters line');
        if (hash.includes('window=year')) assert(/window year/.test(text) && /Rolling Window Filter off/.test(text), 'filters lack window year / rolling off');
        if (hash.includes('field=')) assert(/field architecture/.test(text) && /Head Sample/.test(text), 'filters lack the field or the sample');
        assert(text.includes(key), 'no request key');
        assert(/SYNTHETIC/.test(text), 'no SYNTHETIC mark');
        assert(/^SYNTHETIC_/.test(dl.suggestedFilename()), 'file name lacks SYNTHETIC_: ' + dl.suggestedFilename());
        fs.writeFileSync(path.join(ART, `provenance-${view}-${card}.svg`), svg);
        const shot = await context.newPage();
        await shot.goto(pathToFileURL(path.join(ART, `provenance-${view}-${card}.svg`)).href);
        await shot.screenshot({ path: path.join(ART, `provenance-${view}-${card}.svg.png`) });
        await shot.close();
        await page.close();
    });
}

await test('a CSV download comes with a provenance sidecar and stays readable by pandas/R as is', async () => {
    const page = await open('#view=shares&window=quarter');
    const key = await page.getAttribute('#card-shares-developer', 'data-key');
    const got = [];
    page.on('download', (d) => got.push(d));
    await page.click('#card-shares-developer button.dl:text("CSV")');
    for (let i = 0; i < 50 && got.length < 2; i++) await page.waitForTimeout(100);
    assert(got.length === 2, 'downloads: ' + got.map((d) => d.suggestedFilename()).join(','));
    const csvDl = got.find((d) => d.suggestedFilename().endsWith('.csv'));
    const side = got.find((d) => d.suggestedFilename().endsWith('.provenance.txt'));
    assert(csvDl && side, 'names: ' + got.map((d) => d.suggestedFilename()).join(','));
    const csv = fs.readFileSync(await csvDl.path(), 'utf8');
    const txt = fs.readFileSync(await side.path(), 'utf8');
    assert(csv.startsWith('period_start,'), 'the CSV does not start with its header: ' + csv.slice(0, 40));
    assert(txt.includes(csvDl.suggestedFilename()) && txt.includes('Market share: Developers'), 'sidecar lacks the file or title: ' + txt);
    assert(txt.includes(`omen ${meta.omen_version}, store ${meta.store_version}`) && /window quarter/.test(txt) && /SYNTHETIC/.test(txt) && txt.includes(key), 'sidecar: ' + txt);
    await page.close();
});

/* Issue 14 (5) and (6): the map ranks as the Countries table does, its labels never overlap,
 * and each kind of pseudo-country has its own symbol. */
for (const [w, h] of [[1440, 900], [390, 844]]) {
    await test(`map at ${w}px: ranks equal the Countries table's and no two labels overlap`, async () => {
        const page = await context.newPage();
        await page.setViewportSize({ width: w, height: h });
        await page.goto(base + '/#view=overview');
        await settle(page);
        const labels = await page.$$eval('#card-map svg g[aria-label=text] text', (ts) =>
            ts.map((t) => {
                const b = t.getBoundingClientRect();
                return { text: t.textContent.trim(), country: t.dataset.country, x: b.x, y: b.y, w: b.width, h: b.height };
            })
        );
        assert(labels.length >= 8, 'labels: ' + labels.length);
        const table = await page.$$eval('#card-lb-country tbody tr', (rs) => rs.map((r) => ({ rank: +r.cells[0].textContent, title: r.cells[1].getAttribute('title') })));
        const api = await apiJSON(await page.getAttribute('#card-map', 'data-key'));
        const rankOf = new Map(api.rows.map((r) => [r.country, r.rank]));
        /* a label without data-country (an older dashboard) is matched by the name it shows */
        for (const l of labels) if (!l.country && /\. /.test(l.text)) l.country = (api.rows.find((r) => l.text.endsWith(r.name)) || {}).country;
        for (const l of labels.filter((q) => q.country)) assert(+l.text.split(/[. ]/)[0] === rankOf.get(l.country), `map label "${l.text}" for ${l.country}, API rank ${rankOf.get(l.country)}`);
        for (const r of table) {
            const row = api.rows.find((q) => q.rank === r.rank);
            const onMap = labels.find((l) => l.country === row.country);
            if (onMap) assert(+onMap.text.split(/[. ]/)[0] === r.rank, `table rank ${r.rank} ${r.title}, map ${onMap.text}`);
        }
        const over = [];
        for (let i = 0; i < labels.length; i++)
            for (let j = i + 1; j < labels.length; j++) {
                const a = labels[i], b = labels[j];
                if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) over.push(a.text + ' / ' + b.text);
            }
        await page.screenshot({ path: path.join(ART, `overview-map-${w}.png`), fullPage: false });
        assert(!over.length, 'overlapping labels: ' + over.join(', '));
        await page.close();
    });
}

await test('online and international organisations have different symbols', async () => {
    const page = await open('#view=overview');
    const syms = await page.$$eval('#card-lb-country .sym, #card-lb-developer .sym', (ss) => ss.map((s) => [s.textContent, s.title]));
    const by = new Map();
    for (const [g, t] of syms) if (/online|international/.test(t)) by.set(t.replace(/ \(.*\)$/, ''), g);
    const online = by.get('online organisation'), intl = by.get('international organisation');
    const caption = await page.textContent('#card-map');
    assert(online || /online/.test(caption), 'no online organisation in view');
    const fromCaption = (re) => (caption.match(re) || [])[1];
    const o = online || fromCaption(/(\S) Online organisations/), n = intl || fromCaption(/(\S) International organisations/);
    assert(o && n && o !== n, `online ${o}, international ${n}`);
    await page.close();
});

/* Issue 14 (3): Table 1 is readable: an effect-size cut by default, with its rule shown; the
 * model size rows; no "(none)" row; combined rows marked. */
await test('Table 1 keeps rows by effect size by default, states the rule, shows model size, no (none) rows, marks combined rows', async () => {
    const page = await open('#view=characteristics&rows=all');
    const allCount = await page.$$eval('#card-table1 tbody tr', (rs) => rs.length);
    await page.evaluate(() => (location.hash = '#view=characteristics'));
    await settle(page);
    const key = await page.getAttribute('#card-table1', 'data-key');
    const api = await apiJSON(key);
    const rows = await page.$$eval('#card-table1 tbody tr:not(.group):not(.size-row)', (rs) => rs.map((r) => ({ value: r.querySelector('td.name').textContent, v: +r.cells[r.cells.length - 3].textContent, html: r.innerHTML })));
    const rule = await page.textContent('#card-table1');
    assert(/Cramér's V ≥ 0\.05/.test(rule), 'the rule is not stated');
    assert(rows.length > 0 && rows.length < api.rows.filter((r) => r.significant).length, `${rows.length} rows shown of ${api.rows.length} significant`);
    assert(rows.every((r) => r.v >= 0.05), 'a row with V < 0.05: ' + rows.filter((r) => !(r.v >= 0.05)).map((r) => r.value).join(','));
    assert(!rows.some((r) => r.value === '(none)'), 'a (none) row is shown');
    const size = await page.$$eval('#card-table1 tr.size-row[data-stat=mean] td[data-seg]', (ts) => ts.map((t) => [t.dataset.seg, t.textContent]));
    const sz = await apiJSON('/api/sizes?by=download-segment&sample=head');
    assert(size.length === sz.rows.length, 'size row cells: ' + JSON.stringify(size));
    for (const [seg, text] of size) {
        const r = sz.rows.find((q) => 'seg_' + q.segment === seg);
        const shown = parseFloat(text) * { k: 1e3, M: 1e6, B: 1e9, T: 1e12 }[text.slice(-1)];
        assert(r && Math.abs(shown - r.mean) / r.mean < 0.01, `size ${seg}: shown ${text}, API ${r && r.mean}`);
    }
    const groups = await page.$$eval('#card-table1 tr.group', (gs) => gs.map((g) => g.textContent));
    assert(groups[groups.length - 1] === 'Model Size' && groups.indexOf('Organizations') < groups.indexOf('Model Attributes'), 'groups: ' + groups.join(','));
    await page.evaluate(() => (location.hash = '#view=characteristics&rows=all'));
    await settle(page);
    const comb = await page.$$eval('#card-table1 td.name', (ts) => ts.filter((t) => /^(VAE \/ GAN|LSTM \/ GRU|Transformer: Speech|Disclosed & Unavailable)Σ$/.test(t.textContent)).map((t) => t.title));
    assert(comb.length >= 1 && comb.every((t) => /Combined row/.test(t)), 'combined rows not marked: ' + comb.join(' | '));
    assert(allCount > rows.length, 'all rows shows no more rows');
    await page.screenshot({ path: path.join(ART, 'characteristics-table1-all.png'), fullPage: true });
    await page.close();
});

/* Issue 14 (7): the violins have Figure 5's 25/50/75 percentile lines, where the API puts them. */
for (const [card, by] of [['violin-downloaded', 'download-year'], ['violin-created', 'creation-year']]) {
    await test(`sizes/${card}: each year's violin has its 25th, 50th and 75th percentile lines at the API's values`, async () => {
        const page = await open('#view=sizes');
        const sum = await apiJSON(`/api/sizes?by=${by}`);
        const got = await page.evaluate((id) => {
            const svg = document.querySelector('#card-' + id + ' .card-body svg[class^=plot]');
            const mult = { k: 1e3, M: 1e6, B: 1e9, T: 1e12 };
            const ticks = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => {
                const s = t.textContent.trim();
                const v = mult[s.slice(-1)] ? parseFloat(s) * mult[s.slice(-1)] : parseFloat(s);
                const b = t.getBoundingClientRect();
                return [Math.log10(v), b.y + b.height / 2];
            });
            const lines = [...svg.querySelectorAll('g[aria-label=rule] line')].map((l) => {
                const b = l.getBoundingClientRect();
                return { y: b.y + b.height / 2, title: (l.querySelector('title') || {}).textContent || '' };
            });
            return { ticks, lines };
        }, card);
        assert(got.ticks.length >= 2, 'no y ticks');
        const [[va, ya], [vb, yb]] = [got.ticks[0], got.ticks[got.ticks.length - 1]];
        const yOf = (l) => ya + ((l - va) * (yb - ya)) / (vb - va);
        const want = sum.rows.flatMap((r) => ['p25', 'median', 'p75'].filter((k) => r[k] > 0).map((k) => yOf(Math.log10(r[k]))));
        assert(got.lines.length === want.length, `${got.lines.length} percentile lines, want ${want.length}`);
        const ys = got.lines.map((l) => l.y).sort((a, b) => a - b);
        const ws = want.slice().sort((a, b) => a - b);
        const off = ys.filter((y, i) => Math.abs(y - ws[i]) > 1.5);
        assert(!off.length, 'lines off their percentile: ' + off.length);
        await page.close();
    });
}

/* Issue 14 (8): a level's plural is spelled right everywhere. */
await test('the country level reads "countries", never "countrys" (intro, axis, SVG)', async () => {
    const page = await open('#view=concentration');
    const text = await page.textContent('#view');
    const svg = await downloadText(page, '#card-segments-country button.dl:text("SVG")');
    assert(!/countrys/.test(text) && !/countrys/.test(svg), 'countrys in ' + (/countrys/.test(text) ? 'the page' : 'the SVG'));
    assert(/countries/.test(text) && /countries/.test(svg), 'no "countries"');
    await page.close();
});

/* Issue 14, beyond: each view states its finding in one sentence computed from the data in view. */
for (const v of VIEWS) {
    await test(`view ${v} states its finding in one sentence from the data in view`, async () => {
        const page = await open('#view=' + v);
        const text = ((await page.textContent('#view .finding').catch(() => '')) || '').trim();
        assert(text.length > 30 && /\d/.test(text), 'finding: ' + JSON.stringify(text));
        if (v === 'concentration') {
            const key = await page.getAttribute('#card-segments-developer', 'data-key');
            const rows = (await apiJSON(key)).rows.filter((r) => r.entities > 0);
            const want = (100 * rows[rows.length - 1].top10_share).toFixed(1) + '%';
            assert(text.includes('top 10 developers held ' + want), `finding lacks the API's last top-10 share ${want}: ${text}`);
            await page.uncheck('#ctl-rolling');
            await page.waitForFunction(() => /rolling=off/.test(location.hash));
            await settle(page);
            await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true');
            const after = (await page.textContent('#view .finding')).trim();
            assert(after !== text, 'the finding does not change with the filters');
        }
        await page.close();
    });
}

/* Issue 14, beyond: Figure 3 as the paper draws it, model, developer and country side by side. */
await test('concentration draws models, developers and countries side by side (small multiples)', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(base + '/#view=concentration');
    await settle(page);
    const boxes = [];
    for (const l of ['model', 'developer', 'country']) {
        const b = await (await page.$('#card-segments-' + l + ' .card-body svg[class^=plot]')).boundingBox();
        boxes.push(b);
        assert(/level=/.test(await page.getAttribute('#card-segments-' + l, 'data-key')), 'no level in the request');
    }
    assert(Math.abs(boxes[0].y - boxes[1].y) < 2 && Math.abs(boxes[1].y - boxes[2].y) < 2, 'not on one row: ' + JSON.stringify(boxes.map((b) => b.y)));
    assert(boxes[0].x < boxes[1].x && boxes[1].x < boxes[2].x, 'not side by side');
    assert(await page.isDisabled('#ctl-level'), 'the level control still applies');
    await page.close();
});

/* Issue 14, beyond: phones. At 390 px every view fits the screen (no sideways page scroll;
 * wide tables scroll inside their card), names are readable, x-axis labels do not collide. */
for (const v of VIEWS) {
    await test(`view ${v} at 390x844: fits the width, tables scroll in place, axis labels apart`, async () => {
        const page = await context.newPage();
        await page.setViewportSize({ width: 390, height: 844 });
        const errors = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(base + '/#view=' + v);
        await settle(page);
        await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true');
        await page.screenshot({ path: path.join(ART, `${v}-390.png`), fullPage: true });
        const r = await page.evaluate(() => {
            const out = { scroll: document.scrollingElement.scrollWidth, wide: [], clash: [], small: [] };
            for (const t of document.querySelectorAll('table')) {
                const b = t.getBoundingClientRect();
                if (b.right > window.innerWidth + 1 && !t.closest('.table-scroll, .card-body')) out.wide.push(t.closest('.card').id);
            }
            for (const svg of document.querySelectorAll('.card-body svg[class^=plot]')) {
                const ls = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text, g[aria-label="fx-axis tick label"] text')].map((t) => t.getBoundingClientRect()).filter((b) => b.width > 0);
                for (let i = 1; i < ls.length; i++) if (ls[i].left < ls[i - 1].right - 0.5 && Math.abs(ls[i].top - ls[i - 1].top) < 4) out.clash.push(svg.closest('.card').id);
            }
            for (const n of document.querySelectorAll('td.name')) {
                const b = n.getBoundingClientRect();
                if (b.width > 0 && b.width < 60) out.small.push(n.closest('.card').id + ':' + Math.round(b.width));
            }
            return out;
        });
        assert(r.scroll <= 391, `the page scrolls sideways: ${r.scroll}px wide`);
        assert(!r.wide.length, 'tables wider than the screen: ' + r.wide.join(','));
        assert(!r.clash.length, 'x-axis labels collide in ' + [...new Set(r.clash)].join(','));
        assert(!r.small.length, 'names squeezed below 60px: ' + [...new Set(r.small)].slice(0, 5).join(','));
        assert(!errors.length, errors.join(' | '));
        await page.close();
    });
    await test(`view ${v} at 1440x900: screenshot`, async () => {
        const page = await context.newPage();
        await page.setViewportSize({ width: 1440, height: 900 });
        await page.goto(base + '/#view=' + v);
        await settle(page);
        await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true');
        await page.screenshot({ path: path.join(ART, `${v}-1440.png`), fullPage: true });
        await page.close();
    });
}

/* ---------------------------------------------------------------- issue 16: monitoring */

/* In the page: what a monitoring chart (Concentration's top row) draws, in client px: the x of a
 * date from the year tick labels, the y of a value from the y tick labels ("0.05", "12%"), and
 * for a mark class (omen-measure, omen-interval, omen-envelope: paths; omen-mean, omen-break:
 * rules) its horizontal pieces or its lines. */
const MONITOR = `
window.__mon = function (cardId) {
    const svg = document.querySelector('#card-' + cardId + ' .card-body svg[class^=plot]');
    if (!svg) return null;
    const mid = (n) => { const b = n.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; };
    const years = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text')].filter((t) => /^(Jan)?\\d{4}$/.test(t.textContent.trim()));
    const yt = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')]
        .map((t) => [t.textContent.trim(), mid(t)[1]])
        .filter(([s]) => /^[0-9.]+%?$/.test(s))
        .map(([s, y]) => [s.endsWith('%') ? parseFloat(s) / 100 : parseFloat(s), y]);
    const out = { ok: years.length >= 2 && yt.length >= 2 };
    if (!out.ok) return out;
    const [a, b] = [years[0], years[years.length - 1]];
    const yr = (t) => +t.textContent.trim().slice(-4);
    const ta = Date.UTC(yr(a), 0, 1), tb = Date.UTC(yr(b), 0, 1), xa = mid(a)[0], xb = mid(b)[0];
    out.x = { ta, tb, xa, xb };
    const [[va, ya], [vb, yb]] = [yt[0], yt[yt.length - 1]];
    out.y = { va, vb, ya, yb };
    /* each path of a class as horizontal pieces [x0, x1, y], subpath by subpath */
    out.pieces = {};
    for (const cls of ['omen-measure', 'omen-interval', 'omen-envelope']) {
        const pieces = [];
        for (const p of svg.querySelectorAll('g.' + cls + ' path')) {
            const m = p.getScreenCTM();
            for (const sub of (p.getAttribute('d') || '').split(/(?=M)/)) {
                const nums = sub.match(/-?[0-9.]+(e-?[0-9]+)?/g) || [];
                const pts = [];
                for (let i = 0; i + 1 < nums.length; i += 2) {
                    const q = new DOMPoint(+nums[i], +nums[i + 1]).matrixTransform(m);
                    pts.push([q.x, q.y]);
                }
                for (let i = 0; i + 1 < pts.length; i++) if (Math.abs(pts[i][1] - pts[i + 1][1]) < 1e-6 && pts[i][0] !== pts[i + 1][0]) pieces.push([Math.min(pts[i][0], pts[i + 1][0]), Math.max(pts[i][0], pts[i + 1][0]), pts[i][1]]);
            }
        }
        out.pieces[cls] = pieces;
    }
    out.lines = {};
    for (const cls of ['omen-mean', 'omen-break']) {
        out.lines[cls] = [...svg.querySelectorAll('g.' + cls + ' line')].map((l) => {
            const r = l.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        });
    }
    out.legend = [...(svg.closest('figure') || svg.parentNode).querySelectorAll('span[class$="-swatch"]')].map((s) => s.textContent.trim());
    return out;
};
`;

/* A monitoring chart's reading in node: x and y of API values, and the drawn y's at an x. */
function monitorReader(g) {
    const xOf = (iso) => g.x.xa + ((Date.parse(iso + 'T00:00:00Z') - g.x.ta) * (g.x.xb - g.x.xa)) / (g.x.tb - g.x.ta);
    const yOf = (v) => g.y.ya + ((v - g.y.va) * (g.y.yb - g.y.ya)) / (g.y.vb - g.y.va);
    const ysAt = (cls, x) => g.pieces[cls].filter(([a, b]) => a < x && x < b).map((p) => p[2]).sort((a, b) => a - b);
    return { xOf, yOf, ysAt };
}

const MEASURE_COL = { hhi: 'hhi', gini: 'gini', top1: 'top1_share', cr4: 'cr4_share', top10: 'top10_share' };

/* Every period's drawn value, every change point and every segment mean of a monitoring chart
 * against the API (the chart's own request, and /api/changes for the same settings). */
for (const [hash, measure] of [['', 'hhi'], ['&measure=top10&window=quarter', 'top10']]) {
    await test(`concentration monitoring row (${measure}${hash.includes('quarter') ? ', quarter' : ''}): each level's line, change-point rules and segment means are the API's`, async () => {
        const page = await open('#view=concentration' + hash);
        await page.evaluate(MONITOR);
        const bad = [];
        let checked = 0;
        for (const level of ['model', 'developer', 'country']) {
            const id = 'monitor-' + level;
            const key = await page.getAttribute('#card-' + id, 'data-key');
            const ckey = await page.getAttribute(`#card-${id} button[data-layer=changes]`, 'data-key');
            assert(key && /level=/.test(key) && ckey && ckey.includes('measure=' + measure) && ckey.includes('level=' + level), `keys ${key} ${ckey}`);
            const data = await apiJSON(key);
            const segs = (await apiJSON(ckey)).rows;
            const g = await page.evaluate((i) => window.__mon(i), id);
            assert(g && g.ok, 'no axes to read on ' + id);
            const { xOf, yOf, ysAt } = monitorReader(g);
            for (const r of data.rows) {
                if (!(r.entities > 0)) continue;
                const x = (xOf(r.period_start) + xOf(dayAfter(r.period_end))) / 2;
                const ys = ysAt('omen-measure', x);
                checked++;
                if (ys.length !== 1 || Math.abs(ys[0] - yOf(r[MEASURE_COL[measure]])) > 1.5) bad.push(`${level} ${r.period_start}: drawn ${ys.map((y) => y.toFixed(1))}, API ${yOf(r[MEASURE_COL[measure]]).toFixed(1)}`);
            }
            const breaks = segs.filter((s) => s.break).map((s) => xOf(s.break)).sort((a, b) => a - b);
            const rules = g.lines['omen-break'].map((l) => (l.left + l.right) / 2).sort((a, b) => a - b);
            if (rules.length !== breaks.length) bad.push(`${level}: ${rules.length} change-point rules, API ${breaks.length} breaks`);
            rules.forEach((x, i) => Math.abs(x - breaks[i]) > 1.5 && bad.push(`${level}: rule at ${x.toFixed(1)}, break ${segs.filter((s) => s.break)[i].break} at ${breaks[i].toFixed(1)}`));
            const means = g.lines['omen-mean'].slice().sort((a, b) => a.left - b.left);
            if (means.length !== segs.length) bad.push(`${level}: ${means.length} segment means drawn, API ${segs.length} segments`);
            segs.forEach((s, i) => {
                const m = means[i];
                if (!m) return;
                checked++;
                if (Math.abs(m.left - xOf(s.start)) > 1.5 || Math.abs(m.right - xOf(dayAfter(s.end))) > 1.5 || Math.abs(m.top - yOf(s.mean)) > 1.5) bad.push(`${level} segment ${s.segment}: drawn ${m.left.toFixed(1)}-${m.right.toFixed(1)} at y ${m.top.toFixed(1)}, API ${s.start}..${s.end} mean ${s.mean}`);
            });
            assert(g.legend.includes('Change point') && g.legend.includes('Segment mean'), 'legend: ' + g.legend.join(','));
        }
        assert(checked > 20, 'checked ' + checked);
        assert(!bad.length, `${bad.length} differences: ` + bad.slice(0, 6).join(' | '));
        await page.close();
    });
}

/* The bands: with ci=on the 95% interval of every period, with envelope=on the min-max of the
 * robustness grid of every period, each drawn where the API puts it, behind the line. */
await test('concentration monitoring row: the 95% interval and the robustness envelope are drawn at the API\'s bounds in every period, behind the line', async () => {
    const page = await open('#view=concentration&ci=on&envelope=on');
    await page.evaluate(MONITOR);
    const bad = [];
    let checked = 0;
    for (const level of ['model', 'developer', 'country']) {
        const id = 'monitor-' + level;
        const key = await page.getAttribute('#card-' + id, 'data-key');
        const rkey = await page.getAttribute(`#card-${id} button[data-layer=robustness]`, 'data-key');
        assert(/ci=0\.95/.test(key), 'the request lacks ci=0.95: ' + key);
        assert(rkey && /metric=hhi/.test(rkey) && rkey.includes('level=' + level) && /window=month/.test(rkey), 'robustness key ' + rkey);
        const data = await apiJSON(key);
        const env = new Map();
        for (const r of (await apiJSON(rkey)).rows) if (r.period !== 'last-year' && r.min != null) env.set(r.period_start, [r.min, r.max, r.reference ? r.value : null]);
        const g = await page.evaluate((i) => window.__mon(i), id);
        assert(g && g.ok, 'no axes on ' + id);
        const { xOf, yOf, ysAt } = monitorReader(g);
        for (const r of data.rows) {
            if (!(r.entities > 0)) continue;
            const x = (xOf(r.period_start) + xOf(dayAfter(r.period_end))) / 2;
            const ci = ysAt('omen-interval', x);
            const want = [yOf(r.hhi_hi), yOf(r.hhi_lo)];
            checked++;
            if (ci.length !== 2 || Math.abs(ci[0] - want[0]) > 1.5 || Math.abs(ci[1] - want[1]) > 1.5) bad.push(`${level} ${r.period_start} interval: drawn ${ci.map((y) => y.toFixed(1))}, API ${want.map((y) => y.toFixed(1))}`);
            const e = env.get(r.period_start);
            if (!e) {
                bad.push(`${level} ${r.period_start}: no envelope in the API`);
                continue;
            }
            if (!(e[0] <= r.hhi + 1e-12 && r.hhi <= e[1] + 1e-12)) bad.push(`${level} ${r.period_start}: the line ${r.hhi} lies outside the API's envelope ${e[0]}..${e[1]}`);
            const ew = ysAt('omen-envelope', x);
            checked++;
            if (ew.length !== 2 || Math.abs(ew[0] - yOf(e[1])) > 1.5 || Math.abs(ew[1] - yOf(e[0])) > 1.5) bad.push(`${level} ${r.period_start} envelope: drawn ${ew.map((y) => y.toFixed(1))}, API ${[yOf(e[1]), yOf(e[0])].map((y) => y.toFixed(1))}`);
        }
        /* behind the line: the bands come before it in the SVG */
        const order = await page.evaluate((i) => [...document.querySelectorAll('#card-' + i + ' .card-body svg[class^=plot] > g')].map((n) => n.getAttribute('class') || '').filter((c) => /omen-/.test(c)), id);
        assert(order.indexOf('omen-envelope') < order.indexOf('omen-interval') && order.indexOf('omen-interval') < order.indexOf('omen-measure'), 'mark order: ' + order.join(','));
        assert(g.legend.includes('95% interval') && g.legend.includes('Robustness envelope'), 'legend: ' + g.legend.join(','));
    }
    await page.screenshot({ path: path.join(ART, 'concentration-bands-1440.png'), fullPage: true });
    assert(checked > 20, 'checked ' + checked);
    assert(!bad.length, `${bad.length} differences: ` + bad.slice(0, 6).join(' | '));
    await page.close();
});

await test('concentration monitoring controls: toggles change the URL and the requests, survive a reload, and say why the envelope is off for trailing52', async () => {
    const page = await open('#view=concentration');
    assert(await page.isChecked('#ctl-breaks'), 'change points are not on by default');
    assert(!(await page.isChecked('#ctl-ci')) && !(await page.isChecked('#ctl-envelope')), 'bands on by default');
    assert(!/ci=/.test(await page.getAttribute('#card-monitor-model', 'data-key')), 'ci requested by default');
    page.apiRequests.length = 0;
    await page.check('#ctl-ci');
    await page.waitForFunction(() => /ci=on/.test(location.hash));
    await settle(page);
    assert(/ci=0\.95/.test(await page.getAttribute('#card-monitor-country', 'data-key')), 'no ci=0.95 in the request');
    assert(page.apiRequests.some((r) => /concentration\?/.test(r) && /ci=0\.95/.test(r)), 'no ci request: ' + page.apiRequests.join(' '));
    await page.selectOption('#ctl-measure', 'gini');
    await page.waitForFunction(() => /measure=gini/.test(location.hash));
    await settle(page);
    assert(/measure=gini/.test(await page.getAttribute('#card-monitor-developer button[data-layer=changes]', 'data-key')), 'changes not asked for the Gini');
    assert(/^Gini/.test((await page.textContent('#card-monitor-developer h2')).trim()), 'title does not name the measure');
    await page.uncheck('#ctl-breaks');
    await page.waitForFunction(() => /breaks=off/.test(location.hash));
    await settle(page);
    assert(!(await page.$('#card-monitor-developer button[data-layer=changes]')), 'changes still requested with change points off');
    assert((await page.$$('#card-monitor-developer g.omen-break line')).length === 0, 'change points still drawn');
    await page.reload();
    await settle(page);
    assert((await page.isChecked('#ctl-ci')) && !(await page.isChecked('#ctl-breaks')) && (await page.inputValue('#ctl-measure')) === 'gini', 'state not restored');
    await page.evaluate(() => (location.hash = '#view=concentration&window=trailing52&envelope=on'));
    await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true' && /trailing52/.test(location.hash));
    await settle(page);
    assert(await page.isDisabled('#ctl-envelope'), 'the envelope can be asked for trailing52');
    assert(/week, month, quarter and year/.test(await page.getAttribute('label[for=ctl-envelope]', 'title')), 'no reason given');
    assert(!(await page.$('#card-monitor-developer button[data-layer=robustness]')), 'robustness requested for trailing52');
    assert(/week, month, quarter and year/.test(await page.textContent('#card-monitor-developer')), 'the chart does not say why there is no envelope');
    assert(!page.errors.length, page.errors.join(' | '));
    await page.close();
});

await test('concentration monitoring downloads: each layer\'s CSV is the API\'s with its sidecar, the SVG names every request and layer', async () => {
    const page = await open('#view=concentration&envelope=on');
    for (const layer of ['changes', 'robustness']) {
        const sel = `#card-monitor-developer button[data-layer=${layer}]`;
        const key = await page.getAttribute(sel, 'data-key');
        const got = [];
        const on = (d) => got.push(d);
        page.on('download', on);
        await page.click(sel);
        for (let i = 0; i < 50 && got.length < 2; i++) await page.waitForTimeout(100);
        page.off('download', on);
        const csvDl = got.find((d) => d.suggestedFilename().endsWith('.csv'));
        const side = got.find((d) => d.suggestedFilename().endsWith('.provenance.txt'));
        assert(csvDl && side, layer + ' downloads: ' + got.map((d) => d.suggestedFilename()).join(','));
        const csv = fs.readFileSync(await csvDl.path(), 'utf8');
        const api = await (await fetch(base + key + '&format=csv')).text();
        assert(csv.length > 20 && csv === api, `${layer} CSV differs from ${key}`);
        const txt = fs.readFileSync(await side.path(), 'utf8');
        assert(txt.includes(key) && /SYNTHETIC/.test(txt) && /^SYNTHETIC_/.test(csvDl.suggestedFilename()), layer + ' sidecar: ' + txt);
    }
    const key = await page.getAttribute('#card-monitor-developer', 'data-key');
    const csv = await downloadText(page, '#card-monitor-developer .tools button.dl:text-is("CSV")');
    assert(csv === (await (await fetch(base + key + '&format=csv')).text()), 'the chart\'s CSV differs from the API');
    const svg = await downloadText(page, '#card-monitor-developer button.dl:text-is("SVG")');
    const text = await page.evaluate((t) => new DOMParser().parseFromString(t, 'image/svg+xml').documentElement.textContent, svg);
    for (const k of [key, await page.getAttribute('#card-monitor-developer button[data-layer=changes]', 'data-key'), await page.getAttribute('#card-monitor-developer button[data-layer=robustness]', 'data-key')]) assert(text.includes(k), 'the SVG lacks the request ' + k);
    for (const l of ['Change point', 'Segment mean', 'Robustness envelope', 'HHI']) assert(text.includes(l), 'the SVG legend lacks ' + l);
    fs.writeFileSync(path.join(ART, 'concentration-monitor-developer.svg'), svg);
    const shot = await context.newPage();
    await shot.goto(pathToFileURL(path.join(ART, 'concentration-monitor-developer.svg')).href);
    await shot.screenshot({ path: path.join(ART, 'concentration-monitor-developer.svg.png') });
    await shot.close();
    await page.close();
});

/* The Alerts view: one dot per alert of the API, at its week and kind, in its level's colour,
 * linking to its view; the list holds every alert, newest first, each linking to its view. */
await test('alerts: the timeline draws one dot per API alert at its week and kind, linking to its view; the list holds them all', async () => {
    const page = await open('#view=alerts');
    const key = await page.getAttribute('#card-alerts-timeline', 'data-key');
    assert(/^\/api\/alerts\?/.test(key) && key === (await page.getAttribute('#card-alerts-list', 'data-key')), 'keys: ' + key);
    const api = await apiJSON(key);
    assert(api.rows.length > 10, 'too few alerts on the test store to test: ' + api.rows.length);
    const got = await page.evaluate(() => {
        const svg = document.querySelector('#card-alerts-timeline .card-body svg[class^=plot]');
        const mid = (n) => { const b = n.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; };
        const years = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text')].filter((t) => /^(Jan)?\d{4}$/.test(t.textContent.trim().replace(/\s+/g, ''))).map((t) => [+t.textContent.trim().slice(-4), mid(t)[0]]);
        const kinds = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => [t.textContent.trim(), mid(t)[1]]);
        const legend = {};
        for (const sw of svg.closest('figure').querySelectorAll('span[class$="-swatch"]')) legend[sw.textContent.trim()] = sw.querySelector('svg').getAttribute('fill');
        const dots = [...svg.querySelectorAll('g.omen-alert a')].map((a) => {
            const c = a.querySelector('circle');
            const [x, y] = mid(c);
            return { href: a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'), x, y, fill: c.getAttribute('fill') || a.parentNode.getAttribute('fill'), title: c.getAttribute('aria-label') };
        });
        return { years, kinds, legend, dots };
    });
    assert(got.years.length >= 2 && got.kinds.length === 6, `axes: ${got.years.length} years, kinds ${got.kinds.map((k) => k[0]).join(',')}`);
    const [[ya, xa], [yb, xb]] = [got.years[0], got.years[got.years.length - 1]];
    const xOf = (iso) => xa + ((Date.parse(iso + 'T00:00:00Z') - Date.UTC(ya, 0, 1)) * (xb - xa)) / (Date.UTC(yb, 0, 1) - Date.UTC(ya, 0, 1));
    const KIND = { band_crossed: 'Band crossed', hhi_rise: 'HHI rise > 100', change_point: 'Change point', overtaking: 'Overtaking', top10_entry: 'Top-10 entry', share_jump: 'Share jump' };
    const LEVEL = { developer: 'Developers', country: 'Countries', org_type: 'Organisation types' };
    const nearestKind = (y) => got.kinds.reduce((a, k) => (Math.abs(k[1] - y) < Math.abs(a[1] - y) ? k : a))[0];
    assert(got.dots.length === api.rows.length, `${got.dots.length} dots for ${api.rows.length} alerts`);
    /* match each alert to a dot of its own (sentence, view, week, kind, colour) */
    const free = got.dots.slice();
    const bad = [];
    for (const r of api.rows) {
        const i = free.findIndex((d) => d.title === r.sentence && d.href === r.view);
        if (i < 0) {
            bad.push('no dot for: ' + r.sentence);
            continue;
        }
        const d = free.splice(i, 1)[0];
        if (Math.abs(d.x - xOf(r.period_start)) > 1.5) bad.push(`${r.period_start} ${r.kind}: dot at x ${d.x.toFixed(1)}, week at ${xOf(r.period_start).toFixed(1)}`);
        if (nearestKind(d.y) !== KIND[r.kind]) bad.push(`${r.period_start} ${r.kind}: dot in the row of ${nearestKind(d.y)}`);
        if (d.fill !== got.legend[LEVEL[r.level]]) bad.push(`${r.period_start} ${r.level}: colour ${d.fill}, legend ${got.legend[LEVEL[r.level]]}`);
    }
    assert(!bad.length, `${bad.length} of ${api.rows.length} alerts drawn wrong: ` + bad.slice(0, 5).join(' | '));
    /* the list: every alert, newest first, each a link to its view */
    const list = await page.$$eval('#card-alerts-list tbody tr', (trs) => trs.map((tr) => ({ week: tr.dataset.week, kind: tr.dataset.kind, level: tr.dataset.level, href: tr.querySelector('a').getAttribute('href'), text: tr.querySelector('a').textContent })));
    assert(list.length === api.rows.length, `${list.length} rows listed for ${api.rows.length} alerts`);
    for (let i = 1; i < list.length; i++) assert(list[i - 1].week >= list[i].week, 'not newest first at row ' + i);
    const want = api.rows.map((r) => [r.period_start, r.kind, r.level, r.view, r.sentence].join('\t')).sort();
    const have = list.map((r) => [r.week, r.kind, r.level, r.href, r.text].join('\t')).sort();
    assert(JSON.stringify(want) === JSON.stringify(have), 'the list differs from the API');
    await page.close();
});

await test('alerts: a listed alert and a dot open the view and setting that show it', async () => {
    const page = await open('#view=alerts');
    const api = await apiJSON(await page.getAttribute('#card-alerts-list', 'data-key'));
    /* a market alert (concentration) and an entity alert (market share), from the list */
    for (const kind of ['change_point', 'overtaking']) {
        const r = api.rows.filter((q) => q.kind === kind && q.level !== 'org_type').pop();
        if (!r) continue;
        await page.evaluate(() => (location.hash = '#view=alerts'));
        await page.waitForFunction(() => document.getElementById('view').dataset.view === 'alerts');
        await settle(page);
        await page.click(`#card-alerts-list tbody tr[data-kind=${kind}][data-week="${r.period_start}"] a`);
        await page.waitForFunction((v) => location.hash === v, r.view);
        await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true');
        await settle(page);
        const want = Object.fromEntries(new URLSearchParams(r.view.slice(1)));
        assert((await page.getAttribute('#view', 'data-view')) === want.view, 'view ' + (await page.getAttribute('#view', 'data-view')));
        assert((await page.inputValue('#ctl-from')) === want.from && (await page.inputValue('#ctl-to')) === want.to, 'from/to not set');
        const keys = await page.$$eval('.card', (cs) => cs.map((c) => c.dataset.key));
        assert(keys.every((k) => k.includes('window=' + want.window) && k.includes('to=' + want.to)), 'requests: ' + keys.join(' '));
        const states = await cardStates(page);
        assert(states.every((c) => c.state === 'ready'), 'states: ' + JSON.stringify(states));
        if (kind === 'change_point') {
            /* the confirmed break is marked on its level's monitoring chart */
            const ckey = await page.getAttribute(`#card-monitor-${r.level} button[data-layer=changes]`, 'data-key');
            const segs = (await apiJSON(ckey)).rows;
            assert(segs.some((s) => s.break === r.other || s.break === r.period_start), `the view's change points (${segs.map((s) => s.break).join(',')}) lack the alert's ${r.other}`);
            await page.screenshot({ path: path.join(ART, 'alerts-link-change-point.png'), fullPage: true });
        }
    }
    /* a dot of the timeline is a link too */
    await page.evaluate(() => (location.hash = '#view=alerts'));
    await page.waitForFunction(() => document.getElementById('view').dataset.view === 'alerts');
    await settle(page);
    const href = await page.$eval('#card-alerts-timeline g.omen-alert a', (a) => a.getAttribute('href'));
    await page.$eval('#card-alerts-timeline g.omen-alert a circle', (c) => c.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window })));
    await page.waitForFunction((v) => location.hash === v, href, { timeout: 5000 });
    assert(!page.errors.length, page.errors.join(' | '));
    await page.close();
});

/* Issue 14, beyond: a store without annotations says what to run instead of empty charts. */
await test('Characteristics on a store without annotations says to run omen annotate --heuristic', async () => {
    const bare = path.join(tmp, 'bare.db');
    execFileSync(OMEN, ['--db', bare, '--quiet', 'ingest', 'downloads', '--kind', 'weekly', path.join(repo, 'tests/fixtures/downloads_weekly.csv')], { stdio: 'pipe' });
    const p2 = await freePort();
    const srv = spawn(OMEN, ['--db', bare, 'serve', '--port', String(p2), '--web', WEB], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
        assert(await waitFor(`http://127.0.0.1:${p2}/api/meta`, 20000), 'second server did not start');
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${p2}/#view=characteristics`);
        await settle(page);
        await page.waitForFunction(() => document.getElementById('view').dataset.ready === 'true');
        await page.screenshot({ path: path.join(ART, 'characteristics-no-annotations.png'), fullPage: true });
        const text = await page.textContent('#view');
        assert(/omen annotate --heuristic/.test(text), 'no hint to run omen annotate --heuristic');
        const charts = await page.$$eval('#card-trends svg[class^=plot], #card-modalities svg[class^=plot]', (s) => s.length);
        assert(charts === 0, 'empty charts drawn: ' + charts);
        await page.close();
    } finally {
        srv.kill('SIGTERM');
    }
});

await test('keyboard: tab to the view switcher and activate with Enter', async () => {
    const page = await open('#view=overview');
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
        await page.keyboard.press('Tab');
        found = await page.evaluate(() => document.activeElement && document.activeElement.id === 'tab-concentration');
    }
    assert(found, 'the Concentration tab is not reachable with Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert(outline !== 'none', 'no visible focus');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /view=concentration/.test(location.hash));
    await settle(page);
    assert((await page.getAttribute('#tab-concentration', 'aria-selected')) === 'true', 'tab not selected');
    await page.close();
});

await test('a date range without weeks says so instead of drawing empty axes', async () => {
    const page = await open('#view=concentration&from=2030-01-07');
    const states = await cardStates(page);
    assert(states.length && states.every((c) => c.state === 'empty'), 'states: ' + JSON.stringify(states));
    assert(/No data/.test(await page.textContent('#card-segments-developer')), 'no notice');
    await page.close();
});

await test('a 400 from the API shows an error state, not a blank page', async () => {
    const page = await open('#view=concentration&window=fortnight');
    const states = await cardStates(page);
    assert(states.length && states.every((c) => c.state === 'error'), 'states: ' + JSON.stringify(states));
    const text = await page.textContent('#card-segments-developer .notice.error');
    assert(/window/.test(text), 'the error does not name the parameter: ' + text);
    await page.close();
});

await test('an analysis this omen lacks shows "not available in this omen"', async () => {
    const page = await open('#view=overview');
    const states = await page.evaluate(async () => {
        const out = [];
        for (const listed of [true, false]) {
            /* listed: /api/meta's analyses say so; not listed: the API's 404 says so */
            const saved = Omen.meta.analyses;
            if (!listed) delete Omen.meta.analyses;
            const div = document.createElement('div');
            document.body.appendChild(div);
            await Omen.card(div, { id: 'nosuch' + listed, title: 'x', name: 'nosuch', params: {}, draw: () => null }, Omen.state);
            out.push([div.querySelector('.card').dataset.state, div.textContent]);
            Omen.meta.analyses = saved;
        }
        return out;
    });
    for (const [state, text] of states) assert(state === 'missing' && /not available in this omen/i.test(text), JSON.stringify(states));
    await page.close();
});

await test('the canonical request key matches tests/http/canonical_keys.txt in the page', async () => {
    const file = path.join(repo, 'tests/http/canonical_keys.txt');
    if (!fs.existsSync(file)) return skip('canonical key page check', 'no tests/http/canonical_keys.txt');
    const cases = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
    const page = await open('#view=overview');
    const got = await page.evaluate((cs) => cs.map(([i]) => Omen.canonicalKey(i)), cases);
    const bad = cases.filter((c, i) => got[i] !== c[1]).map((c, i) => `${c[0]} -> ${got[i]}`);
    assert(!bad.length, bad.join(' | '));
    await page.close();
});

await test('a report from `omen report` opens from file:// and renders the Overview offline', async () => {
    let help = '';
    try {
        help = execFileSync(OMEN, ['report', '--help'], { stdio: 'pipe' }).toString();
    } catch (e) {
        return skip('report from file://', 'this omen has no report command yet');
    }
    const out = path.join(tmp, 'report');
    execFileSync(OMEN, ['--db', db, '--quiet', 'report', '--out', out, '--web', WEB], { cwd: repo, stdio: 'pipe' });
    const html = fs.readdirSync(out).find((f) => f.endsWith('.html'));
    assert(html, 'no HTML in the report: ' + fs.readdirSync(out).join(','));
    const page = await context.newPage();
    const net = [];
    const errors = [];
    page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:') && net.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(path.join(out, html)).href);
    await settle(page);
    await page.screenshot({ path: path.join(ART, 'report-overview.png'), fullPage: true });
    const cards = await cardStates(page);
    assert(cards.every((c) => c.state === 'ready'), 'cards: ' + JSON.stringify(cards));
    assert(!net.length, 'network requests: ' + net.join(' '));
    assert(!errors.length, 'errors: ' + errors.join(' | '));
    /* Issue 14 (9): every view of the report opens from the snapshot; the data is inlined
     * compressed and decoded when a view asks for it; controls offer only what it holds */
    const size = fs.statSync(path.join(out, html)).size;
    const raw = fs.readdirSync(path.join(out, 'csv')).reduce((n, f) => n + fs.statSync(path.join(out, 'csv', f)).size, 0);
    const text = fs.readFileSync(path.join(out, html), 'utf8');
    assert(/"gz:[A-Za-z0-9+\/=]+"/.test(text), 'the inlined data is not compressed');
    assert(size < 2.5 * raw, `report ${size} bytes for ${raw} bytes of CSV`);
    for (const v of VIEWS) {
        await page.evaluate((id) => (location.hash = '#view=' + id), v);
        await page.waitForFunction((id) => document.getElementById('view').dataset.view === id, v);
        await settle(page);
        const st = await cardStates(page);
        assert(st.every((c) => c.state === 'ready' || c.state === 'empty'), `report view ${v}: ` + JSON.stringify(st.filter((c) => c.state !== 'ready')));
        if (v === 'concentration') {
            const dis = await page.$$eval('#ctl-window option', (os) => os.filter((o) => o.disabled).map((o) => o.value));
            assert(dis.includes('year') && !dis.includes('month'), 'window options disabled: ' + dis.join(','));
            assert(await page.isDisabled('#ctl-from'), 'the date input is enabled in a report');
            /* the snapshot holds the change points and the intervals, not the robustness grid */
            assert(!(await page.isDisabled('#ctl-ci')) && (await page.isDisabled('#ctl-envelope')), 'monitoring toggles: ci ' + (await page.isDisabled('#ctl-ci')) + ', envelope ' + (await page.isDisabled('#ctl-envelope')));
            assert((await page.$$('#card-monitor-developer g.omen-break line')).length > 0, 'no change points in the report');
            await page.screenshot({ path: path.join(ART, 'report-concentration.png'), fullPage: false });
        }
        if (v === 'overview') assert(!(await page.isDisabled('button[data-period=last-year]')), 'last-year tab disabled though the snapshot holds it');
    }
    assert(!errors.length, 'errors: ' + errors.join(' | '));
    /* a state the snapshot lacks says so */
    await page.evaluate(() => (location.hash = '#view=overview&popmin=12345'));
    await settle(page);
    const st = await cardStates(page);
    assert(st.every((c) => c.state === 'snapshot'), 'not-in-snapshot state: ' + JSON.stringify(st));
    void help;
    await page.close();
});

await browser.close();
server.kill('SIGTERM');
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
