/* sizes.js: the Sizes view, the paper's Figure 5: violins of log10(parameters) per year,
 * weighted by downloads in the download year and by model in the creation year, with the
 * yearly mean and quartiles. */
(function () {
    'use strict';
    const { el, fmt } = Omen;

    function params(s, by, extra) {
        return Object.assign({ by }, extra, Omen.filterParams(s));
    }

    const sizeText = (l) => {
        const v = Math.pow(10, l);
        return d3.format('.2~s')(v).replace('G', 'B');
    };

    /* The violin's half-width at log10 size y: the year's density, linearly interpolated. */
    function widthAt(rows, y) {
        for (let i = 0; i + 1 < rows.length; i++) {
            const a = rows[i];
            const b = rows[i + 1];
            if (a.y <= y && y <= b.y) return b.y === a.y ? a.w : a.w + ((b.w - a.w) * (y - a.y)) / (b.y - a.y);
        }
        return 0;
    }

    /* draw(summaryParams): violins of the density rows, with Figure 5's quartile lines (p25 and
     * p75 dashed, the median solid, across the violin's width there) and the mean as a dot,
     * from the summary of the same request without --density. */
    const drawViolins = (summaryParams) => async (data, body) => {
        const peak = d3.rollup(data.rows, (v) => d3.max(v, (r) => r.density) || 1, (r) => r.year);
        const rows = data.rows.map((r) => ({ year: String(r.year), y: r.log10_params, w: r.density / peak.get(r.year), density: r.density, size: sizeText(r.log10_params) }));
        if (!rows.length) {
            body.appendChild(el('div', { class: 'notice info' }, 'No model sizes with these filters.'));
            return null;
        }
        const byYear = d3.group(rows, (r) => r.year);
        const summary = await Omen.api('sizes', summaryParams);
        const quart = [];
        const means = [];
        for (const r of summary.rows) {
            const ys = byYear.get(String(r.year));
            if (!ys) continue;
            for (const [k, label] of [
                ['p25', '25th percentile'],
                ['median', 'median'],
                ['p75', '75th percentile'],
            ]) {
                if (!(r[k] > 0)) continue;
                const y = Math.log10(r[k]);
                const w = Math.max(widthAt(ys, y), 0.08);
                quart.push({ year: String(r.year), y, x1: -w, x2: w, stat: k, label: label + ' ' + sizeText(y) });
            }
            if (r.mean > 0) means.push({ year: String(r.year), y: Math.log10(r.mean), label: 'mean ' + sizeText(Math.log10(r.mean)) });
        }
        return Omen.plot(body, {
            height: 300,
            marginLeft: 50,
            fx: { label: null },
            x: { axis: null, domain: [-1.05, 1.05] },
            y: { label: 'Parameters', grid: true, tickFormat: sizeText },
            marks: [
                Plot.areaX(rows, { fx: 'year', y: 'y', x1: (d) => -d.w, x2: 'w', fill: Omen.palette[0], fillOpacity: 0.75, curve: 'basis' }),
                Plot.ruleY(quart, { fx: 'year', y: 'y', x1: 'x1', x2: 'x2', stroke: '#111', strokeWidth: (d) => (d.stat === 'median' ? 1.6 : 1), strokeDasharray: (d) => (d.stat === 'median' ? null : '3,2'), title: 'label' }),
                Plot.dot(means, { fx: 'year', y: 'y', x: 0, r: 2.5, fill: '#fff', stroke: '#111', title: 'label' }),
                Plot.tip(rows, Plot.pointerY({ fx: 'year', y: 'y', x: 'w', channels: { size: 'size', density: 'density' }, format: { x: false, y: false, density: '.3f' } })),
            ],
        });
    };

    function drawSummary(data, body) {
        const head = el('tr', {}, ['Year', 'Models', 'Mean', 'p25', 'Median', 'p75', 'Estimated', 'Coverage'].map((h, i) => el('th', { class: i ? 'num' : '' }, h)));
        const size = (x) => (x == null ? '' : d3.format('.3~s')(x).replace('G', 'B'));
        const rows = data.rows.map((r) =>
            el('tr', {}, el('td', {}, r.year), el('td', { class: 'num' }, fmt.num(r.models)), [r.mean, r.p25, r.median, r.p75].map((x) => el('td', { class: 'num' }, size(x))), el('td', { class: 'num' }, fmt.pct(r.share_estimated)), el('td', { class: 'num' }, fmt.pct(r.coverage)))
        );
        body.appendChild(el('table', { class: 'lb' }, el('thead', {}, head), el('tbody', {}, rows)));
    }

    /* "The download-weighted mean size went from 254M in 2020 to 21.5B in 2025, the median
     * from 125M to 503M." */
    async function finding(s) {
        const d = await Omen.load(Omen.requestKey('sizes', params(s, 'download-year')));
        const rows = d.rows.filter((r) => r.mean > 0);
        if (rows.length < 2) return null;
        const [a, b] = [rows[0], rows[rows.length - 1]];
        const size = (x) => d3.format('.3~s')(x).replace('G', 'B');
        return `The mean size of a downloaded model (weighted by downloads) went from ${size(a.mean)} parameters in ${a.year} to ${size(b.mean)} in ${b.year}; the median from ${size(a.median)} to ${size(b.median)}.`;
    }

    Omen.view({
        id: 'sizes',
        finding,
        title: 'Sizes',
        controls: ['from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 2,
        intro: () => 'Model size (parameters, log scale) per year: on the left each week\'s downloads weigh the downloaded model in the year of the download; on the right each model counts once in the year it was created. Sizes estimated from file bytes count too.',
        cards: (s) => [
            { id: 'violin-downloaded', title: 'Downloaded, by download year', note: 'Lines: 25th percentile, median (solid) and 75th percentile; dot: mean.', name: 'sizes', params: params(s, 'download-year', { density: '' }), also: [{ name: 'sizes', params: params(s, 'download-year') }], draw: drawViolins(params(s, 'download-year')) },
            { id: 'violin-created', title: 'Created, by creation year', note: 'Lines: 25th percentile, median (solid) and 75th percentile; dot: mean.', name: 'sizes', params: params(s, 'creation-year', { density: '' }), also: [{ name: 'sizes', params: params(s, 'creation-year') }], draw: drawViolins(params(s, 'creation-year')) },
            { id: 'sizes-downloaded', title: 'Download-weighted sizes per year', kind: 'table', name: 'sizes', params: params(s, 'download-year'), draw: drawSummary },
            { id: 'sizes-created', title: 'Sizes of created models per year', kind: 'table', name: 'sizes', params: params(s, 'creation-year'), draw: drawSummary },
        ],
    });
})();
