/* orgs.js: the Organisations view, the paper's Figure 4: for the top countries, the shares of
 * organisation types (company, university, community, user...) in their downloads, and the
 * shares of organisation types over time. */
(function () {
    'use strict';
    const { fmt } = Omen;
    /* one colour per organisation type in both charts */
    const TYPES = ['company', 'university', 'nonprofit', 'government', 'community', 'user', 'unknown'];
    function typeScale(types) {
        const domain = TYPES.filter((t) => types.includes(t)).concat(types.filter((t) => !TYPES.includes(t)));
        const range = domain.map((t) => (t === '(rest)' ? Omen.restColor : TYPES.includes(t) ? Omen.palette[TYPES.indexOf(t)] : Omen.palette[7]));
        return { domain, range, legend: true };
    }

    function drawCountries(data, body) {
        const types = [...d3.rollup(data.rows, (v) => d3.sum(v, (r) => r.downloads), (r) => r.org_type)].sort((a, b) => b[1] - a[1]).map((d) => d[0]);
        const label = (r) => (r.country === '(rest)' ? 'All other countries' : r.name || r.country);
        const order = [...new Map(data.rows.map((r) => [label(r), r.country_share]))].sort((a, b) => (a[0] === 'All other countries') - (b[0] === 'All other countries') || b[1] - a[1]).map((d) => d[0]);
        const rows = data.rows.map((r) => ({ country: label(r), org_type: r.org_type, share: r.share, downloads: r.downloads, country_share: r.country_share }));
        return Omen.plot(body, {
            height: 26 * order.length + 70,
            marginLeft: 150,
            x: { label: 'Share of the country\'s downloads', tickFormat: '.0%', domain: [0, 1], grid: true },
            y: { label: null, domain: order },
            color: typeScale(types),
            marks: [Plot.barX(rows, { y: 'country', x: 'share', fill: 'org_type', order: types, tip: { format: { x: '.1%', downloads: ',.0f', country_share: '.1%' } }, channels: { downloads: 'downloads', country_share: 'country_share' } }), Plot.ruleX([0])],
        });
    }

    function drawTypes(data, body) {
        const types = [...d3.rollup(data.rows, (v) => d3.sum(v, (r) => r.share), (r) => r.entity)].sort((a, b) => b[1] - a[1]).map((d) => d[0]);
        /* a type absent from a period is 0 there: a stack needs every series at every date */
        const rows = [];
        for (const ps of d3.group(data.rows, (r) => r.period_start).values()) {
            const by = new Map(ps.map((r) => [r.entity, r.share]));
            for (const t of types) rows.push({ date: fmt.date(ps[0].period_start), end: ps[0].period_end, org_type: t, share: by.get(t) || 0, period: Omen.periodText(ps[0]) });
        }
        Omen.closeSteps(rows, 'org_type').slice(rows.length).forEach((r) => rows.push(r));
        return Omen.plot(body, {
            height: 300,
            marginLeft: 44,
            y: { label: 'Share of downloads', tickFormat: '.0%', domain: [0, 1], grid: true },
            x: { label: null },
            color: typeScale(types),
            marks: [Plot.areaY(rows, { x: 'date', y: 'share', fill: 'org_type', order: types, curve: 'step-after', tip: { format: { y: '.1%', x: false } }, channels: { period: 'period' } }), Plot.ruleY([0])],
        });
    }

    /* "In 2025-06 company models drew 37% of downloads (69% in 2020-06); the largest type in
     * the United States is company (52%)." */
    async function finding(s) {
        const t = await Omen.load(Omen.requestKey('shares', { level: 'org_type', window: s.window, top: 10, ...Omen.filterParams(s) }));
        const per = [...d3.group(t.rows, (r) => r.period_start)];
        if (!per.length) return null;
        const [f, l] = [per[0], per[per.length - 1]];
        const lead = l[1].filter((r) => r.entity !== '(rest)').sort((a, b) => b.share - a.share)[0];
        const before = f[1].find((r) => r.entity === lead.entity);
        let text = `In ${Omen.periodName(l[1][0])} ${lead.entity} models drew ${fmt.pct(lead.share)} of downloads, the most of any organisation type (${before ? fmt.pct(before.share) : '0%'} in ${Omen.periodName(f[1][0])})`;
        const c = await Omen.load(Omen.requestKey('orgs', Object.assign({ top: 12 }, Omen.filterParams(s))));
        /* the top nation: unaffiliated users and online or international organisations are no country */
        const first = c.rows.filter((r) => /^[A-Z]{2}$/.test(r.country)).sort((a, b) => b.country_share - a.country_share || b.share - a.share)[0];
        if (first) text += `; in ${first.name || first.country}, the top nation, ${first.org_type} models draw ${fmt.pct(first.share)} of its downloads`;
        return text + '.';
    }

    Omen.view({
        id: 'orgs',
        finding,
        title: 'Organisations',
        controls: ['window', 'from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 1,
        intro: () => 'Who publishes the downloaded models: the organisation types of the top countries\' developers, and each type\'s share of downloads over time.',
        cards: (s) => [
            { id: 'orgs-country', title: 'Organisation types by country', name: 'orgs', params: Object.assign({ top: 12 }, Omen.filterParams(s)), draw: drawCountries },
            { id: 'orgs-time', title: 'Organisation types over time', name: 'shares', params: Object.assign({ level: 'org_type', window: s.window, top: 10 }, Omen.filterParams(s)), draw: drawTypes },
        ],
    });
})();
