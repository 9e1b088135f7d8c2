/* app.js: the dashboard's core. The state lives in the URL hash; every piece of data goes through
 * Omen.load (the live /api of `omen serve`, or window.OMEN_INLINE in a snapshot written by
 * `omen report`); views (views/*.js) register with Omen.view() and describe cards, each one
 * request drawn as a chart or a table with loading/error states and CSV/SVG downloads. */
(function () {
    'use strict';

    const Omen = (window.Omen = { views: [], meta: null, cache: new Map() });

    /* ------------------------------------------------------------ requests and data */

    /* The canonical request key (tests/http/canonical_keys.txt): the query parsed as
     * URLSearchParams parses it, keys and values re-encoded with encodeURIComponent, pairs sorted
     * by encoded key (stable), "?" only when there is a pair. Shared with the server's cache. */
    Omen.canonicalKey = function (target) {
        const q = target.indexOf('?');
        const path = q < 0 ? target : target.slice(0, q);
        const pairs = [...new URLSearchParams(q < 0 ? '' : target.slice(q + 1))].map(([k, v]) => [
            encodeURIComponent(k),
            encodeURIComponent(v),
        ]);
        pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        return pairs.length ? path + '?' + pairs.map((p) => p[0] + '=' + p[1]).join('&') : path;
    };

    /* The key of /api/<name> with params (an object; undefined or null values are left out). */
    Omen.requestKey = function (name, params) {
        const usp = new URLSearchParams();
        for (const [k, v] of Object.entries(params || {}))
            if (v !== undefined && v !== null) usp.append(k, String(v));
        const qs = usp.toString();
        return Omen.canonicalKey('/api/' + name + (qs ? '?' + qs : ''));
    };

    class OmenError extends Error {
        constructor(kind, message, status) {
            super(message);
            this.kind = kind; /* http, missing (analysis not in this omen), snapshot, network */
            this.status = status;
        }
    }
    Omen.Error = OmenError;

    Omen.inline = function () {
        return typeof window.OMEN_INLINE !== 'undefined';
    };

    /* A report's value "gz:<base64 of gzipped JSON>" (server/report.c) to its JSON text: each
     * view's data is inflated and parsed only when the view asks for it. */
    async function inflate(b64) {
        const bin = atob(b64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
        return new Response(stream).text();
    }

    /* In a report: does the snapshot hold every request of `view` in state s? (Always true
     * live.) Controls offer only the settings it holds. */
    Omen.inSnapshot = function (view, s) {
        if (!Omen.inline()) return true;
        return Omen.requestsOf(view, s).every((k) => Object.prototype.hasOwnProperty.call(window.OMEN_INLINE, k));
    };
    /* The same for the current view with a patch of the current state. */
    Omen.offers = function (patch) {
        const view = Omen.views.find((v) => v.id === Omen.state.view) || Omen.views[0];
        return Omen.inSnapshot(view, Object.assign({}, Omen.state, patch));
    };

    async function fetchKey(key) {
        if (Omen.inline()) {
            if (!Object.prototype.hasOwnProperty.call(window.OMEN_INLINE, key))
                throw new OmenError('snapshot', 'Not in this snapshot: this report was written with other settings (' + key + ').');
            const v = window.OMEN_INLINE[key];
            if (typeof v === 'string' && v.startsWith('gz:')) return JSON.parse(await inflate(v.slice(3)));
            return typeof v === 'string' ? JSON.parse(v) : v;
        }
        let r;
        try {
            r = await fetch(key, { headers: { Accept: 'application/json' } });
        } catch (e) {
            throw new OmenError('network', 'The server did not answer (' + e.message + ').');
        }
        if (!r.ok) {
            let msg = r.status + ' ' + r.statusText;
            try {
                const body = await r.json();
                if (body && body.error) msg = typeof body.error === 'string' ? body.error : JSON.stringify(body.error);
                if (body && body.message) msg = body.message;
            } catch (e) {
                /* not JSON: keep the status line */
            }
            const unknown = r.status === 404 && key.startsWith('/api/');
            throw new OmenError(unknown ? 'missing' : 'http', msg, r.status);
        }
        return r.json();
    }

    /* The one data function: a canonical key (an /api request or an asset path) to its JSON.
     * Results are cached for the page's life; a failed load is not. */
    Omen.load = function (key) {
        if (!Omen.cache.has(key)) {
            const p = fetchKey(key);
            Omen.cache.set(key, p);
            p.catch(() => Omen.cache.delete(key));
        }
        return Omen.cache.get(key);
    };
    Omen.api = (name, params) => Omen.load(Omen.requestKey(name, params));

    /* Is analysis `name` in this omen? Unknown when meta lists no analyses. */
    Omen.hasAnalysis = function (name) {
        const list = Omen.meta && (Omen.meta.analyses || Omen.meta.endpoints);
        if (!Array.isArray(list)) return true;
        return list.some((a) => (typeof a === 'string' ? a : a.name) === name.split('/')[0]);
    };

    /* ------------------------------------------------------------ state in the URL */

    /* Dashboard defaults; empty strings mean "the analysis' own default" (not sent). */
    const DEFAULTS = {
        view: 'overview',
        level: 'developer',
        window: 'month',
        from: '',
        to: '',
        rolling: 'on',
        attribution: 'direct',
        popmin: '',
        period: 'all',
        field: '',
        rows: 'effect' /* Table 1: effect (p < alpha and Cramér's V >= 0.05), significant, all */,
        by: 'download-year',
        /* Concentration's monitoring row: the measure drawn, its change points (PELT), its
         * bootstrap interval (ci=0.95) and its robustness envelope (/api/robustness) */
        measure: 'hhi',
        breaks: 'on',
        ci: 'off',
        envelope: 'off',
    };
    Omen.DEFAULTS = DEFAULTS;

    Omen.parseHash = function (hash) {
        const s = Object.assign({}, DEFAULTS);
        const usp = new URLSearchParams((hash || '').replace(/^#/, ''));
        for (const k of Object.keys(DEFAULTS)) if (usp.has(k)) s[k] = usp.get(k);
        return s;
    };

    Omen.formatHash = function (s) {
        const usp = new URLSearchParams();
        for (const k of Object.keys(DEFAULTS)) if (s[k] !== undefined && s[k] !== DEFAULTS[k]) usp.set(k, s[k]);
        return '#' + usp.toString();
    };

    Omen.state = Object.assign({}, DEFAULTS);

    Omen.setState = function (patch) {
        const next = Object.assign({}, Omen.state, patch);
        const hash = Omen.formatHash(next);
        if (hash === (location.hash || '#')) return;
        location.hash = hash; /* the hashchange listener renders */
    };

    /* The filter parameters every analysis takes, from the state (defaults left out). */
    Omen.filterParams = function (s) {
        const p = {};
        if (s.from) p.from = s.from;
        if (s.to) p.to = s.to;
        if (s.rolling === 'off') p['no-rolling'] = '';
        if (s.attribution && s.attribution !== 'direct') p.attribution = s.attribution;
        if (s.popmin !== '') p['population-min'] = s.popmin;
        return p;
    };

    /* ------------------------------------------------------------ formatting and CSV */

    Omen.fmt = {
        pct: (x) => (x == null || isNaN(x) ? '' : x === 0 ? '0%' : (100 * x).toFixed(Math.abs(x) < 0.001 ? 3 : Math.abs(x) < 0.1 ? 2 : 1) + '%'),
        num: (x) => (x == null ? '' : d3.format(',.0f')(x)),
        si: (x) => (x == null ? '' : d3.format('.3~s')(x)),
        dec: (x, n) => (x == null || isNaN(x) ? '' : (+x).toFixed(n === undefined ? 3 : n)),
        date: (s) => new Date(s + 'T00:00:00Z'),
    };

    /* "country" -> "countries", "model" -> "models" (labels and intros name levels in plural). */
    Omen.plural = (w) => (/[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'ies' : w + 's');

    /* The day after an ISO date, as a Date: a period [start, end] is drawn up to end + 1 day. */
    Omen.dayAfter = (iso) => new Date(fmt0(iso).getTime() + 864e5);
    function fmt0(iso) {
        return new Date(iso + 'T00:00:00Z');
    }

    /* The last day with data (the last week's Sunday), from /api/meta. */
    Omen.lastDay = function () {
        const w = Omen.meta && Omen.meta.last_week;
        return w ? new Date(fmt0(w).getTime() + 6 * 864e5).toISOString().slice(0, 10) : null;
    };

    /* A period as a tip shows it: "2024-01-01 to 2024-12-31", and "(partial: data to D)" when
     * the period runs past the store's last week, so a reader does not compare half a year with
     * a whole one unawares. */
    Omen.periodText = function (r) {
        let t = r.period_start === r.period_end ? r.period_start : r.period_start + ' to ' + r.period_end;
        const last = Omen.lastDay();
        if (last && r.period_end > last) t += ' (partial: data to ' + last + ')';
        return t;
    };

    /* A period as a sentence names it: "2025", "2025 Q2", "June 2025", "the week of 2025-06-23",
     * else "start to end". */
    Omen.periodName = function (r) {
        const [s, e] = [r.period_start, r.period_end];
        const days = (Date.parse(e) - Date.parse(s)) / 864e5;
        const M = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
        if (s.endsWith('-01-01') && e.endsWith('-12-31') && s.slice(0, 4) === e.slice(0, 4)) return s.slice(0, 4);
        if (s.endsWith('-01') && days > 80 && days < 95 && ['01', '04', '07', '10'].includes(s.slice(5, 7))) return s.slice(0, 4) + ' Q' + ((+s.slice(5, 7) + 2) / 3);
        if (s.endsWith('-01') && days >= 27 && days <= 30) return M[+s.slice(5, 7) - 1] + ' ' + s.slice(0, 4);
        if (days === 6) return 'the week of ' + s;
        return s === e ? s : s + ' to ' + e;
    };

    /* Stepped charts draw each period from its start (curve step-after), so the last period
     * would have no width. closeSteps adds, for each series, a copy of its last period's row at
     * that period's end (+1 day) so every period, the last one too, spans to its end. rows carry
     * `date` (a Date) and `end` (the ISO period_end); `z` names the series field (or none). */
    Omen.closeSteps = function (rows, z) {
        const last = new Map();
        for (const r of rows) {
            const k = z ? r[z] : '';
            const cur = last.get(k);
            if (!cur || r.date > cur.date) last.set(k, r);
        }
        const out = rows.slice();
        for (const r of last.values()) if (r.end) out.push(Object.assign({}, r, { date: Omen.dayAfter(r.end), closing: true }));
        return out;
    };

    /* printf's "%.15g", which omen's CSV writer uses for reals, so that the CSV made here from
     * the JSON equals the server's CSV byte for byte. */
    Omen.formatReal = function (x) {
        if (x === 0) return Object.is(x, -0) ? '-0' : '0';
        if (!isFinite(x)) return isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
        const e = Number(x.toExponential(14).split('e')[1]);
        if (e < -4 || e >= 15) {
            let [m, ex] = x.toExponential(14).split('e');
            if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
            const n = Math.abs(Number(ex));
            return m + 'e' + (Number(ex) < 0 ? '-' : '+') + (n < 10 ? '0' : '') + n;
        }
        let s = x.toFixed(Math.max(0, 14 - e));
        if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
        return s;
    };

    function csvCell(v, type) {
        if (v === null || v === undefined) return '';
        if (type === 'real' && typeof v === 'number') return Omen.formatReal(v);
        if (typeof v === 'boolean') return v ? 'true' : 'false';
        const s = String(v);
        return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }

    /* A result table {columns, rows} as omen's CSV (header, RFC 4180 quoting, "\n" endings). */
    Omen.toCSV = function (data) {
        const cols = data.columns || [];
        const lines = [cols.map((c) => csvCell(c.name, 'text')).join(',')];
        for (const r of data.rows || []) lines.push(cols.map((c) => csvCell(r[c.name], c.type)).join(','));
        return lines.join('\n') + '\n';
    };

    function download(filename, text, type) {
        const url = URL.createObjectURL(new Blob([text], { type }));
        const a = document.createElement('a');
        a.href = url;
        a.download = filename;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    }

    const SVGNS = 'http://www.w3.org/2000/svg';

    function svgNode(tag, attrs, text) {
        const n = document.createElementNS(SVGNS, tag);
        for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
        if (text !== undefined) n.textContent = text;
        return n;
    }

    /* The legends of a Plot figure (HTML swatches, SVG ramps) redrawn as SVG rows of `width`;
     * returns [nodes, height]. */
    function legendRows(fig, main, width) {
        const nodes = [];
        let y = 0;
        for (const child of fig.children) {
            if (child.tagName.toLowerCase() === 'svg' && child !== main) {
                const h = +child.getAttribute('height') || 50;
                const ramp = child.cloneNode(true);
                ramp.setAttribute('x', 0);
                ramp.setAttribute('y', y);
                nodes.push(ramp);
                y += h + 4;
            } else if (/swatches/.test(child.getAttribute('class') || '')) {
                let x = 0;
                let rowY = y;
                for (const sw of child.querySelectorAll('span[class$="-swatch"]')) {
                    const label = sw.textContent.trim();
                    const colour = (sw.querySelector('svg') && sw.querySelector('svg').getAttribute('fill')) || '#999';
                    const w = 24 + 7 * label.length; /* DejaVu Sans at 11 px: about 7 px a glyph */
                    if (x > 0 && x + w > width) {
                        x = 0;
                        rowY += 18;
                    }
                    nodes.push(svgNode('rect', { x, y: rowY + 3, width: 12, height: 12, fill: colour }));
                    nodes.push(svgNode('text', { x: x + 16, y: rowY + 13, 'font-size': 11, 'font-family': 'sans-serif', fill: '#222' }, label));
                    x += w;
                }
                y = rowY + 24;
            }
        }
        return [nodes, y];
    }

    /* t in lines of at most w px at font size `size` (an average glyph is 0.55 em), broken
     * between the pieces that `sep` separates (words by default; " · " keeps a filter or the
     * source in one piece, so a reader or a search finds it whole). */
    function wrap(t, w, size, sep) {
        const lines = [];
        const glue = sep || ' ';
        const fits = (s) => s.length * size * 0.55 < w;
        /* a piece wider than a line (a long request key) is broken before its "?" and "&", its
         * parts (after the first) continued without glue */
        const pieces = [];
        for (const piece of String(t).split(sep || /\s+/)) {
            if (fits(piece)) {
                pieces.push([piece, false]);
                continue;
            }
            let cur = '';
            let cont = false;
            for (const part of piece.split(/(?=[?&])/)) {
                if (cur && !fits(cur + part)) {
                    pieces.push([cur, cont]);
                    cur = '';
                    cont = true;
                }
                cur += part;
            }
            if (cur) pieces.push([cur, cont]);
        }
        for (const [piece, cont] of pieces) {
            const joined = lines.length ? lines[lines.length - 1] + (cont ? '' : glue) + piece : '';
            if (lines.length && fits(joined)) lines[lines.length - 1] = joined;
            else lines.push(piece);
        }
        return lines;
    }

    /* ------------------------------------------------------------ provenance */

    const PARAM_TEXT = {
        level: (v) => 'level ' + v,
        window: (v) => 'window ' + v,
        period: (v) => (v === 'last-year' ? 'last year (365 days to the range end, models created in them)' : 'all weeks in range'),
        top: (v) => 'top ' + v,
        field: (v) => 'field ' + v,
        by: (v) => 'by ' + v,
        all: () => 'all rows (not only p < alpha)',
        density: () => 'density of log10(parameters)',
        sample: (v) => 'sample ' + v,
        ci: (v) => Math.round(100 * v) + '% bootstrap intervals (1000 resamples of the level\'s entities)',
        measure: (v) => 'change points of ' + v + ' (PELT, BIC penalty, segments of 4+ periods)',
        metric: (v) => 'robustness of ' + v + ' over 48 definitions',
        since: (v) => (v <= '2000-01-01' ? 'alerts of every week' : 'alerts since ' + v),
        levels: (v) => 'levels ' + v.replace(/,/g, ', '),
    };

    /* What a download must carry to be quoted safely: its title, the filters in force (from
     * the response's meta block, which states what the analysis actually used, and the
     * request), the source ("omen <version>, store <id>, weeks A to B") and the synthetic flag. */
    Omen.provenance = function (spec, key, data, view) {
        const m = (data && data.meta) || {};
        const meta = Omen.meta || {};
        const f = [];
        const from = m.from || (spec.params && spec.params.from) || meta.first_week;
        const to = m.to || (spec.params && spec.params.to) || meta.last_week;
        if (from || to) f.push('weeks ' + (from || '…') + ' to ' + (to || '…'));
        for (const [k, v] of Object.entries(spec.params || {})) if (PARAM_TEXT[k]) f.push(PARAM_TEXT[k](v));
        if (m.sample) f.push(m.sample === 'population' ? 'Population Sample (models with ≥ ' + m.population_min + ' downloads)' : m.sample === 'head' ? 'Head Sample (top ' + m.head_k + ' models)' : 'sample ' + m.sample);
        if (m.rolling_days !== undefined) f.push(m.rolling_days === 'off' || m.rolling_days === 0 ? 'Rolling Window Filter off' : 'Rolling Window Filter on (' + m.rolling_days + ' days)');
        if (m.attribution) f.push('attribution ' + m.attribution);
        const source = ['omen ' + (meta.omen_version || '?'), 'store ' + (meta.store_version || meta.generation || '?'), 'weeks ' + (meta.first_week || '?') + ' to ' + (meta.last_week || '?')];
        if (Omen.inline()) source.push('static report' + (window.OMEN_INLINE_DATE ? ' of ' + window.OMEN_INLINE_DATE : ''));
        return {
            title: (view ? view.title + ': ' : '') + spec.title,
            filters: f.join(' · '),
            source: source.join(', ') + (spec.layers && spec.layers.length ? ' · requests ' : ' · request ') + [key].concat((spec.layers || []).map((a) => Omen.requestKey(a.name, a.params))).join(' · '),
            synthetic: !!(meta.synthetic || m.synthetic),
        };
    };

    /* The sidecar of a CSV download: the same provenance as plain text. The CSV itself stays
     * omen's CSV byte for byte (header row first) so that pandas.read_csv and R's read.csv read
     * it with no arguments; neither skips "#" lines by default. */
    Omen.provenanceText = function (p, csvName) {
        return (
            [
                csvName + ': ' + p.title,
                p.synthetic ? 'SYNTHETIC DATA: simulated by omen synth, not real Hugging Face downloads.' : null,
                'Filters: ' + p.filters,
                'Source: ' + p.source,
                'Columns and definitions: docs/methodology.md and docs/http-api.md of omen.',
            ]
                .filter(Boolean)
                .join('\n') + '\n'
        );
    };

    /* A chart as a standalone SVG document: the provenance header (title, SYNTHETIC mark,
     * filters, source) on top, then its legends, the chart and its caption. */
    Omen.svgText = function (svg, prov) {
        const w = +svg.getAttribute('width') || svg.getBoundingClientRect().width;
        const h = +svg.getAttribute('height') || svg.getBoundingClientRect().height;
        const fig = svg.parentElement && svg.parentElement.tagName.toLowerCase() === 'figure' ? svg.parentElement : null;
        let legend = [];
        let lh = 0;
        if (fig) [legend, lh] = legendRows(fig, svg, w);
        const chart = svg.cloneNode(true);
        chart.querySelectorAll('[aria-hidden="pointer"], [aria-label="tip"]').forEach((n) => n.remove());
        /* a figure caption becomes wrapped lines under the chart */
        const caption = fig && fig.querySelector('figcaption') ? fig.querySelector('figcaption').textContent.trim() : '';
        const lines = [];
        for (const word of caption ? caption.split(/\s+/) : []) {
            if (lines.length && (lines[lines.length - 1] + ' ' + word).length * 6.2 < w) lines[lines.length - 1] += ' ' + word;
            else lines.push(word);
        }
        const ch = lines.length ? lines.length * 15 + 8 : 0;
        /* provenance: who made these numbers from what, so a figure out of context still says */
        const head = [];
        let hh = 0;
        if (prov) {
            const text = (t, size, weight, fill, sep) => {
                for (const line of wrap(t, w, size, sep)) {
                    hh += size + 5;
                    head.push(svgNode('text', { x: 0, y: hh - 4, 'font-size': size, 'font-weight': weight, 'font-family': 'sans-serif', fill }, line));
                }
            };
            text(prov.title, 15, 700, '#111');
            if (prov.synthetic) text('SYNTHETIC DATA: simulated by omen synth, not real Hugging Face downloads', 13, 700, '#b00020');
            text('Filters: ' + prov.filters, 11, 400, '#333', ' · ');
            text('Source: ' + prov.source, 11, 400, '#333', ' · ');
            hh += 8;
        }
        let out = chart;
        if (lh > 0 || ch > 0 || hh > 0) {
            const H = hh + lh + h + ch;
            out = svgNode('svg', { width: w, height: H, viewBox: `0 0 ${w} ${H}` });
            out.appendChild(svgNode('rect', { width: w, height: H, fill: '#fff' }));
            head.forEach((n) => out.appendChild(n));
            legend.forEach((n) => {
                n.setAttribute('y', +(n.getAttribute('y') || 0) + hh);
                out.appendChild(n);
            });
            chart.setAttribute('x', 0);
            chart.setAttribute('y', hh + lh);
            out.appendChild(chart);
            lines.forEach((t, i) => out.appendChild(svgNode('text', { x: 0, y: hh + lh + h + 14 + 15 * i, 'font-size': 11, 'font-family': 'sans-serif', fill: '#333' }, t)));
            if (prov && prov.synthetic) {
                /* a watermark across the chart, so a cropped figure still says it */
                const cx = w / 2;
                const cy = hh + lh + h / 2;
                out.appendChild(
                    svgNode('text', { x: cx, y: cy, 'text-anchor': 'middle', 'dominant-baseline': 'middle', 'font-size': Math.max(24, Math.min(72, w / 9)), 'font-weight': 700, 'font-family': 'sans-serif', fill: '#b00020', 'fill-opacity': 0.12, transform: `rotate(-20 ${cx} ${cy})` }, 'SYNTHETIC')
                );
            }
        } else if (!chart.getAttribute('viewBox')) chart.setAttribute('viewBox', `0 0 ${w} ${h}`);
        out.setAttribute('xmlns', SVGNS);
        out.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(out) + '\n';
    };

    function fileStem(key) {
        return key
            .replace(/^\/api\//, '')
            .replace(/[?&=]/g, '_')
            .replace(/%2C/g, '-')
            .replace(/[^A-Za-z0-9_.-]+/g, '')
            .replace(/_+$/, '');
    }

    /* ------------------------------------------------------------ charts */

    /* Okabe & Ito's colour-blind-safe palette (black last, as the 8th series). */
    Omen.palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
    Omen.restColor = '#bbbbbb';

    /* Width available to a chart in its card body. */
    Omen.width = (el) => Math.max(320, Math.floor(el.getBoundingClientRect().width || 600));

    /* Plot.plot into el; returns the chart's own <svg> (not a legend swatch). */
    Omen.plot = function (el, options) {
        const node = Plot.plot(Object.assign({ width: Omen.width(el), style: { fontSize: '12px' } }, options));
        el.appendChild(node);
        let svg = node;
        if (node.tagName.toLowerCase() !== 'svg') {
            const svgs = node.querySelectorAll(':scope > svg'); /* legend ramps come first */
            svg = svgs[svgs.length - 1];
        }
        /* the figure's scales, for the tests and the findings: svg.omenScale('x').apply(v) */
        svg.omenScale = (name) => {
            const sc = node.scale(name);
            return sc ? Plot.scale({ [name]: sc }) : null;
        };
        return svg;
    };

    /* ------------------------------------------------------------ cards */

    function el(tag, attrs, ...children) {
        const n = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs || {})) {
            if (v === undefined || v === null || v === false) continue;
            if (k === 'class') n.className = v;
            else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
            else n.setAttribute(k, v === true ? '' : v);
        }
        for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c.nodeType ? c : String(c));
        return n;
    }
    Omen.el = el;

    function errorBox(err) {
        const kind = err instanceof OmenError ? err.kind : 'bug';
        const text = {
            missing: 'Not available in this omen: this build has no such analysis yet.',
            snapshot: 'Not in this snapshot: the report holds only the data of its default views; run `omen serve` for other settings.',
            http: 'The server rejected the request: ' + err.message,
            network: err.message,
            bug: 'This chart failed to draw: ' + (err && err.message),
        }[kind];
        return el('div', { class: 'notice ' + (kind === 'missing' || kind === 'snapshot' ? 'info' : 'error'), role: kind === 'http' || kind === 'bug' ? 'alert' : 'status' }, text);
    }

    /* One card: spec {id, title, note, name, params, kind: 'chart'|'table', draw(data, body, state)},
     * where draw returns the chart's <svg> (charts) or nothing (tables); draw may be async.
     * spec.layers: further requests drawn on the same chart ({name, params, label, title}), each
     * with its own CSV button under the chart ("<label> CSV": the API's CSV and its provenance
     * sidecar, as the card's own); the SVG's source line names every request. */
    Omen.card = function (parent, spec, state) {
        const key = Omen.requestKey(spec.name, spec.params);
        const csvBtn = el('button', { type: 'button', class: 'dl', disabled: true, title: 'Download this chart\'s data as CSV' }, 'CSV');
        const svgBtn = spec.kind === 'table' ? null : el('button', { type: 'button', class: 'dl', disabled: true, title: 'Download this chart as SVG' }, 'SVG');
        const layerBtns = (spec.layers || []).map((a) =>
            el('button', { type: 'button', class: 'dl', disabled: true, 'data-layer': a.name, 'data-key': Omen.requestKey(a.name, a.params), title: 'Download the data of this chart\'s ' + a.title + ' as CSV' }, a.label + ' CSV')
        );
        const body = el('div', { class: 'card-body', 'aria-busy': 'true' }, el('div', { class: 'loading' }, 'Loading…'));
        const card = el(
            'section',
            { class: 'card' + (spec.wide ? ' wide' : '') + (spec.span ? ' span' + spec.span : ''), id: 'card-' + spec.id, 'data-key': key, 'data-state': 'loading', 'aria-labelledby': 'h-' + spec.id },
            el('header', { class: 'card-head' }, el('h2', { id: 'h-' + spec.id }, spec.title), el('div', { class: 'tools' }, csvBtn, svgBtn)),
            spec.note ? el('p', { class: 'note' }, spec.note) : null,
            body,
            layerBtns.length ? el('div', { class: 'card-foot' }, el('span', {}, 'Data of the layers:'), layerBtns) : null
        );
        parent.appendChild(card);
        const done = (stateName) => {
            card.dataset.state = stateName;
            body.removeAttribute('aria-busy');
        };
        if (!Omen.hasAnalysis(spec.name)) {
            body.replaceChildren(errorBox(new OmenError('missing', '')));
            done('missing');
            return Promise.resolve();
        }
        return Omen.load(key)
            .then(async (data) => {
                body.replaceChildren();
                const empty = !data.rows || data.rows.length === 0;
                if (empty) body.appendChild(el('div', { class: 'notice info', role: 'status' }, 'No data for these settings (does the date range hold any week of the panel?).'));
                const svg = empty ? null : await spec.draw(data, body, state);
                const prov = Omen.provenance(spec, key, data, Omen.views.find((v) => v.id === (state && state.view)));
                const stem = (prov.synthetic ? 'SYNTHETIC_' : '') + fileStem(key);
                csvBtn.disabled = false;
                csvBtn.title += ' (and its source as ' + stem + '.provenance.txt)';
                csvBtn.addEventListener('click', () => {
                    download(stem + '.csv', Omen.toCSV(data), 'text/csv');
                    download(stem + '.provenance.txt', Omen.provenanceText(prov, stem + '.csv'), 'text/plain');
                });
                /* a layer's CSV: its own request, loaded (from the cache) when clicked */
                (spec.layers || []).forEach((a, i) => {
                    const lkey = Omen.requestKey(a.name, a.params);
                    const lstem = (prov.synthetic ? 'SYNTHETIC_' : '') + fileStem(lkey);
                    const btn = layerBtns[i];
                    btn.disabled = false;
                    btn.title += ' (and its source as ' + lstem + '.provenance.txt)';
                    btn.addEventListener('click', async () => {
                        let ldata;
                        try {
                            ldata = await Omen.load(lkey);
                        } catch (e) {
                            btn.disabled = true;
                            btn.title = 'Not available: ' + e.message;
                            return;
                        }
                        const lprov = Omen.provenance({ title: spec.title + ': ' + a.title, params: a.params }, lkey, ldata, Omen.views.find((v) => v.id === (state && state.view)));
                        download(lstem + '.csv', Omen.toCSV(ldata), 'text/csv');
                        download(lstem + '.provenance.txt', Omen.provenanceText(lprov, lstem + '.csv'), 'text/plain');
                    });
                });
                if (svgBtn && svg) {
                    svgBtn.disabled = false;
                    svgBtn.addEventListener('click', () => download(stem + '.svg', Omen.svgText(svg, prov), 'image/svg+xml'));
                }
                done(empty ? 'empty' : 'ready');
            })
            .catch((err) => {
                if (!(err instanceof OmenError)) console.error(err);
                body.replaceChildren(errorBox(err));
                done(err instanceof OmenError ? (err.kind === 'missing' || err.kind === 'snapshot' ? err.kind : 'error') : 'error');
            });
    };

    /* ------------------------------------------------------------ views and controls */

    /* A view: {id, title, controls: [names of the global controls it uses], cards(state) ->
     * [card specs], variants: [state patches a static report should also hold], header(state)}. */
    Omen.view = function (v) {
        Omen.views.push(v);
    };

    /* Every request key of a view in a state (used for the report's request list). */
    Omen.requestsOf = function (view, state) {
        const keys = [];
        for (const c of view.cards(state)) {
            keys.push(Omen.requestKey(c.name, c.params));
            /* `also`: further requests a card's draw loads (Table 1's size rows, the violins' quartiles) */
            for (const a of (c.also || []).concat(c.layers || [])) keys.push(Omen.requestKey(a.name, a.params));
        }
        return keys.concat(view.assets || []);
    };

    const CONTROLS = [
        { name: 'level', label: 'Level', type: 'select', options: ['model', 'developer', 'country'] },
        { name: 'window', label: 'Window', type: 'select', options: ['week', 'month', 'quarter', 'year', 'trailing52', 'cumulative'] },
        { name: 'from', label: 'From', type: 'date' },
        { name: 'to', label: 'To', type: 'date' },
        { name: 'rolling', label: 'Rolling Window Filter', type: 'check', title: 'Count a model\'s downloads only in its first year after creation (mitigates inauthentic downloads)' },
        { name: 'attribution', label: 'Attribution', type: 'select', options: ['direct', 'recursive'], title: 'direct: the model itself; recursive: the root of its derivation chain' },
        { name: 'popmin', label: 'Population min.', type: 'number', title: 'Population Sample: models with at least this many downloads in total' },
    ];

    function buildControls(form) {
        form.replaceChildren();
        for (const c of CONTROLS) {
            const id = 'ctl-' + c.name;
            let input;
            if (c.type === 'select') {
                input = el('select', { id, name: c.name }, c.options.map((o) => el('option', { value: o }, o)));
            } else if (c.type === 'check') {
                input = el('input', { id, name: c.name, type: 'checkbox' });
            } else if (c.type === 'number') {
                input = el('input', { id, name: c.name, type: 'number', min: 0, step: 1, inputmode: 'numeric', size: 6 });
            } else {
                input = el('input', { id, name: c.name, type: 'date' });
            }
            input.addEventListener('change', () => {
                const v = c.type === 'check' ? (input.checked ? 'on' : 'off') : input.value.trim();
                Omen.setState({ [c.name]: c.name === 'popmin' && v === String(defaultPopmin()) ? '' : v });
            });
            form.appendChild(el('label', { class: 'ctl ctl-' + c.type, for: id, title: c.title }, el('span', {}, c.label), input));
        }
        form.appendChild(el('button', { type: 'button', class: 'reset', onclick: () => Omen.setState(Object.assign({}, DEFAULTS, { view: Omen.state.view })) }, 'Reset'));
    }

    function defaultPopmin() {
        const d = Omen.meta && Omen.meta.defaults;
        return d && (d.population_min || d['population-min']) ? d.population_min || d['population-min'] : 200;
    }

    function syncControls(form, view, s) {
        const inline = Omen.inline();
        for (const c of CONTROLS) {
            const input = form.querySelector('#ctl-' + c.name);
            const used = (view.controls || []).includes(c.name);
            /* a report holds the data of a few states: a free-form input (dates, a number) can
             * only reach states it lacks, a select offers only the values it holds */
            const frozen = inline && used && (c.type === 'date' || c.type === 'number');
            const offered = (patch) => Omen.inSnapshot(view, Object.assign({}, s, patch));
            input.disabled = !used || frozen || (inline && c.type === 'check' && !offered({ [c.name]: s[c.name] === 'off' ? 'on' : 'off' }));
            input.title = input.disabled && used && inline ? 'Not in this snapshot: run `omen serve` for other settings' : '';
            if (c.type === 'select')
                for (const o of input.options) {
                    o.disabled = inline && used && o.value !== s[c.name] && !offered({ [c.name]: o.value });
                    o.title = o.disabled ? 'Not in this snapshot' : '';
                }
            input.closest('label').classList.toggle('unused', !used);
            if (c.type === 'check') input.checked = s[c.name] !== 'off';
            else if (c.type === 'number') {
                input.value = s.popmin;
                input.placeholder = String(defaultPopmin());
            } else if (c.type === 'select' && !c.options.includes(s[c.name])) {
                /* a value from the URL that the list lacks: show it (the server judges it) */
                if (![...input.options].some((o) => o.value === s[c.name])) input.appendChild(el('option', { value: s[c.name] }, s[c.name]));
                input.value = s[c.name];
            } else input.value = s[c.name];
            if (c.type === 'date' && Omen.meta) {
                if (Omen.meta.first_week) input.min = Omen.meta.first_week;
                if (Omen.meta.last_week) input.max = Omen.meta.last_week;
            }
        }
    }

    function buildNav(nav) {
        nav.replaceChildren();
        for (const v of Omen.views) {
            nav.appendChild(
                el('button', { type: 'button', role: 'tab', id: 'tab-' + v.id, 'data-view': v.id, 'aria-controls': 'view', onclick: () => Omen.setState({ view: v.id }) }, v.title)
            );
        }
        /* arrow keys move along the tabs, as in a WAI-ARIA tablist */
        nav.addEventListener('keydown', (e) => {
            if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
            const tabs = [...nav.querySelectorAll('[role=tab]')];
            const i = tabs.indexOf(document.activeElement);
            if (i < 0) return;
            tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length].focus();
            e.preventDefault();
        });
    }

    let renderSeq = 0;
    Omen.ready = Promise.resolve();

    function render() {
        const s = (Omen.state = Omen.parseHash(location.hash));
        const view = Omen.views.find((v) => v.id === s.view) || Omen.views[0];
        document.querySelectorAll('#nav [role=tab]').forEach((b) => {
            const on = b.dataset.view === view.id;
            b.setAttribute('aria-selected', on ? 'true' : 'false');
            b.tabIndex = 0;
        });
        syncControls(document.getElementById('controls'), view, s);
        document.title = view.title + ' · omen';
        const root = document.getElementById('view');
        root.replaceChildren();
        root.dataset.view = view.id;
        root.dataset.hash = location.hash; /* what was rendered: tests wait for it to be current */
        if (view.intro) root.appendChild(el('p', { class: 'intro' }, view.intro(s)));
        /* the view's finding in one sentence, computed from the data in view once it is loaded,
         * as the paper's captions state theirs */
        const found = view.finding ? el('p', { class: 'finding', role: 'status', 'aria-live': 'polite' }) : null;
        if (found) root.appendChild(found);
        if (view.header) root.appendChild(view.header(s));
        const grid = el('div', { class: 'grid grid-' + (view.columns || 1) });
        root.appendChild(grid);
        const seq = ++renderSeq;
        const jobs = view.cards(s).map((spec) => Omen.card(grid, spec, s));
        Omen.ready = Promise.all(jobs)
            .then(() => (found ? Promise.resolve(view.finding(s)).catch(() => null) : null))
            .then((text) => {
                if (seq !== renderSeq) return;
                if (found && text) found.textContent = text;
                else if (found) found.remove();
                root.dataset.ready = 'true';
            });
    }

    function banner(meta) {
        const b = document.getElementById('banner');
        if (meta.synthetic) {
            b.hidden = false;
            b.textContent = 'Synthetic data: these numbers come from `omen synth`, a calibrated simulation, not from Hugging Face.';
        }
        const src = document.getElementById('source');
        const parts = [];
        if (meta.first_week) parts.push('weeks ' + meta.first_week + ' to ' + meta.last_week);
        const ver = meta.store_version || meta.generation;
        if (ver !== undefined) parts.push('store version ' + ver);
        if (Omen.inline()) parts.push('static snapshot' + (window.OMEN_INLINE_DATE ? ' of ' + window.OMEN_INLINE_DATE : ''));
        src.textContent = parts.join(' · ');
    }

    async function start() {
        const root = document.getElementById('view');
        if (typeof d3 === 'undefined' || typeof Plot === 'undefined' || typeof topojson === 'undefined') {
            root.replaceChildren(
                el('div', { class: 'notice error', role: 'alert' }, 'The dashboard\'s libraries are missing (web/vendor/). Run scripts/bootstrap (npm ci --prefix web) and then make.')
            );
            return;
        }
        buildNav(document.getElementById('nav'));
        buildControls(document.getElementById('controls'));
        try {
            Omen.meta = await Omen.load('/api/meta');
        } catch (err) {
            root.replaceChildren(errorBox(err));
            return;
        }
        banner(Omen.meta);
        window.addEventListener('hashchange', render);
        /* charts are drawn to their card's width: redraw (from the cache) after a resize */
        let lastWidth = window.innerWidth;
        let timer = null;
        window.addEventListener('resize', () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
                if (Math.abs(window.innerWidth - lastWidth) < 40) return;
                lastWidth = window.innerWidth;
                render();
            }, 250);
        });
        render();
    }

    if (typeof document !== 'undefined') document.addEventListener('DOMContentLoaded', start);
})();
