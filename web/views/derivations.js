/* derivations.js: the Derivations view, the paper's Figure 9: at each depth of the chains of
 * base models, how downloads split over relations (finetune, quantized, adapter, merge...),
 * and the intermediary developers who mostly publish repackagings. */
(function () {
    'use strict';
    const { el, fmt } = Omen;

    function drawDepths(data, body) {
        const rows = data.rows.filter((r) => r.depth > 0).map((r) => ({ depth: 'Depth ' + r.depth, relation: r.relation, share: r.share, downloads: r.downloads }));
        const rel = [...new Set(rows.map((r) => r.relation))].filter((r) => r !== '(none)');
        const domain = rel.concat(rows.some((r) => r.relation === '(none)') ? ['(none)'] : []);
        return Omen.plot(body, {
            height: Math.max(300, 34 * new Set(rows.map((r) => r.depth)).size + 70),
            marginLeft: 64,
            x: { label: 'Share of downloads', tickFormat: '.0%', domain: [0, 1], grid: true },
            y: { label: null },
            color: { domain, range: Omen.palette.slice(0, rel.length).concat([Omen.restColor]), legend: true },
            marks: [Plot.barX(rows, { y: 'depth', x: 'share', fill: 'relation', order: domain, tip: { format: { x: '.1%', downloads: ',.0f' } }, channels: { downloads: 'downloads' } }), Plot.ruleX([0])],
        });
    }

    function drawIntermediaries(data, body) {
        const rows = data.rows.slice(0, 16);
        const head = el('tr', {}, ['Developer', 'Country', 'Type', 'Downloads', 'Repackaging', 'Share'].map((h, i) => el('th', { class: i > 2 ? 'num' : '' }, h)));
        body.appendChild(
            el(
                'div',
                { class: 'table-scroll' },
                el('table', { class: 'lb' }, el('thead', {}, head), el('tbody', {}, rows.map((r) => el('tr', {}, el('td', { class: 'name' }, r.developer), el('td', {}, r.country || ''), el('td', {}, r.org_type || ''), el('td', { class: 'num' }, fmt.si(r.downloads)), el('td', { class: 'num' }, fmt.pct(r.repackaging_share)), el('td', { class: 'num' }, fmt.pct(r.share))))))
            )
        );
        if (data.rows.length > rows.length) body.appendChild(el('p', { class: 'legend-line' }, `${rows.length} of ${data.rows.length} rows; the CSV has all.`));
    }

    /* Per period, the share of downloads at least d steps from a root: 1 - share of "(none)"
     * at depth d. */
    function drawDepthTrend(data, body) {
        const none = new Map();
        for (const r of data.rows) if (r.relation === '(none)') none.set(r.period_start + '\t' + r.depth, r.share);
        const depths = [...new Set(data.rows.map((r) => r.depth))].filter((d) => d > 0 && d <= 4).sort();
        const periods = [...d3.group(data.rows, (r) => r.period_start)];
        const rows = periods.flatMap(([start, rs]) =>
            depths.map((d) => ({ date: fmt.date(start), end: rs[0].period_end, series: d === 1 ? 'derived (1+ steps)' : d + '+ steps from a root', share: 1 - (none.get(start + '\t' + d) || 0), period: Omen.periodText(rs[0]) }))
        );
        const closed = Omen.closeSteps(rows, 'series');
        const domain = depths.map((d) => (d === 1 ? 'derived (1+ steps)' : d + '+ steps from a root'));
        return Omen.plot(body, {
            height: 260,
            marginLeft: 44,
            y: { label: 'Share of downloads', tickFormat: '.0%', grid: true, zero: true },
            x: { label: null },
            color: { domain, range: Omen.palette, legend: true },
            marks: [
                Plot.lineY(closed, { x: 'date', y: 'share', stroke: 'series', strokeWidth: 1.8, curve: 'step-after' }),
                Plot.tip(closed, Plot.pointerX({ x: 'date', y: 'share', stroke: 'series', channels: { period: 'period' }, format: { y: '.1%', x: false, stroke: true } })),
                Plot.ruleY([0]),
            ],
        });
    }

    function drawIntermediaryTrend(data, body) {
        const rows = Omen.closeSteps(data.rows.filter((r) => r.developer === '(all intermediaries)').map((r) => ({ date: fmt.date(r.period_start), end: r.period_end, share: r.share, downloads: r.downloads, period: Omen.periodText(r) })));
        return Omen.plot(body, {
            height: 260,
            marginLeft: 44,
            y: { label: 'Share of all downloads', tickFormat: '.0%', grid: true, zero: true },
            x: { label: null },
            marks: [
                Plot.areaY(rows, { x: 'date', y: 'share', fill: Omen.palette[1], fillOpacity: 0.35, curve: 'step-after' }),
                Plot.lineY(rows, { x: 'date', y: 'share', stroke: Omen.palette[1], strokeWidth: 1.8, curve: 'step-after' }),
                Plot.tip(rows, Plot.pointerX({ x: 'date', y: 'share', channels: { period: 'period', downloads: 'downloads' }, format: { y: '.1%', x: false, downloads: ',.0f' } })),
                Plot.ruleY([0]),
            ],
        });
    }

    /* "41% of downloads went to derived models and 12% to models two or more steps from a root;
     * intermediaries drew 3.1% in 2025-06." */
    async function finding(s) {
        const d = await Omen.load(Omen.requestKey('derivations', Omen.filterParams(s)));
        const none = (depth) => d3.sum(d.rows.filter((r) => r.depth === depth && r.relation === '(none)'), (r) => r.share);
        if (!d.rows.length) return null;
        let t = `${fmt.pct(1 - none(1))} of downloads went to derived models (one or more steps from a root) and ${fmt.pct(1 - none(2))} to models two or more steps deep`;
        try {
            const im = await Omen.load(Omen.requestKey('intermediaries', Object.assign({ window: s.window }, Omen.filterParams(s))));
            const all = im.rows.filter((r) => r.developer === '(all intermediaries)');
            if (all.length) t += `; intermediaries drew ${fmt.pct(all[all.length - 1].share)} in ${Omen.periodName(all[all.length - 1])} (${fmt.pct(all[0].share)} in ${Omen.periodName(all[0])})`;
        } catch (e) {
            /* the sentence stands without it */
        }
        return t + '.';
    }

    Omen.view({
        id: 'derivations',
        finding,
        title: 'Derivations',
        controls: ['window', 'from', 'to', 'rolling', 'popmin'],
        columns: 2,
        intro: () => 'Along each model\'s chain of first base models (depth 1 = one step from the root), the share of downloads by relation; "(none)" holds models with fewer steps. Intermediaries: developers most of whose downloads go to repackagings (quantized, adapter, other).',
        cards: (s) => [
            { id: 'depths', title: 'Relations by depth', name: 'derivations', params: Omen.filterParams(s), draw: drawDepths },
            { id: 'intermediaries', title: 'Intermediary developers', kind: 'table', name: 'intermediaries', params: Omen.filterParams(s), draw: drawIntermediaries },
            { id: 'depth-trend', title: 'Derived downloads over time', name: 'derivations', params: Object.assign({ window: s.window }, Omen.filterParams(s)), draw: drawDepthTrend },
            { id: 'intermediaries-trend', title: 'Intermediaries\' share of downloads over time', name: 'intermediaries', params: Object.assign({ window: s.window }, Omen.filterParams(s)), draw: drawIntermediaryTrend },
        ],
    });
})();
