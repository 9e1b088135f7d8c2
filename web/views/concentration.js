/* concentration.js: the Concentration view, the paper's Figure 3: per period, the download
 * shares of rank segments (1, 2-10, 11-100, 101-1000, rest) stacked, and the HHI and Gini
 * lines, for the level of the controls (model, developer or country). */
(function () {
    'use strict';
    const { fmt } = Omen;

    function params(s) {
        return Object.assign({ level: s.level, window: s.window }, Omen.filterParams(s));
    }

    /* "seg_2_10" -> "Ranks 2-10", "seg_1" -> "Rank 1", "seg_rest" -> "The rest" */
    function segLabel(c) {
        const p = c.slice(4).split('_');
        if (p[0] === 'rest') return 'The rest';
        return p.length === 1 ? 'Rank ' + p[0] : `Ranks ${p[0]}–${p[1]}`;
    }

    const periodText = Omen.periodText;

    function drawSegments(data, body, s) {
        const segs = data.columns.map((c) => c.name).filter((n) => n.startsWith('seg_'));
        const labels = segs.map(segLabel);
        const long = Omen.closeSteps(
            data.rows.flatMap((r) => segs.map((c, i) => ({ date: fmt.date(r.period_start), end: r.period_end, segment: labels[i], share: r[c], period: periodText(r), entities: r.entities }))),
            'segment'
        );
        /* cividis, ordered: the colour-blind-safe sequential scale for ordered ranks */
        const colours = labels.map((_, i) => d3.interpolateCividis(labels.length === 1 ? 0.5 : 0.08 + (0.84 * i) / (labels.length - 1)));
        return Omen.plot(body, {
            height: 320,
            marginLeft: 44,
            y: { label: `Share of downloads (${Omen.plural(s.level)})`, domain: [0, 1], tickFormat: '.0%', grid: true },
            x: { label: null },
            color: { domain: labels, range: colours, legend: true },
            marks: [
                Plot.areaY(long, { x: 'date', y: 'share', fill: 'segment', order: labels, curve: 'step-after', tip: { format: { y: '.1%', x: false, fill: true } }, channels: { period: 'period' } }),
                Plot.ruleY([0]),
            ],
        });
    }

    function drawIndices(data, body) {
        const metrics = [
            ['hhi', 'HHI (0–1)'],
            ['gini', 'Gini'],
            ['top1_share', 'Top-1 share'],
        ];
        /* A period with no downloads has no market: its measures are gaps, not zeros. */
        const long = Omen.closeSteps(
            data.rows.flatMap((r) => metrics.map(([c, label]) => ({ date: fmt.date(r.period_start), end: r.period_end, metric: label, value: r.entities > 0 ? r[c] : NaN, period: periodText(r), entities: r.entities }))),
            'metric'
        );
        return Omen.plot(body, {
            height: 320,
            marginLeft: 44,
            y: { label: 'Index', domain: [0, 1], grid: true },
            x: { label: null },
            color: { domain: metrics.map((m) => m[1]), range: [Omen.palette[0], Omen.palette[1], Omen.palette[2]], legend: true },
            marks: [
                Plot.lineY(long, { x: 'date', y: 'value', stroke: 'metric', strokeWidth: 1.8, curve: 'step-after' }),
                Plot.tip(long, Plot.pointerX({ x: 'date', y: 'value', stroke: 'metric', channels: { period: 'period', entities: 'entities' }, format: { y: '.3f', x: false, stroke: true } })),
                Plot.ruleY([0]),
            ],
        });
    }

    Omen.view({
        id: 'concentration',
        title: 'Concentration',
        controls: ['level', 'window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 2,
        intro: (s) => `How concentrated downloads are among ${Omen.plural(s.level)}: the shares of the top-ranked ${Omen.plural(s.level)} in each ${s.window} period, and the Herfindahl-Hirschman index, Gini coefficient and the leader's share.`,
        variants: [{ level: 'model' }, { level: 'country' }, { rolling: 'off' }],
        cards: (s) => [
            { id: 'segments', title: 'Download shares by rank segment', name: 'concentration', params: params(s), draw: drawSegments },
            { id: 'indices', title: 'HHI, Gini and top-1 share', name: 'concentration', params: params(s), draw: drawIndices },
        ],
    });
})();
