/* characteristics.js: the Characteristics view: the paper's Table 1 (incidence of each model
 * attribute per time segment, its change and a chi-squared test) and the trend of one field's
 * values per period (Figures 7 and 8). */
(function () {
    'use strict';
    const { el, fmt } = Omen;
    const FIELDS = ['output_modality', 'input_modality', 'architecture', 'training_methods', 'training_data', 'license_class', 'gating', 'derivation', 'languages', 'org_type', 'modality'];
    const DEFAULT_FIELD = 'output_modality';

    const field = (s) => s.field || DEFAULT_FIELD;

    function tableParams(s) {
        return Object.assign(s.rows === 'all' ? { all: '' } : {}, Omen.filterParams(s));
    }

    function trendParams(s) {
        return Object.assign({ field: field(s), window: s.window }, Omen.filterParams(s));
    }

    function pval(p) {
        if (p == null) return '';
        if (p === 0) return '< 1e-300';
        return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
    }

    /* "seg_le2022" -> "≤2022", "seg_ge2025" -> "≥2025", "seg_2023_2024" -> "2023–2024" */
    function segLabel(c) {
        return c.slice(4).replace(/^le/, '≤').replace(/^ge/, '≥').replace('_', '–');
    }

    function drawTable(data, body) {
        const segs = data.columns.map((c) => c.name).filter((n) => n.startsWith('seg_'));
        const head = el(
            'tr',
            {},
            el('th', {}, 'Characteristic'),
            el('th', {}, 'Value'),
            segs.map((c) => el('th', { class: 'num', title: 'Incidence: share of downloads in ' + segLabel(c) + ' to models with this value' }, segLabel(c))),
            el('th', { class: 'num', title: 'Incidence after the last cut over incidence before it' }, 'Δ'),
            el('th', { class: 'num' }, 'χ²'),
            el('th', { class: 'num' }, 'p'),
            el('th', { class: 'num', title: "Cramér's V" }, 'V'),
            el('th', { class: 'num', title: 'p below alpha (meta)' }, 'Sig.')
        );
        const titles = new Map(((Omen.meta && Omen.meta.fields) || []).filter((f) => f && f.name).map((f) => [f.name, f.title]));
        const order = [];
        for (const r of data.rows) if (!order.includes(r.group + '\t' + r.field)) order.push(r.group + '\t' + r.field);
        /* grouped by characteristic as in the paper, each group in the API's order */
        const sorted = data.rows.slice().sort((a, b) => order.indexOf(a.group + '\t' + a.field) - order.indexOf(b.group + '\t' + b.field));
        let last = null;
        const rows = sorted.map((r) => {
            const f = (r.group ? r.group + ' · ' : '') + (titles.get(r.field) || r.field);
            const show = f !== last;
            last = f;
            return el(
                'tr',
                { class: r.significant ? 'sig' : '' },
                el('td', { class: 'field' }, show ? f : ''),
                el('td', { class: 'name', title: r.value }, r.value),
                segs.map((c) => el('td', { class: 'num' }, fmt.pct(r[c]))),
                el('td', { class: 'num' }, r.delta == null ? '' : '×' + fmt.dec(r.delta, 2)),
                el('td', { class: 'num' }, r.chi2 == null ? '' : fmt.si(r.chi2)),
                el('td', { class: 'num' }, pval(r.p_value)),
                el('td', { class: 'num' }, fmt.dec(r.cramers_v, 3)),
                el('td', { class: 'num' }, r.significant ? el('span', { title: 'significant' }, '✓') : '')
            );
        });
        if (!rows.length) body.appendChild(el('div', { class: 'notice info' }, 'No row passes the significance threshold with these filters.'));
        else body.appendChild(el('div', { class: 'table-scroll' }, el('table', { class: 'lb' }, el('thead', {}, head), el('tbody', {}, rows))));
    }

    function drawTrends(data, body, s) {
        const totals = d3.rollup(data.rows, (v) => d3.mean(v, (r) => r.share), (r) => r.value);
        const values = [...totals].sort((a, b) => b[1] - a[1]).slice(0, 8).map((d) => d[0]);
        const keep = new Set(values);
        const rows = Omen.closeSteps(
            data.rows.filter((r) => keep.has(r.value)).map((r) => ({ date: fmt.date(r.period_start), end: r.period_end, value: r.value, share: r.share, period: Omen.periodText(r) })),
            'value'
        );
        if (!rows.length) {
            body.appendChild(el('div', { class: 'notice info' }, 'No labelled downloads for ' + field(s) + ' with these filters.'));
            return null;
        }
        return Omen.plot(body, {
            height: 300,
            marginLeft: 44,
            y: { label: 'Share of downloads (' + field(s) + ')', tickFormat: '.0%', grid: true, zero: true },
            x: { label: null },
            color: { domain: values, range: Omen.palette, legend: true },
            marks: [
                Plot.lineY(rows, { x: 'date', y: 'share', stroke: 'value', strokeWidth: 1.8, curve: 'step-after' }),
                Plot.tip(rows, Plot.pointerX({ x: 'date', y: 'share', stroke: 'value', channels: { period: 'period' }, format: { y: '.1%', x: false, stroke: true } })),
                Plot.ruleY([0]),
            ],
        });
    }

    /* Figure 6: stacked shares of input and of output modalities (label combinations), the 4
     * largest values of each side named and the others in grey. */
    function drawModalities(data, body) {
        const OTHERS = 'Other or unlabelled';
        const rows = [];
        const domains = [];
        for (const [side, rs] of d3.group(data.rows, (r) => r.side)) {
            const totals = [...d3.rollup(rs, (v) => d3.sum(v, (r) => r.downloads), (r) => r.value)].sort((a, b) => b[1] - a[1]);
            /* 4 a side: the two sides share the 8 colours */
            const keep = new Set(totals.filter((d) => d[0] !== '(none)').slice(0, 4).map((d) => d[0]));
            for (const v of keep) if (!domains.includes(v)) domains.push(v);
            for (const [start, ps] of d3.group(rs, (r) => r.period_start)) {
                const by = new Map([...keep].map((v) => [v, 0]));
                let other = 0;
                for (const r of ps) keep.has(r.value) ? by.set(r.value, r.share) : (other += r.share);
                const period = Omen.periodText(ps[0]);
                const end = ps[0].period_end;
                for (const [v, sh] of by) rows.push({ side, date: fmt.date(start), end, value: v, share: sh, period });
                rows.push({ side, date: fmt.date(start), end, value: OTHERS, share: other, period });
            }
        }
        const closed = Omen.closeSteps(rows.map((r) => Object.assign(r, { z: r.side + '\t' + r.value })), 'z');
        const domain = domains.slice(0, 8).concat([OTHERS]);
        const range = domain.map((v, i) => (v === OTHERS ? Omen.restColor : Omen.palette[i % Omen.palette.length]));
        return Omen.plot(body, {
            height: 300,
            marginLeft: 44,
            fx: { label: null, tickFormat: (side) => side + ' modality' },
            y: { label: 'Share of downloads', tickFormat: '.0%', domain: [0, 1], grid: true },
            x: { label: null, ticks: 4 },
            color: { domain, range, legend: true },
            marks: [
                Plot.areaY(closed.filter((r) => domain.includes(r.value)), { fx: 'side', x: 'date', y: 'share', fill: 'value', order: domain, curve: 'step-after', tip: { format: { y: '.1%', x: false, fx: false, fill: true } }, channels: { period: 'period' } }),
                Plot.ruleY([0]),
            ],
        });
    }

    function header(s) {
        const fields = (Omen.meta && Array.isArray(Omen.meta.fields) && Omen.meta.fields.length ? Omen.meta.fields.map((f) => (typeof f === 'string' ? f : f.name)) : FIELDS).slice();
        for (const f of ['org_type', 'modality']) if (!fields.includes(f)) fields.push(f);
        if (!fields.includes(field(s))) fields.push(field(s));
        const select = el('select', { id: 'ctl-field', onchange: (e) => Omen.setState({ field: e.target.value === DEFAULT_FIELD ? '' : e.target.value }) }, fields.map((f) => el('option', { value: f }, f)));
        select.value = field(s);
        const all = el('input', { type: 'checkbox', id: 'ctl-rows', onchange: (e) => Omen.setState({ rows: e.target.checked ? 'all' : 'significant' }) });
        all.checked = s.rows === 'all';
        return el(
            'div',
            { class: 'viewhead controls-inline' },
            el('label', { class: 'ctl', for: 'ctl-field' }, el('span', {}, 'Trend field'), select),
            el('label', { class: 'ctl ctl-check', for: 'ctl-rows' }, all, el('span', {}, 'Table 1: also rows that are not significant'))
        );
    }

    Omen.view({
        id: 'characteristics',
        title: 'Characteristics',
        controls: ['window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 1,
        header,
        intro: () => 'Table 1 of the paper: the share of downloads going to models with each characteristic per period (incidence), its change Δ and a chi-squared test of the shift (Head Sample by default).',
        variants: [{ rows: 'all' }],
        cards: (s) => [
            { id: 'table1', title: 'Table 1: characteristics by period', kind: 'table', name: 'attributes', params: tableParams(s), draw: drawTable },
            { id: 'trends', title: 'Trend of ' + field(s), name: 'trends', params: trendParams(s), draw: drawTrends },
            { id: 'modalities', title: 'Input and output modalities', name: 'modalities', params: Object.assign({ window: s.window }, Omen.filterParams(s)), draw: drawModalities },
        ],
    });
})();
