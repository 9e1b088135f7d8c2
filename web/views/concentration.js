/* concentration.js: the Concentration view, the paper's Figure 3: per period, the download
 * shares of rank segments (1, 2-10, 11-100, 101-1000, rest) stacked, and the HHI and Gini
 * lines, for models, developers and countries side by side. */
(function () {
    'use strict';
    const { fmt } = Omen;

    function params(s, level) {
        return Object.assign({ level, window: s.window }, Omen.filterParams(s));
    }

    /* "seg_2_10" -> "Ranks 2-10", "seg_1" -> "Rank 1", "seg_rest" -> "The rest" */
    function segLabel(c) {
        const p = c.slice(4).split('_');
        if (p[0] === 'rest') return 'The rest';
        return p.length === 1 ? 'Rank ' + p[0] : `Ranks ${p[0]}–${p[1]}`;
    }

    const periodText = Omen.periodText;

    const drawSegments = (level) => (data, body) => {
        const segs = data.columns.map((c) => c.name).filter((n) => n.startsWith('seg_'));
        const labels = segs.map(segLabel);
        const long = Omen.closeSteps(
            data.rows.flatMap((r) => segs.map((c, i) => ({ date: fmt.date(r.period_start), end: r.period_end, segment: labels[i], share: r[c], period: periodText(r), entities: r.entities }))),
            'segment'
        );
        /* cividis, ordered: the colour-blind-safe sequential scale for ordered ranks */
        const colours = labels.map((_, i) => d3.interpolateCividis(labels.length === 1 ? 0.5 : 0.08 + (0.84 * i) / (labels.length - 1)));
        return Omen.plot(body, {
            height: 280,
            marginLeft: 44,
            y: { label: `Share of downloads (${Omen.plural(level)})`, domain: [0, 1], tickFormat: '.0%', grid: true },
            x: { label: null },
            color: { domain: labels, range: colours, legend: true },
            marks: [
                Plot.areaY(long, { x: 'date', y: 'share', fill: 'segment', order: labels, curve: 'step-after', tip: { format: { y: '.1%', x: false, fill: true } }, channels: { period: 'period' } }),
                Plot.ruleY([0]),
            ],
        });
    };

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
            height: 280,
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

    const LEVELS = ['model', 'developer', 'country'];

    /* The year before a period of window w ends, in periods: the comparison a finding makes. */
    const YEAR = { week: 52, month: 12, quarter: 4, year: 1, trailing52: 52, cumulative: 52 };

    /* "The top 10 developers held 43% of downloads in 2025-06 (partial), up from 31% a year
     * before; the leader alone 13%." for each level, from the rows in view. */
    async function finding(s) {
        const parts = [];
        for (const level of LEVELS) {
            let data;
            try {
                data = await Omen.load(Omen.requestKey('concentration', params(s, level)));
            } catch (e) {
                continue;
            }
            const rows = data.rows.filter((r) => r.entities > 0);
            if (!rows.length) continue;
            const last = rows[rows.length - 1];
            const back = rows.length > (YEAR[s.window] || 1) ? rows[rows.length - 1 - (YEAR[s.window] || 1)] : rows[0];
            const when = Omen.periodName;
            const d = last.top10_share - back.top10_share;
            const trend = Math.abs(d) < 0.005 ? 'about as in' : d > 0 ? 'up from ' + fmt.pct(back.top10_share) + ' in' : 'down from ' + fmt.pct(back.top10_share) + ' in';
            parts.push(`the top 10 ${Omen.plural(level)} held ${fmt.pct(last.top10_share)} of downloads in ${when(last)}${Omen.periodText(last).includes('partial') ? ' (partial)' : ''}, ${trend} ${when(back)}`);
        }
        if (!parts.length) return null;
        const t = parts.join('; ') + '.';
        return t[0].toUpperCase() + t.slice(1);
    }

    /* The paper's Figure 3: the three levels side by side (small multiples), the same periods
     * and the same 0-100% axis in each. */
    Omen.view({
        id: 'concentration',
        title: 'Concentration',
        controls: ['window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 3,
        intro: (s) => `How concentrated downloads are among models, developers and countries (the paper's Figure 3): the shares of the top-ranked entities in each ${s.window} period, and the Herfindahl-Hirschman index, Gini coefficient and the leader's share.`,
        finding,
        variants: [{ rolling: 'off' }],
        cards: (s) =>
            LEVELS.map((level) => ({ id: 'segments-' + level, title: 'Rank segments: ' + Omen.plural(level), name: 'concentration', params: params(s, level), draw: drawSegments(level) })).concat(
                LEVELS.map((level) => ({ id: 'indices-' + level, title: 'HHI, Gini, top-1: ' + Omen.plural(level), name: 'concentration', params: params(s, level), draw: drawIndices }))
            ),
    });
})();
