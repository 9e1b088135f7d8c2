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

    /* Table 1's default rule: with download counts in the hundreds of millions every shift has
     * p < 1e-300, so significance alone keeps every row. Cramér's V does not grow with the
     * count: rows with V >= V_MIN are the shifts a reader can see (V = 0.05 is, for example, an
     * incidence going from 10% to 14%). */
    const V_MIN = 0.05;
    /* Rows the API adds beside the labels they merge (docs/methodology.md "Model characteristics"):
     * a model carrying any part counts once in the combined row and also in each part's row. */
    const COMBINED = {
        'Transformer: Speech': 'Transformer: Speech Encoder-only, Decoder-only and Encoder-Decoder',
        'VAE / GAN': 'Variational Autoencoder and Generative Adversarial Network (GAN)',
        'LSTM / GRU': 'LSTM and GRU',
        'Disclosed & Unavailable': 'Disclosed: unavailable and Partially disclosed: unavailable',
    };
    const GROUPS = ['Organizations', 'Model Access', 'Model Modality', 'Model Attributes', 'Model Size'];

    function sizeParams(s) {
        /* the same sample as Table 1 (the attributes' default, head) and the same cuts */
        return Object.assign({ by: 'download-segment', sample: 'head' }, Omen.filterParams(s));
    }

    function rowRule(s, alpha) {
        if (s.rows === 'all') return 'all tested rows';
        if (s.rows === 'significant') return `rows with p < ${alpha}`;
        return `rows with p < ${alpha} and Cramér's V ≥ ${V_MIN}`;
    }

    async function drawTable(data, body, s) {
        if (!(await annotated(s))) body.appendChild(el('div', { class: 'notice info annotations-missing', role: 'status' }, NO_ANNOTATIONS));
        const segs = data.columns.map((c) => c.name).filter((n) => n.startsWith('seg_'));
        const alpha = (data.meta && data.meta.alpha) || 0.001;
        const keep = (r) => r.value !== '(none)' && (s.rows === 'all' || (r.significant && (s.rows === 'significant' || (r.cramers_v != null && r.cramers_v >= V_MIN))));
        /* "(none)" (no label of the field) would repeat in every field: its share is said once,
         * next to the field's name */
        const none = new Map(data.rows.filter((r) => r.value === '(none)').map((r) => [r.group + '\t' + r.field, r]));
        const shown = data.rows.filter(keep);
        const head = el(
            'tr',
            {},
            el('th', {}, 'Characteristic'),
            el('th', {}, 'Value'),
            segs.map((c) => el('th', { class: 'num', title: 'Incidence: share of downloads in ' + segLabel(c) + ' to models with this value' }, segLabel(c))),
            el('th', { class: 'num', title: 'Incidence after the last cut over incidence before it' }, 'Δ'),
            el('th', { class: 'num', title: "Cramér's V: the size of the shift, whatever the number of downloads" }, 'V'),
            el('th', { class: 'num' }, 'χ²'),
            el('th', { class: 'num' }, 'p')
        );
        const titles = new Map(((Omen.meta && Omen.meta.fields) || []).filter((f) => f && f.name).map((f) => [f.name, f.title]));
        titles.set('org_type', 'Organisation type');
        titles.set('modality', 'Modality group');
        const order = [];
        for (const r of data.rows) if (!order.includes(r.group + '\t' + r.field)) order.push(r.group + '\t' + r.field);
        const gi = (g) => (GROUPS.indexOf(g) < 0 ? GROUPS.length : GROUPS.indexOf(g));
        /* grouped as the paper groups them, each field in the API's order (largest Δ first) */
        const sorted = shown.slice().sort((a, b) => gi(a.group) - gi(b.group) || order.indexOf(a.group + '\t' + a.field) - order.indexOf(b.group + '\t' + b.field));
        const ncol = 2 + segs.length + 4;
        const rows = [];
        let lastGroup = null;
        let lastField = null;
        for (const r of sorted) {
            if (r.group !== lastGroup) rows.push(el('tr', { class: 'group' }, el('th', { colspan: ncol, scope: 'rowgroup' }, r.group)));
            lastGroup = r.group;
            const f = r.group + '\t' + r.field;
            let fieldCell = '';
            if (f !== lastField) {
                const n = none.get(f);
                fieldCell = [titles.get(r.field) || r.field, n ? el('span', { class: 'unl', title: 'Share of downloads to models with no label of this field, in the last segment' }, ' unlabelled ' + fmt.pct(n[segs[segs.length - 1]])) : null];
            }
            lastField = f;
            const combined = COMBINED[r.value];
            rows.push(
                el(
                    'tr',
                    {},
                    el('td', { class: 'field' }, fieldCell),
                    el('td', { class: 'name', title: combined ? 'Combined row: ' + combined + '; they also have their own rows' : r.value }, r.value, combined ? el('sup', { class: 'comb' }, 'Σ') : null),
                    segs.map((c) => el('td', { class: 'num' }, fmt.pct(r[c]))),
                    el('td', { class: 'num' }, r.delta == null ? '' : '×' + fmt.dec(r.delta, 2)),
                    el('td', { class: 'num' }, fmt.dec(r.cramers_v, 3)),
                    el('td', { class: 'num' }, r.chi2 == null ? '' : fmt.si(r.chi2)),
                    el('td', { class: 'num' }, pval(r.p_value))
                )
            );
        }
        /* Table 1's model size rows: download-weighted mean and median parameters per segment */
        let sizes = null;
        try {
            sizes = await Omen.api('sizes', sizeParams(s));
        } catch (e) {
            sizes = null;
        }
        if (sizes && sizes.rows && sizes.rows.length) {
            const by = new Map(sizes.rows.map((r) => ['seg_' + r.segment, r]));
            const size = (x) => (x == null ? '' : d3.format('.3~s')(x).replace('G', 'B'));
            rows.push(el('tr', { class: 'group' }, el('th', { colspan: ncol, scope: 'rowgroup' }, 'Model Size')));
            for (const [k, label] of [
                ['mean', 'Mean parameters'],
                ['median', 'Median parameters'],
            ]) {
                const first = by.get(segs[0]);
                const lastR = by.get(segs[segs.length - 1]);
                rows.push(
                    el(
                        'tr',
                        { class: 'size-row', 'data-stat': k },
                        el('td', { class: 'field' }, k === 'mean' ? 'Parameters (download-weighted)' : ''),
                        el('td', { class: 'name' }, label),
                        segs.map((c) => el('td', { class: 'num', 'data-seg': c }, by.has(c) ? size(by.get(c)[k]) : '')),
                        el('td', { class: 'num', title: 'last segment over first' }, first && lastR && first[k] ? '×' + fmt.dec(lastR[k] / first[k], 1) : ''),
                        el('td', {}, ''),
                        el('td', {}, ''),
                        el('td', {}, '')
                    )
                );
            }
        }
        const tested = (data.meta && data.meta.rows_tested) || data.rows.length;
        body.appendChild(
            el(
                'p',
                { class: 'rule' },
                `Showing ${shown.length} of ${tested} rows: ${rowRule(s, alpha)}; "(none)" rows as "unlabelled" beside their field. `,
                s.rows === 'effect' ? `With download counts this large every shift is significant (${data.rows.filter((r) => r.significant).length} of ${tested} have p < ${alpha}); Cramér's V says which are large. ` : '',
                'A model counts in every value it carries, so a field can sum above 100%; Σ marks combined rows, whose parts also have rows.'
            )
        );
        if (!shown.length) body.appendChild(el('div', { class: 'notice info' }, 'No row passes ' + rowRule(s, alpha) + ' with these filters.'));
        body.appendChild(el('div', { class: 'table-scroll t1wrap' }, el('table', { class: 'lb t1' }, el('thead', {}, head), el('tbody', {}, rows))));
    }

    async function drawTrends(data, body, s) {
        if (ANNOTATED.includes(field(s)) && !(await annotated(s))) {
            body.appendChild(el('div', { class: 'notice info annotations-missing', role: 'status' }, 'No annotations in this store: run `omen annotate --heuristic`.'));
            return null;
        }
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
    async function drawModalities(data, body, s) {
        if (!(await annotated(s))) {
            body.appendChild(el('div', { class: 'notice info annotations-missing', role: 'status' }, 'No modality labels in this store: run `omen annotate --heuristic`.'));
            return null;
        }
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
            x: { label: null, ticks: Omen.width(body) < 600 ? 2 : 4 },
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
        const select = el(
            'select',
            { id: 'ctl-field', onchange: (e) => Omen.setState({ field: e.target.value === DEFAULT_FIELD ? '' : e.target.value }) },
            fields.map((f) => el('option', { value: f, disabled: f !== field(s) && !Omen.offers({ field: f === DEFAULT_FIELD ? '' : f }) }, f))
        );
        select.value = field(s);
        const rowsSel = el(
            'select',
            { id: 'ctl-rows', onchange: (e) => Omen.setState({ rows: e.target.value }) },
            el('option', { value: 'effect' }, `p < 0.001 and Cramér's V ≥ ${V_MIN}`),
            el('option', { value: 'significant' }, 'p < 0.001 (all significant)'),
            el('option', { value: 'all' }, 'all tested rows')
        );
        rowsSel.value = s.rows;
        for (const o of rowsSel.options) o.disabled = o.value !== s.rows && !Omen.offers({ rows: o.value });
        return el(
            'div',
            { class: 'viewhead controls-inline' },
            el('label', { class: 'ctl', for: 'ctl-field' }, el('span', {}, 'Trend field'), select),
            el('label', { class: 'ctl', for: 'ctl-rows' }, el('span', {}, 'Table 1 rows'), rowsSel)
        );
    }

    /* Fields that come from annotations (human or `omen annotate --heuristic`); org_type,
     * license_class and the modality groups' "Undocumented" do not need any. */
    const ANNOTATED = ['gating', 'input_modality', 'output_modality', 'languages', 'derivation', 'architecture', 'training_methods', 'training_data'];

    /* Does the store carry any annotation? Every annotated field of Table 1 (all rows) being
     * "(none)" says it does not. */
    async function annotated(s) {
        const d = await Omen.load(Omen.requestKey('attributes', Object.assign({ all: '' }, Omen.filterParams(s))));
        return d.rows.some((r) => ANNOTATED.includes(r.field) && r.value !== '(none)');
    }

    const NO_ANNOTATIONS =
        'This store has no annotations: no model carries a label of architecture, modality, training, languages, access or derivation, so these charts would be empty. Run `omen annotate --heuristic` to label models from their Hub metadata (or `omen ingest annotations FILE` for human labels), then reload. Organisation types and licence classes need no annotations.';

    /* "The largest shift (Cramér's V 0.19): Quantization (Training Methods) went from 1.2% of
     * downloads in 2023 to 12.2% in ≥2025 (×5.34)." */
    async function finding(s) {
        if (!(await annotated(s))) return NO_ANNOTATIONS;
        const d = await Omen.load(Omen.requestKey('attributes', tableParams(s)));
        const segs = d.columns.map((c) => c.name).filter((n) => n.startsWith('seg_'));
        const rows = d.rows.filter((r) => r.value !== '(none)' && r.cramers_v != null && r.significant);
        if (!rows.length || !segs.length) return null;
        const top = rows.sort((a, b) => b.cramers_v - a.cramers_v)[0];
        const [a, b] = [segs[0], segs[segs.length - 1]];
        return `The largest shift in Table 1 (Cramér's V ${fmt.dec(top.cramers_v, 2)}): ${top.value} (${top.field}) went from ${fmt.pct(top[a])} of downloads in ${segLabel(a)} to ${fmt.pct(top[b])} in ${segLabel(b)} (Δ ×${fmt.dec(top.delta, 2)} against all years before).`;
    }

    Omen.view({
        id: 'characteristics',
        finding,
        title: 'Characteristics',
        controls: ['window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 1,
        header,
        intro: () => 'Table 1 of the paper: the share of downloads going to models with each characteristic per period (incidence), its change Δ and a chi-squared test of the shift (Head Sample by default).',
        variants: [{ rows: 'all' }],
        cards: (s) => [
            { id: 'table1', title: 'Table 1: characteristics by period', kind: 'table', name: 'attributes', params: tableParams(s), also: [{ name: 'sizes', params: sizeParams(s) }, { name: 'attributes', params: Object.assign({ all: '' }, Omen.filterParams(s)) }], draw: drawTable },
            { id: 'trends', title: 'Trend of ' + field(s), name: 'trends', params: trendParams(s), draw: drawTrends },
            { id: 'modalities', title: 'Input and output modalities', name: 'modalities', params: Object.assign({ window: s.window }, Omen.filterParams(s)), draw: drawModalities },
        ],
    });
})();
