// unit.mjs: checks of the dashboard's JavaScript that need node only (no browser): the
// canonical request key against tests/http/canonical_keys.txt, printf "%.15g" emulation of the
// CSV writer, and that web/report-requests.txt lists every request of every view's default
// state and report variants. `--write` regenerates web/report-requests.txt instead.
// Ends with "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const web = path.join(repo, 'web');

/* app.js and the views in a context with just enough of a browser for their definitions */
function loadApp() {
    const ctx = vm.createContext({ URLSearchParams, console, setTimeout, location: { hash: '' } });
    vm.runInContext('var window = this;', ctx);
    const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]).filter((s) => !s.startsWith('vendor/'));
    for (const s of scripts) vm.runInContext(fs.readFileSync(path.join(web, s), 'utf8'), ctx, { filename: s });
    return ctx.Omen;
}

/* Every key a static report must hold: /api/meta, then each view's default state and its
 * variants, in view order, without repeats. */
export function reportKeys(Omen) {
    const keys = ['/api/meta'];
    for (const v of Omen.views) {
        for (const patch of [{}].concat(v.variants || [])) {
            const s = Object.assign({}, Omen.DEFAULTS, { view: v.id }, patch);
            for (const k of Omen.requestsOf(v, s)) if (!keys.includes(k)) keys.push(k);
        }
    }
    return keys;
}

const Omen = loadApp();
const listFile = path.join(web, 'report-requests.txt');
if (process.argv.includes('--write')) {
    fs.writeFileSync(listFile, reportKeys(Omen).join('\n') + '\n');
    console.log('wrote ' + listFile);
    process.exit(0);
}

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}${ok || !detail ? '' : ': ' + detail}`);
}

/* canonical keys */
const keysFile = path.join(repo, 'tests/http/canonical_keys.txt');
const cases = fs.readFileSync(keysFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
for (const [input, want] of cases) {
    const got = Omen.canonicalKey(input);
    check(`canonical key of ${input}`, got === want, `got ${got}, want ${want}`);
}
check('requestKey builds the canonical form', Omen.requestKey('shares', { top: 5, level: 'country', 'no-rolling': '' }) === '/api/shares?level=country&no-rolling=&top=5');

/* %.15g, against C's printf */
const reals = [0, 1, -1, 0.1, 1 / 3, 2 / 3, 1e-4, 9.99e-5, 1.5e-7, 123456789012345, 1e15, 1.234e21, 0.000123456789012345, 6259761, 0.0716513080726121, 5e-324, 1.7976931348623157e308, -0.5, 100, 1e-5];
const cOut = execFileSync('/usr/bin/python3', ['-c', 'import sys\nfor a in sys.argv[1:]: print("%.15g" % float(a))', ...reals.map((x) => x.toExponential(17))]).toString().trim().split('\n');
reals.forEach((x, i) => check(`%.15g of ${x}`, Omen.formatReal(x) === cOut[i], `got ${Omen.formatReal(x)}, want ${cOut[i]}`));

/* CSV quoting */
const csv = Omen.toCSV({ columns: [{ name: 'a', type: 'text' }, { name: 'b', type: 'real' }, { name: 'c', type: 'bool' }], rows: [{ a: 'x,"y"', b: 0.25, c: true }, { a: 'plain', b: null, c: false }] });
check('CSV quotes and nulls as omen writes them', csv === 'a,b,c\n"x,""y""",0.25,true\nplain,,false\n', JSON.stringify(csv));

/* report-requests.txt */
const want = reportKeys(Omen);
const have = fs.existsSync(listFile) ? fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean) : [];
const missing = want.filter((k) => !have.includes(k));
check('web/report-requests.txt lists every default and variant request', !missing.length, 'missing (run node tests/browser/unit.mjs --write): ' + missing.join(' '));
check('web/report-requests.txt holds canonical keys only', have.every((k) => Omen.canonicalKey(k) === k), have.filter((k) => Omen.canonicalKey(k) !== k).join(' '));
check('every view has cards and a title', Omen.views.length === 8 && Omen.views.every((v) => v.title && v.cards(Object.assign({}, Omen.DEFAULTS)).length > 0));

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
