/* shares.js: the Market share view, the paper's Figure 2: stacked areas of the download shares
 * of the leading developers and countries per period, everyone else in one grey band. */
(function () {
    'use strict';
    const { fmt } = Omen;
    const SERIES = 8; /* Okabe-Ito has 8 colours; everyone else is "All others" */
    const LIST = 100; /* entities listed per period by the API, so the named ones have their share */

    function params(s, level) {
        return Object.assign({ level, window: s.window, top: LIST }, Omen.filterParams(s));
    }

    const NAMES = '/vendor/i18n-iso-countries/en.json';
    let names = {};

    /* i18n-iso-countries lists variants ("United States of America", "United States", "USA"):
     * a long official name gives way to the shortest spelled-out one ("Congo" would name two
     * countries) */
    function shortest(v, code) {
        if (!Array.isArray(v)) return v;
        if (code === 'CD' || code === 'CG' || v[0].length <= 16) return v[0];
        return v.filter((x) => x.length > 3 && /[a-z]/.test(x)).sort((a, b) => a.length - b.length)[0] || v[0];
    }

    function label(level, e) {
        if (level === 'country') {
            if (e === 'USER') return 'Unaffiliated users';
            if (e === 'ONLINE') return 'Online organisations';
            if (e === 'INTL') return 'International organisations';
            return names[e] ? shortest(names[e], e) : e;
        }
        return e;
    }

    /* The named set is chosen once for the whole range: the SERIES entities with the most
     * downloads summed over the periods. Each keeps its own band in every period with its true
     * share there (the API lists each period's top LIST, so a named entity is almost always
     * listed; where it is not, its share is below that period's smallest listed share and the
     * tip says so). Every other entity and the API's "(rest)" are "All others". */
    const OTHERS = 'All others';
    function bands(data) {
        const totals = d3.rollup(data.rows.filter((r) => r.entity !== '(rest)'), (v) => d3.sum(v, (r) => r.downloads), (r) => r.entity);
        const named = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, SERIES).map((d) => d[0]);
        const keep = new Set(named);
        const long = [];
        for (const [start, rows] of d3.group(data.rows, (r) => r.period_start)) {
            const by = new Map(named.map((e) => [e, null]));
            let others = 0;
            let smallest = Infinity;
            const full = rows.some((r) => r.entity === '(rest)');
            for (const r of rows) {
                if (r.entity !== '(rest)') smallest = Math.min(smallest, r.share);
                if (keep.has(r.entity)) by.set(r.entity, r.share);
                else others += r.share;
            }
            const period = Omen.periodText(rows[0]);
            for (const [e, v] of by) {
                /* not listed: 0 if the period lists every entity, else below its smallest share */
                const below = v === null && full ? ' (below the period\'s top ' + LIST + ': < ' + fmt.pct(smallest) + ')' : '';
                long.push({ date: fmt.date(start), end: rows[0].period_end, key: e, share: v === null ? 0 : v, period: period + below });
            }
            long.push({ date: fmt.date(start), end: rows[0].period_end, key: OTHERS, share: others, period });
        }
        return { named, long: Omen.closeSteps(long, 'key') };
    }
    Omen.shareBands = bands;

    function draw(level) {
        return async (data, body) => {
            if (level === 'country') names = (await Omen.load(NAMES)).countries || {};
            const { named, long } = bands(data);
            for (const r of long) r.entity = r.key === OTHERS ? OTHERS : label(level, r.key);
            const domain = named.map((e) => label(level, e)).concat([OTHERS]);
            return Omen.plot(body, {
                height: 340,
                marginLeft: 44,
                y: { label: 'Share of downloads', domain: [0, 1], tickFormat: '.0%', grid: true },
                x: { label: null },
                color: { domain, range: Omen.palette.slice(0, named.length).concat([Omen.restColor]), legend: true },
                marks: [
                    Plot.areaY(long, { x: 'date', y: 'share', fill: 'entity', order: domain, curve: 'step-after', tip: { format: { y: '.1%', x: false, fill: true } }, channels: { period: 'period' } }),
                    Plot.ruleY([0]),
                ],
            });
        };
    }

    /* "Over the range, kitaimaind drew 6.1% of developer downloads, the most; in 2025-06 the 8
     * developers named here held 38% together (51% in 2020-06)." */
    async function finding(s) {
        const out = [];
        for (const level of ['developer', 'country']) {
            const data = await Omen.load(Omen.requestKey('shares', params(s, level)));
            if (!data.rows.length) continue;
            if (level === 'country') names = (await Omen.load(NAMES)).countries || {};
            const { named } = bands(data);
            const total = d3.sum(data.rows, (r) => r.downloads);
            const lead = d3.sum(data.rows.filter((r) => r.entity === named[0]), (r) => r.downloads);
            const per = [...d3.group(data.rows, (r) => r.period_start)];
            const sumNamed = (rows) => d3.sum(rows.filter((r) => named.includes(r.entity)), (r) => r.share);
            const [f, l] = [per[0], per[per.length - 1]];
            out.push(`${label(level, named[0])} drew the most ${level} downloads over the range (${fmt.pct(lead / total)}); the ${named.length} ${Omen.plural(level)} named here held ${fmt.pct(sumNamed(l[1]))} in ${Omen.periodName(l[1][0])} against ${fmt.pct(sumNamed(f[1]))} in ${Omen.periodName(f[1][0])}`);
        }
        return out.length ? out.join('. ') + '.' : null;
    }

    Omen.view({
        id: 'shares',
        finding,
        title: 'Market share',
        controls: ['window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 1,
        assets: [NAMES],
        intro: (s) => `Download shares per ${s.window} of the ${SERIES} developers and of the ${SERIES} countries with the most downloads over the whole range, each with its own share in every period; everyone else in grey.`,
        variants: [{ rolling: 'off' }],
        cards: (s) => [
            { id: 'shares-developer', title: 'Developers', name: 'shares', params: params(s, 'developer'), draw: draw('developer') },
            { id: 'shares-country', title: 'Countries', name: 'shares', params: params(s, 'country'), draw: draw('country') },
        ],
    });
})();
