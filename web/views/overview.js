/* overview.js: the Overview view, the paper's Figure 1: a world map of country shares with the
 * top 12 nations named, and leaderboards of countries, developers and models, All-time or Last
 * year (Rolling Window Filter and the other filters from the controls). */
(function () {
    'use strict';
    const { el, fmt } = Omen;
    const ATLAS = '/vendor/world-atlas/countries-50m.json';
    const CODES = '/vendor/i18n-iso-countries/codes.json';

    /* Figure 1's symbols, as glyphs every font has (the paper uses emoji). */
    const AFFIL = {
        ONLINE: ['⊕', 'online organisation'],
        INTL: ['⊕', 'international organisation'],
        USER: ['☺', 'unaffiliated user'],
    };
    const TYPES = [
        [/embed|classif|feature|sentence|similarity/i, '✦', 'embedding or classification model'],
        [/video/i, '▶', 'video generation'],
        [/speech|audio|voice/i, '♪', 'speech generation'],
        [/image|vision|diffusion/i, '▣', 'image generation'],
        [/text|language|chat/i, '¶', 'text generation'],
    ];
    const TYPE_COLUMNS = ['model_type', 'type', 'modality', 'output_modality', 'pipeline_tag', 'pipeline'];

    function params(s, extra) {
        return Object.assign({}, extra, { period: s.period }, Omen.filterParams(s));
    }

    function sym(glyph, title) {
        return el('span', { class: 'sym', title, 'aria-label': title }, glyph);
    }

    function affilSymbol(code) {
        return AFFIL[code] ? sym(AFFIL[code][0], AFFIL[code][1]) : null;
    }

    function typeSymbol(row) {
        for (const c of TYPE_COLUMNS) {
            const v = row[c];
            if (!v) continue;
            const t = TYPES.find(([re]) => re.test(v));
            if (t) return sym(t[1], t[2] + ' (' + v + ')');
        }
        return null;
    }

    function countryLabel(code, name) {
        if (code === 'USER') return 'Unaffiliated users';
        if (code === 'ONLINE') return 'Online organisations';
        if (code === 'INTL') return 'International organisations';
        return name || code;
    }

    /* A leaderboard table: rank, name with symbols, share with a bar, downloads. */
    function table(rows, kind) {
        const max = d3.max(rows, (r) => r.share) || 1;
        const body = rows.map((r) => {
            const name =
                kind === 'country'
                    ? [affilSymbol(r.country), countryLabel(r.country, r.name)]
                    : [typeSymbol(r), affilSymbol(r.country), r.entity, r.country && !AFFIL[r.country] ? el('span', { class: 'cc' }, r.country) : null];
            return el(
                'tr',
                {},
                el('td', { class: 'num' }, r.rank),
                el('td', { class: 'name', title: (kind === 'country' ? countryLabel(r.country, r.name) : r.entity) + (r.org_type ? ' · ' + r.org_type : '') }, name),
                el('td', { class: 'num' }, el('span', { class: 'bar', style: `width:${Math.round((60 * r.share) / max)}px` }), fmt.pct(r.share)),
                el('td', { class: 'num', title: fmt.num(r.downloads) + ' downloads' }, fmt.si(r.downloads))
            );
        });
        return el(
            'table',
            { class: 'lb' },
            el('thead', {}, el('tr', {}, el('th', { class: 'num' }, '#'), el('th', {}, kind === 'country' ? 'Country' : kind === 'model' ? 'Model' : 'Developer'), el('th', { class: 'num' }, 'Share'), el('th', { class: 'num' }, 'Downloads'))),
            el('tbody', {}, body)
        );
    }

    /* The largest polygon of a (multi)polygon feature: labels and tips sit on the mainland. */
    function mainland(f) {
        if (!f.geometry || f.geometry.type !== 'MultiPolygon') return f;
        let best = null;
        let area = -1;
        for (const coords of f.geometry.coordinates) {
            const g = { type: 'Polygon', coordinates: coords };
            const a = d3.geoArea(g);
            if (a > area) {
                area = a;
                best = g;
            }
        }
        return { type: 'Feature', id: f.id, properties: f.properties, geometry: best };
    }

    const shortName = (r) => (r.name || r.country).replace(/ \(.*\)$/, '').replace(/^United States of America$/, 'United States');

    async function drawMap(data, body) {
        const [world, codes] = await Promise.all([Omen.load(ATLAS), Omen.load(CODES)]);
        const a2 = new Map(codes.map((c) => [c[2], c[0]]));
        const byCode = new Map(data.rows.map((r) => [r.country, r]));
        const nations = data.rows.filter((r) => /^[A-Z]{2}$/.test(r.country)).sort((a, b) => b.share - a.share);
        const nationRank = new Map(nations.map((r, i) => [r.country, i + 1]));
        const features = topojson.feature(world, world.objects.countries).features.filter((f) => f.id !== '010');
        const info = (f) => byCode.get(a2.get(f.id));
        const withData = features.filter((f) => info(f) && info(f).share > 0).map((f) => Object.assign(mainland(f), { full: f }));
        const top = withData.filter((f) => nationRank.get(info(f).country) <= 12);
        const tipText = (f) => {
            const r = info(f);
            return `${r.name || r.country}\n#${nationRank.get(r.country)} of nations · ${fmt.pct(r.share)} of downloads\n${fmt.num(r.downloads)} downloads`;
        };
        const named = nations.slice(0, 12).map((r, i) => `${i + 1} ${shortName(r)} ${fmt.pct(r.share)}`);
        const width = Omen.width(body);
        const svg = Omen.plot(body, {
            width,
            height: Math.round(Math.min(width * 0.5, 420)),
            projection: { type: 'equal-earth', domain: { type: 'Sphere' }, inset: 4 },
            caption: 'Top nations: ' + named.join(' · ') + '.',
            color: { type: 'threshold', domain: [0.001, 0.005, 0.01, 0.05, 0.1], scheme: 'blues', legend: true, label: 'Share of downloads', tickFormat: (x) => fmt.pct(x) },
            marks: [
                Plot.sphere({ fill: '#f7fbff', stroke: '#ccd' }),
                Plot.geo(features, { fill: '#e4e7eb', stroke: '#fff', strokeWidth: 0.3 }),
                Plot.geo(
                    withData.map((f) => f.full),
                    { fill: (f) => info(f).share, stroke: '#fff', strokeWidth: 0.3, title: (f) => tipText(f) }
                ),
                Plot.text(
                    top,
                    Plot.centroid({
                        text: (f) => nationRank.get(info(f).country) + (d3.geoArea(f) > 0.02 ? '. ' + shortName(info(f)) : ''),
                        fontSize: 10.5,
                        fontWeight: 700,
                        fill: '#111',
                        stroke: '#fff',
                        strokeWidth: 3,
                        paintOrder: 'stroke',
                    })
                ),
                Plot.tip(withData, Plot.pointer(Plot.centroid({ title: tipText }))),
            ],
        });
        const off = [
            ['USER', '☺ unaffiliated users'],
            ['ONLINE', '⊕ online organisations'],
            ['INTL', '⊕ international organisations'],
        ]
            .filter(([c]) => byCode.has(c))
            .map(([c, label]) => `${label} ${fmt.pct(byCode.get(c).share)}`);
        if (off.length) body.appendChild(el('p', { class: 'legend-line' }, 'Not on the map: ' + off.join(' · ') + '.'));
        return svg;
    }

    function drawTable(kind) {
        return (data, body) => {
            let rows = data.rows;
            if (kind === 'country') rows = rows.slice(0, 10);
            body.appendChild(table(rows, kind));
            const used = [...body.querySelectorAll('.sym')].map((n) => n.textContent + ' ' + n.title.replace(/ \(.*\)$/, ''));
            if (used.length) body.appendChild(el('p', { class: 'legend-line' }, [...new Set(used)].join(' · ')));
        };
    }

    function header(s) {
        const meta = Omen.meta || {};
        const to = s.to || meta.last_week;
        let span = '';
        if (to) {
            const t = new Date(to + 'T00:00:00Z');
            const f = new Date(t.getTime() - 364 * 864e5);
            span = ` (models created and downloaded ${f.toISOString().slice(0, 10)} to ${to})`;
        }
        const tab = (id, label) =>
            el('button', { type: 'button', 'aria-pressed': s.period === id ? 'true' : 'false', 'data-period': id, onclick: () => Omen.setState({ period: id }) }, label);
        return el(
            'div',
            { class: 'viewhead' },
            el('div', { class: 'tabs', role: 'group', 'aria-label': 'Period' }, tab('all', 'All-time'), tab('last-year', 'Last year')),
            el('span', { class: 'note' }, s.period === 'last-year' ? 'Last year' + span : 'All weeks in range')
        );
    }

    Omen.view({
        id: 'overview',
        title: 'Overview',
        controls: ['from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 6,
        assets: [ATLAS, CODES],
        header,
        variants: [{ period: 'last-year' }, { rolling: 'off' }, { period: 'last-year', rolling: 'off' }],
        cards: (s) => [
            { id: 'map', title: 'Top nations by downloads', span: 4, name: 'map', params: params(s), draw: drawMap },
            { id: 'lb-country', title: 'Countries', span: 2, kind: 'table', name: 'map', params: params(s), draw: drawTable('country') },
            { id: 'lb-developer', title: 'Developers', span: 3, kind: 'table', name: 'leaderboard', params: params(s, { level: 'developer', top: 10 }), draw: drawTable('developer') },
            { id: 'lb-model', title: 'Models', span: 3, kind: 'table', name: 'leaderboard', params: params(s, { level: 'model', top: 10 }), draw: drawTable('model') },
        ],
    });
})();
