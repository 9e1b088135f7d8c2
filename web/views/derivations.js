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
            height: Math.max(160, 34 * new Set(rows.map((r) => r.depth)).size + 70),
            marginLeft: 64,
            x: { label: 'Share of downloads', tickFormat: '.0%', domain: [0, 1], grid: true },
            y: { label: null },
            color: { domain, range: Omen.palette.slice(0, rel.length).concat([Omen.restColor]), legend: true },
            marks: [Plot.barX(rows, { y: 'depth', x: 'share', fill: 'relation', order: domain, tip: { format: { x: '.1%', downloads: ',.0f' } }, channels: { downloads: 'downloads' } }), Plot.ruleX([0])],
        });
    }

    function drawIntermediaries(data, body) {
        const rows = data.rows.slice(0, 25);
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

    Omen.view({
        id: 'derivations',
        title: 'Derivations',
        controls: ['from', 'to', 'rolling', 'popmin'],
        columns: 2,
        intro: () => 'Along each model\'s chain of first base models (depth 1 = one step from the root), the share of downloads by relation; "(none)" holds models with fewer steps. Intermediaries: developers most of whose downloads go to repackagings (quantized, adapter, other).',
        cards: (s) => [
            { id: 'depths', title: 'Relations by depth', name: 'derivations', params: Omen.filterParams(s), draw: drawDepths },
            { id: 'intermediaries', title: 'Intermediary developers', kind: 'table', name: 'intermediaries', params: Omen.filterParams(s), draw: drawIntermediaries },
        ],
    });
})();
