/* concentration.js: the Concentration view, the paper's Figure 3: per period, the download
 * shares of rank segments (1, 2-10, 11-100, 101-1000, rest) stacked, and the HHI and Gini
 * lines, for models, developers and countries side by side. Above them, the monitoring row:
 * one measure per level on its own scale with its change points (/api/changes), and on request
 * its 95% bootstrap interval (ci=0.95) and its robustness envelope (/api/robustness). */
(function () {
    'use strict';
    const { fmt, el } = Omen;

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

    /* ------------------------------------------------------------ the monitoring row */

    /* The measures the monitoring row draws: the concentration column, its interval columns
     * (<col>_lo, <col>_hi with ci), and its names for /api/changes (measure=) and
     * /api/robustness (metric=). */
    const MEASURES = {
        hhi: { label: 'HHI', col: 'hhi', pct: false },
        gini: { label: 'Gini', col: 'gini', pct: false },
        top1: { label: 'Top-1 share', col: 'top1_share', pct: true },
        cr4: { label: 'CR4 (top-4 share)', col: 'cr4_share', pct: true },
        top10: { label: 'Top-10 share', col: 'top10_share', pct: true },
    };
    const measureOf = (s) => (MEASURES[s.measure] ? s.measure : 'hhi');
    /* /api/robustness forms calendar periods only */
    const ENVELOPE_WINDOWS = ['week', 'month', 'quarter', 'year'];
    const CI = '0.95';
    /* the 2023 Merger Guidelines' thresholds of HHI x 10000, as HHI */
    const GUIDELINES = [
        [0.1, '1,000'],
        [0.18, '1,800'],
    ];
    const LABEL = { breaks: 'Change point', mean: 'Segment mean', ci: '95% interval', envelope: 'Robustness envelope' };
    const COLOUR = { breaks: '#D55E00', mean: '#000000', ci: '#8ec1e6', envelope: '#d4d4d4' };

    function monitorParams(s, level) {
        const p = params(s, level);
        if (s.ci === 'on') p.ci = CI;
        return p;
    }

    /* The further requests of a level's monitoring chart, as card layers. */
    function layers(s, level) {
        const m = measureOf(s);
        const out = [];
        if (s.breaks !== 'off') out.push({ name: 'changes', params: Object.assign({ level, measure: m, window: s.window }, Omen.filterParams(s)), label: 'Breaks', title: 'change points (PELT segments)' });
        if (s.envelope === 'on' && ENVELOPE_WINDOWS.includes(s.window))
            out.push({ name: 'robustness', params: Object.assign({ level, metric: m, window: s.window }, Omen.filterParams(s)), label: 'Envelope', title: 'robustness envelope (48 definitions)' });
        return out;
    }

    const drawMonitor = (level, s) => async (data, body) => {
        const key = measureOf(s);
        const M = MEASURES[key];
        const notes = [];
        let segs = null;
        let env = null;
        for (const layer of layers(s, level)) {
            try {
                const d = await Omen.load(Omen.requestKey(layer.name, layer.params));
                if (layer.name === 'changes') segs = d.rows;
                else env = d.rows;
            } catch (e) {
                notes.push((layer.name === 'changes' ? 'Change points' : 'The robustness envelope') + ' could not be drawn: ' + e.message);
            }
        }
        if (s.envelope === 'on' && !ENVELOPE_WINDOWS.includes(s.window)) notes.push(`The robustness envelope is computed for week, month, quarter and year windows, not ${s.window}.`);
        /* the envelope of each period: min and max over the grid, on every row of the period */
        const envOf = new Map();
        for (const r of env || []) if (r.period !== 'last-year' && r.min != null && r.max != null) envOf.set(r.period_start, [r.min, r.max]);
        const ci = s.ci === 'on' && data.columns.some((c) => c.name === M.col + '_lo');
        const num = (x) => (x == null || isNaN(x) ? NaN : +x);
        const rows = data.rows.map((r) => {
            const has = r.entities > 0;
            const e = envOf.get(r.period_start);
            return {
                date: fmt.date(r.period_start),
                end: r.period_end,
                period: periodText(r),
                entities: r.entities,
                value: has ? r[M.col] : NaN,
                lo: has && ci ? num(r[M.col + '_lo']) : NaN,
                hi: has && ci ? num(r[M.col + '_hi']) : NaN,
                emin: e ? e[0] : NaN,
                emax: e ? e[1] : NaN,
            };
        });
        const f = M.pct ? (x) => fmt.pct(x) : (x) => fmt.dec(x, 4);
        for (const r of rows) {
            r.interval = isNaN(r.lo) ? '' : f(r.lo) + ' – ' + f(r.hi);
            r.envelope = isNaN(r.emin) ? '' : f(r.emin) + ' – ' + f(r.emax);
        }
        const closed = Omen.closeSteps(rows);
        const means = (segs || []).map((g) => ({ start: fmt.date(g.start), stop: Omen.dayAfter(g.end), mean: g.mean, text: `${g.start} to ${g.end}: mean ${f(g.mean)}` }));
        const breaks = (segs || []).filter((g) => g.break).map((g) => ({ date: fmt.date(g.break), text: `change point ${g.break}: ${f(g.mean - g.change)} → ${f(g.mean)}` }));
        const top = d3.max([].concat(rows.flatMap((r) => [r.value, r.hi, r.emax]), means.map((g) => g.mean)).filter((x) => !isNaN(x))) || 1;
        const ymax = M.pct ? Math.min(1, top * 1.08) : top * 1.08;
        const shown = [M.label];
        const range = [Omen.palette[0]];
        const add = (k, on) => {
            if (!on) return;
            shown.push(LABEL[k]);
            range.push(COLOUR[k]);
        };
        add('envelope', envOf.size > 0);
        add('ci', ci);
        add('mean', means.length > 0);
        add('breaks', breaks.length > 0);
        const guides = key === 'hhi' ? GUIDELINES.filter(([v]) => v <= ymax) : [];
        const lastDate = closed.length ? d3.max(closed, (r) => r.date) : null;
        const cap = [];
        if (segs) cap.push(breaks.length ? `${breaks.length} change point${breaks.length > 1 ? 's' : ''} (PELT: each segment at least 4 periods, BIC penalty); dashed: each segment's mean.` : 'No change point (PELT, BIC penalty, segments of at least 4 periods).');
        if (ci) cap.push('Blue band: 95% bootstrap interval (the level\'s entities resampled within each period, 1000 times).');
        if (envOf.size) cap.push('Grey band: the lowest and highest value over 48 definitions (Rolling Window Filter × population minimum × attribution).');
        if (guides.length) cap.push('Dotted: the 2023 Merger Guidelines\' thresholds of HHI × 10,000 (1,000: moderately, 1,800: highly concentrated).');
        return Omen.plot(body, {
            height: 260,
            marginLeft: 48,
            marginRight: key === 'hhi' ? 30 : 12,
            y: { label: M.label + ' (' + Omen.plural(level) + ')', domain: [0, ymax], grid: true, tickFormat: M.pct ? '.3~%' : undefined },
            x: { label: null },
            color: { domain: shown, range, legend: true },
            caption: cap.concat(notes).join(' ') || undefined,
            marks: [
                envOf.size ? Plot.areaY(closed, { x: 'date', y1: 'emin', y2: 'emax', curve: 'step-after', fill: () => LABEL.envelope, className: 'omen-envelope' }) : null,
                ci ? Plot.areaY(closed, { x: 'date', y1: 'lo', y2: 'hi', curve: 'step-after', fill: () => LABEL.ci, fillOpacity: 0.7, className: 'omen-interval' }) : null,
                guides.length ? Plot.ruleY(guides, { y: (g) => g[0], stroke: '#777', strokeDasharray: '1,3', className: 'omen-guideline' }) : null,
                /* the thresholds' labels in the right margin, clear of the data */
                guides.length && lastDate ? Plot.text(guides, { x: () => lastDate, y: (g) => g[0], text: (g) => g[1], textAnchor: 'start', dx: 3, fontSize: 9, fill: '#555', clip: false }) : null,
                Plot.lineY(closed, { x: 'date', y: 'value', stroke: () => M.label, strokeWidth: 1.8, curve: 'step-after', className: 'omen-measure' }),
                means.length ? Plot.ruleY(means, { y: 'mean', x1: 'start', x2: 'stop', stroke: () => LABEL.mean, strokeWidth: 1.4, strokeDasharray: '5,3', title: 'text', className: 'omen-mean' }) : null,
                breaks.length ? Plot.ruleX(breaks, { x: 'date', stroke: () => LABEL.breaks, strokeWidth: 1, strokeOpacity: 0.8, title: 'text', className: 'omen-break' }) : null,
                Plot.tip(
                    rows,
                    Plot.pointerX({
                        x: 'date',
                        y: 'value',
                        channels: { period: 'period', interval: { value: 'interval', label: '95% interval' }, envelope: { value: 'envelope', label: 'envelope' }, entities: 'entities' },
                        format: { y: M.pct ? '.2%' : '.4f', x: false, interval: ci, envelope: envOf.size > 0 },
                    })
                ),
                Plot.ruleY([0]),
            ].filter(Boolean),
        });
    };

    function header(s) {
        const m = measureOf(s);
        const select = el(
            'select',
            { id: 'ctl-measure', onchange: (e) => Omen.setState({ measure: e.target.value }) },
            Object.entries(MEASURES).map(([k, v]) => el('option', { value: k, disabled: k !== m && !Omen.offers({ measure: k }) }, v.label))
        );
        select.value = m;
        const check = (name, label, title, why) => {
            const on = name === 'breaks' ? s.breaks !== 'off' : s[name] === 'on';
            const input = el('input', { type: 'checkbox', id: 'ctl-' + name, checked: on, onchange: (e) => Omen.setState({ [name]: e.target.checked ? 'on' : 'off' }) });
            const offered = Omen.offers({ [name]: on ? 'off' : 'on' });
            input.disabled = !!why || !offered;
            return el('label', { class: 'ctl ctl-check', for: 'ctl-' + name, title: why || (offered ? title : 'Not in this snapshot: run `omen serve` for other settings') }, input, el('span', {}, label));
        };
        const envWhy = ENVELOPE_WINDOWS.includes(s.window) ? null : 'The robustness envelope is computed for week, month, quarter and year windows';
        return el(
            'div',
            { class: 'viewhead monitor-controls' },
            el('span', { class: 'viewhead-title' }, 'Monitoring row'),
            el('label', { class: 'ctl', for: 'ctl-measure' }, el('span', {}, 'Measure'), select),
            check('breaks', 'Change points', 'Mark where the series changes level (omen changes: PELT, BIC penalty, segments of at least 4 periods): a rule at each break, the segment means dashed'),
            check('ci', '95% interval', 'Add ci=0.95 to the requests: a bootstrap interval per period (1000 resamples of the level\'s entities), drawn as a band behind the line'),
            check('envelope', 'Robustness envelope', 'The lowest and highest value per period over 48 definitions (Rolling Window Filter 182/365/730 days/off × population minimum 0/50/200/1000 × attribution direct/recursive-first/recursive-split), as a band behind the line', envWhy)
        );
    }

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
        let t = parts.join('; ') + '.';
        /* the developers' latest change point of the measure shown, when it is marked */
        const layer = layers(s, 'developer').find((l) => l.name === 'changes');
        if (layer) {
            try {
                const segs = (await Omen.load(Omen.requestKey('changes', layer.params))).rows;
                const last = segs[segs.length - 1];
                const M = MEASURES[measureOf(s)];
                const f = M.pct ? (x) => fmt.pct(x) : (x) => fmt.dec(x, 3);
                if (last && last.break) t += ` The developers' ${M.label} last changed level on ${last.break}, from ${f(last.mean - last.change)} to ${f(last.mean)} (segment means).`;
            } catch (e) {
                /* no change points: the sentence stands without them */
            }
        }
        return t[0].toUpperCase() + t.slice(1);
    }

    /* The paper's Figure 3: the three levels side by side (small multiples), the same periods
     * and the same 0-100% axis in each. */
    Omen.view({
        id: 'concentration',
        title: 'Concentration',
        controls: ['window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 3,
        intro: (s) =>
            `How concentrated downloads are among models, developers and countries (the paper's Figure 3): the shares of the top-ranked entities in each ${s.window} period, and the Herfindahl-Hirschman index, Gini coefficient and the leader's share. The monitoring row above them follows one measure per level on its own scale, with the dates where it changed level; tick its boxes for a 95% interval and for its range over 48 definitions.`,
        finding,
        header,
        variants: [{ rolling: 'off' }, { ci: 'on' }],
        cards: (s) =>
            LEVELS.map((level) => ({ id: 'monitor-' + level, title: `${MEASURES[measureOf(s)].label}: ${Omen.plural(level)}`, name: 'concentration', params: monitorParams(s, level), layers: layers(s, level), draw: drawMonitor(level, s) })).concat(
                LEVELS.map((level) => ({ id: 'segments-' + level, title: 'Rank segments: ' + Omen.plural(level), name: 'concentration', params: params(s, level), draw: drawSegments(level) })).concat(
                LEVELS.map((level) => ({ id: 'indices-' + level, title: 'HHI, Gini, top-1: ' + Omen.plural(level), name: 'concentration', params: params(s, level), draw: drawIndices }))
            )),
    });
})();
