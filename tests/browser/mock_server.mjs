// mock_server.mjs: a stand-in for `omen serve` used while the real server is not built (and as a
// fallback by the browser tests): serves web/ and answers /api/<name>?k=v by running
// `<build>/omen --db <store> <name> --k v ... --format json|csv`, /api/meta from `omen info`.
// Usage: node tests/browser/mock_server.mjs --omen build/omen --db s.db [--port 0]
// Prints "listening http://127.0.0.1:PORT" once ready.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.resolve(here, '../../web');
const args = Object.fromEntries(
    process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), [])
);
const omen = args.omen || 'build/omen';
const db = args.db || 'omen.db';
const port = Number(args.port || 0);

const types = {
    '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml',
    '.txt': 'text/plain; charset=utf-8',
};

function run(argv) {
    return new Promise((resolve) => {
        execFile(omen, ['--db', db, '--quiet', ...argv], { maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        });
    });
}

function send(res, status, type, body) {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
}

async function meta(res) {
    const r = await run(['--format', 'json', 'info']);
    if (r.code) return send(res, 500, 'application/json', JSON.stringify({ error: r.stderr.trim() }));
    const info = JSON.parse(r.stdout);
    const help = await run(['--help']);
    const analyses = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1])
        .filter((n) => !['ingest', 'synth', 'info', 'serve', 'report', 'annotate', 'pull'].includes(n));
    send(res, 200, 'application/json', JSON.stringify({
        synthetic: !!info.synthetic, first_week: info.first_week, last_week: info.last_week,
        store_version: String(info.generation), analyses,
        levels: ['model', 'developer', 'country', 'org_type'],
        windows: ['week', 'month', 'quarter', 'year', 'trailing52', 'cumulative'],
        fields: [],
        defaults: { level: 'developer', window: 'week', rolling: 365, attribution: 'direct', population_min: 200, sample: 'population', top: 10 },
    }));
}

async function api(res, name, params, format) {
    const argv = ['--format', format, ...name.split('/')];
    for (const [k, v] of params) {
        if (k === 'format') continue;
        argv.push('--' + k);
        if (v !== '' && v !== 'true') argv.push(v);
    }
    const r = await run(argv);
    if (r.code === 0) return send(res, 200, format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json', r.stdout);
    const msg = r.stderr.split('\n')[0];
    const unknown = /unknown command/.test(msg);
    send(res, unknown ? 404 : r.code === 2 ? 400 : 500, 'application/json', JSON.stringify({ error: msg }));
}

function file(res, urlPath) {
    const rel = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
    const full = path.resolve(webRoot, '.' + rel);
    if (!full.startsWith(webRoot + path.sep)) return send(res, 404, 'text/plain', 'not found');
    fs.readFile(full, (err, buf) => {
        if (err) return send(res, 404, 'text/plain', 'not found');
        send(res, 200, types[path.extname(full)] || 'application/octet-stream', buf);
    });
}

const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/api/meta') return meta(res);
    if (u.pathname.startsWith('/api/')) {
        const csv = u.searchParams.get('format') === 'csv' || /text\/csv/.test(req.headers.accept || '');
        return api(res, u.pathname.slice(5), [...u.searchParams], csv ? 'csv' : 'json');
    }
    return file(res, u.pathname);
});
server.listen(port, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
