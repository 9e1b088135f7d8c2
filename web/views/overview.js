/* overview.js: the Overview view, the paper's Figure 1: a world map of country shares with the
 * top 12 nations named, and leaderboards of countries, developers and models, All-time or Last
 * year (Rolling Window Filter and the other filters from the controls). */
(function () {
    'use strict';
    const { el, fmt } = Omen;
    const ATLAS = '/vendor/world-atlas/countries-50m.json';
    const CODES = '/vendor/i18n-iso-countries/codes.json';

    /* Figure 1's symbols, as glyphs every font has (the paper uses emoji): one per kind, as the
     * paper has (online and international organisations are different things). */
    const AFFIL = {
        ONLINE: ['@', 'online organisation'],
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

    /* Places the map's rank labels so that no two overlap: each label (in rank order) stays on
     * its country's centroid if it is free there, else moves to the nearest free spot on rings
     * around it, with a leader line back to a dot on the centroid. Works on the drawn SVG, so
     * the SVG download has the same labels. */
    function placeLabels(svg, countries) {
        const texts = [...svg.querySelectorAll('g[aria-label=text] text')];
        const W = +svg.getAttribute('width');
        const H = +svg.getAttribute('height');
        const placed = [];
        const hit = (b) => placed.some((p) => b.x < p.x + p.w + 2 && p.x < b.x + b.w + 2 && b.y < p.y + p.h + 1 && p.y < b.y + b.h + 1);
        const layer = svg.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'g');
        layer.setAttribute('aria-label', 'leader lines');
        svg.insertBefore(layer, texts.length ? texts[0].parentNode : null);
        texts.forEach((t, i) => {
            t.setAttribute('data-country', countries[i]);
            const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(t.getAttribute('transform') || '');
            const ax = m ? +m[1] : +t.getAttribute('x');
            const ay = m ? +m[2] : +t.getAttribute('y');
            const bb = t.getBBox();
            const w = bb.width || t.textContent.length * 6.5;
            const h = bb.height || 13;
            const box = (x, y) => ({ x: x - w / 2, y: y - h / 2, w, h });
            let best = null;
            for (const r of [0, 14, 22, 32, 44, 58, 74, 92]) {
                const steps = r ? 16 : 1;
                for (let k = 0; k < steps && !best; k++) {
                    const a = (2 * Math.PI * k) / steps;
                    const x = ax + r * Math.cos(a) * 1.6;
                    const y = ay + r * Math.sin(a);
                    const b = box(x, y);
                    if (b.x >= 0 && b.x + b.w <= W && b.y >= 0 && b.y + b.h <= H && !hit(b)) best = [x, y, b];
                }
                if (best) break;
            }
            if (!best) best = [ax, ay, box(ax, ay)];
            placed.push(best[2]);
            if (best[0] !== ax || best[1] !== ay) {
                t.setAttribute('transform', `translate(${best[0]},${best[1]})`);
                if (!m) {
                    t.removeAttribute('x');
                    t.removeAttribute('y');
                }
                const NS = 'http://www.w3.org/2000/svg';
                /* the line ends at the label box's edge, towards the centroid */
                const dx = ax - best[0];
                const dy = ay - best[1];
                const f = Math.min(Math.abs(dx) > 0 ? w / 2 / Math.abs(dx) : Infinity, Math.abs(dy) > 0 ? h / 2 / Math.abs(dy) : Infinity, 1);
                const line = svg.ownerDocument.createElementNS(NS, 'line');
                for (const [k, v] of Object.entries({ x1: ax, y1: ay, x2: best[0] + dx * f, y2: best[1] + dy * f, stroke: '#333', 'stroke-width': 0.8 })) line.setAttribute(k, v);
                const dot = svg.ownerDocument.createElementNS(NS, 'circle');
                for (const [k, v] of Object.entries({ cx: ax, cy: ay, r: 1.8, fill: '#111' })) dot.setAttribute(k, v);
                layer.append(line, dot);
            }
        });
    }

    /* One ranking for the map and the Countries table: the API's, over every country and the
     * pseudo-countries of unaffiliated users and online and international organisations (which
     * are not on the map). The map numbers the 12 best-ranked nations with that rank. */
    async function drawMap(data, body) {
        const [world, codes] = await Promise.all([Omen.load(ATLAS), Omen.load(CODES)]);
        const a2 = new Map(codes.map((c) => [c[2], c[0]]));
        const byCode = new Map(data.rows.map((r) => [r.country, r]));
        const nations = data.rows.filter((r) => /^[A-Z]{2}$/.test(r.country)).sort((a, b) => a.rank - b.rank);
        const labelled = new Set(nations.slice(0, 12).map((r) => r.country));
        const features = topojson.feature(world, world.objects.countries).features.filter((f) => f.id !== '010');
        const info = (f) => byCode.get(a2.get(f.id));
        const withData = features.filter((f) => info(f) && info(f).share > 0).map((f) => Object.assign(mainland(f), { full: f }));
        const top = withData.filter((f) => labelled.has(info(f).country)).sort((a, b) => info(a).rank - info(b).rank);
        const tipText = (f) => {
            const r = info(f);
            return `${r.name || r.country}\n#${r.rank} · ${fmt.pct(r.share)} of downloads\n${fmt.num(r.downloads)} downloads`;
        };
        /* the numbered list: every rank down to the 12th nation, pseudo-countries included */
        const lastRank = nations.length ? nations[Math.min(11, nations.length - 1)].rank : 0;
        const listed = data.rows.filter((r) => r.rank <= lastRank).map((r) => `${r.rank} ${AFFIL[r.country] ? AFFIL[r.country][0] + ' ' + countryLabel(r.country) + ' (not on the map)' : shortName(r)} ${fmt.pct(r.share)}`);
        const width = Omen.width(body);
        const svg = Omen.plot(body, {
            width,
            height: Math.round(Math.min(width * 0.5, 420)),
            projection: { type: 'equal-earth', domain: { type: 'Sphere' }, inset: 4 },
            caption: 'Ranks as in the Countries table (all countries and pseudo-countries): ' + listed.join(' · ') + '.',
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
                        text: (f) => info(f).rank + (d3.geoArea(f) > 0.02 && width > 600 ? '. ' + shortName(info(f)) : ''),
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
        placeLabels(svg, top.map((f) => info(f).country));
        const off = data.rows.filter((r) => AFFIL[r.country] && r.rank > lastRank).map((r) => `#${r.rank} ${AFFIL[r.country][0]} ${countryLabel(r.country)} ${fmt.pct(r.share)}`);
        if (off.length) body.appendChild(el('p', { class: 'legend-line' }, 'Also not on the map: ' + off.join(' · ') + '.'));
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
            el('button', { type: 'button', 'aria-pressed': s.period === id ? 'true' : 'false', 'data-period': id, disabled: !Omen.offers({ period: id }), title: Omen.offers({ period: id }) ? undefined : 'Not in this snapshot', onclick: () => Omen.setState({ period: id }) }, label);
        return el(
            'div',
            { class: 'viewhead' },
            el('div', { class: 'tabs', role: 'group', 'aria-label': 'Period' }, tab('all', 'All-time'), tab('last-year', 'Last year')),
            el('span', { class: 'note' }, s.period === 'last-year' ? 'Last year' + span : 'All weeks in range')
        );
    }

    /* "Over all weeks in range, unaffiliated users drew the most downloads (34.8%); the United
     * States led the nations with 28.2% (#2); the top 10 developers held 61%, X alone 7%." */
    async function finding(s) {
        const [map, dev] = await Promise.all([Omen.load(Omen.requestKey('map', params(s))), Omen.load(Omen.requestKey('leaderboard', params(s, { level: 'developer', top: 10 })))]);
        if (!map.rows.length || !dev.rows.length) return null;
        const when = s.period === 'last-year' ? 'In the last year' : 'Over all weeks in range';
        const first = map.rows[0];
        const nation = map.rows.find((r) => /^[A-Z]{2}$/.test(r.country));
        const top10 = d3.sum(dev.rows.slice(0, 10), (r) => r.share);
        let t = `${when}, ${AFFIL[first.country] ? countryLabel(first.country).toLowerCase() : shortName(first)} drew the most downloads (${fmt.pct(first.share)})`;
        if (nation && nation !== first) t += `; ${shortName(nation)} led the nations with ${fmt.pct(nation.share)} (#${nation.rank})`;
        return t + `; the top 10 developers held ${fmt.pct(top10)}, ${dev.rows[0].entity} alone ${fmt.pct(dev.rows[0].share)}.`;
    }

    Omen.view({
        id: 'overview',
        finding,
        title: 'Overview',
        controls: ['from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 6,
        assets: [ATLAS, CODES],
        header,
        variants: [{ period: 'last-year' }, { rolling: 'off' }, { period: 'last-year', rolling: 'off' }],
        cards: (s) => [
            { id: 'map', title: 'Top nations by downloads', note: 'Numbers are ranks among all countries and the pseudo-countries (☺ unaffiliated users, @ online and ⊕ international organisations), as in the Countries table.', span: 4, name: 'map', params: params(s), draw: drawMap },
            { id: 'lb-country', title: 'Countries', note: 'Ranked with the pseudo-countries, as on the map.', span: 2, kind: 'table', name: 'map', params: params(s), draw: drawTable('country') },
            { id: 'lb-developer', title: 'Developers', span: 3, kind: 'table', name: 'leaderboard', params: params(s, { level: 'developer', top: 10 }), draw: drawTable('developer') },
            { id: 'lb-model', title: 'Models', span: 3, kind: 'table', name: 'leaderboard', params: params(s, { level: 'model', top: 10 }), draw: drawTable('model') },
        ],
    });
})();
