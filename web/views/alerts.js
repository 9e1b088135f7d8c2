/* alerts.js: the Alerts view: what `omen alerts` reports week by week (a Merger Guidelines band
 * crossed, a significant HHI rise, a change point confirmed, an overtaking among the leaders, a
 * new entrant to a top 10, a share jump) as a timeline and a list, newest first; each alert
 * links to the dashboard view and setting that shows it (the API's `view` column, a URL hash). */
(function () {
    'use strict';
    const { fmt, el } = Omen;

    /* the kinds in the API's order (docs/methodology.md, "Alerts") */
    const KINDS = [
        ['band_crossed', 'Band crossed'],
        ['hhi_rise', 'HHI rise > 100'],
        ['change_point', 'Change point'],
        ['overtaking', 'Overtaking'],
        ['top10_entry', 'Top-10 entry'],
        ['share_jump', 'Share jump'],
    ];
    const KIND = Object.fromEntries(KINDS);
    const LEVEL_NAME = { developer: 'Developers', country: 'Countries', org_type: 'Organisation types', model: 'Models' };
    const levelName = (l) => LEVEL_NAME[l] || l;
    /* a date before any panel: every week's alerts */
    const ALL = '2000-01-01';

    /* /api/alerts: weekly alerts since the From date (else every week); To replays the panel up
     * to that week. The series always start at the panel's first week, so that the first weeks
     * after From are compared with the weeks before them. */
    function params(s) {
        const p = Omen.filterParams(s);
        delete p.from;
        return Object.assign({ since: s.from || ALL }, p);
    }

    function levelsOf(rows) {
        const order = ['developer', 'country', 'org_type', 'model'];
        const ls = [...new Set(rows.map((r) => r.level))];
        return ls.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : 1));
    }

    function drawTimeline(data, body) {
        const rows = data.rows.map((r) => ({ date: fmt.date(r.period_start), kind: KIND[r.kind] || r.kind, level: levelName(r.level), sentence: r.sentence, view: r.view }));
        const levels = levelsOf(data.rows).map(levelName);
        const kinds = KINDS.map((k) => k[1]).concat([...new Set(rows.map((r) => r.kind))].filter((k) => !KINDS.some((q) => q[1] === k)));
        const step = 7;
        const dates = rows.map((r) => r.date);
        /* the range of weeks the alerts were looked for in: from the later of the panel's first
         * week and `since` (or the first alert, if its week starts before `since`) */
        const m = data.meta || {};
        const iso = /^\d{4}-\d\d-\d\d$/;
        const start = [m.from, m.since].filter((d) => iso.test(d || '')).sort().pop();
        const x0 = d3.min([start ? fmt.date(start) : null].concat(dates).filter(Boolean));
        const x1 = m.newest_end ? Omen.dayAfter(m.newest_end) : d3.max(dates);
        return Omen.plot(body, {
            height: 44 * kinds.length + 60,
            marginLeft: 104,
            marginRight: 14,
            marginBottom: 40 /* two-line date ticks (day, then month or year) */,
            x: { label: null, domain: [x0, x1], inset: 6 },
            y: { label: null, domain: kinds, padding: 0.1 },
            color: { domain: levels, range: levels.map((_, i) => Omen.palette[i]), legend: true },
            caption: `${rows.length} alert${rows.length === 1 ? '' : 's'}, one dot each, placed at the week it concerns; click a dot to open the view that shows it.`,
            marks: [
                Plot.gridY({ stroke: '#e3e6ea', strokeOpacity: 1 }),
                ...levels.map((lv, i) =>
                    Plot.dot(
                        rows.filter((r) => r.level === lv),
                        { x: 'date', y: 'kind', dy: (i - (levels.length - 1) / 2) * step, r: 3.2, fill: 'level', fillOpacity: 0.8, stroke: 'white', strokeWidth: 0.5, href: 'view', title: 'sentence', ariaLabel: 'sentence', tip: { format: { x: false } }, className: 'omen-alert' }
                    )
                ),
            ],
        });
    }

    function drawList(data, body) {
        const rows = data.rows.slice().sort((a, b) => (a.period_end < b.period_end ? 1 : a.period_end > b.period_end ? -1 : 0));
        const head = el('tr', {}, el('th', {}, 'Week'), el('th', {}, 'Level'), el('th', {}, 'Kind'), el('th', {}, 'Alert (opens the view that shows it)'));
        const trs = rows.map((r) =>
            el(
                'tr',
                { 'data-kind': r.kind, 'data-level': r.level, 'data-week': r.period_start },
                el('td', { class: 'nowrap' }, r.period_start),
                el('td', { class: 'nowrap' }, levelName(r.level)),
                el('td', { class: 'nowrap kind-cell' }, el('span', { class: 'kind kind-' + r.kind }, KIND[r.kind] || r.kind)),
                el('td', { class: 'alert-text' }, el('a', { href: r.view }, r.sentence))
            )
        );
        body.appendChild(el('div', { class: 'table-scroll' }, el('table', { class: 'lb alerts' }, el('thead', {}, head), el('tbody', {}, trs))));
    }

    function header(s) {
        if (Omen.inline()) return el('div', { class: 'viewhead' });
        const p = Omen.filterParams(s);
        delete p.from;
        const key = Omen.requestKey('x', p).replace(/^\/api\/x/, '');
        return el(
            'div',
            { class: 'viewhead' },
            el('a', { class: 'feed', href: 'feed.atom' + key, title: 'The newest week\'s alerts as an Atom feed (RFC 4287), for a feed reader: omen alerts --format atom' }, 'Atom feed of the newest week')
        );
    }

    /* "The newest alerts are of the week of 2025-06-16 (3): ... 1160 alerts since 2020-06-08." */
    async function finding(s) {
        const d = await Omen.load(Omen.requestKey('alerts', params(s)));
        const since = s.from ? 'since ' + s.from : 'in all weeks of the panel';
        if (!d.rows.length) return `No alert ${since}: no band crossed, no rise of more than 100 HHI points, no change point, overtaking, top-10 entry or share jump of 2 points.`;
        const last = d.rows.reduce((a, r) => (r.period_end > a ? r.period_end : a), '');
        const newest = d.rows.filter((r) => r.period_end === last);
        const pick = newest.find((r) => r.kind === 'change_point') || newest.find((r) => r.kind === 'band_crossed') || newest.find((r) => r.kind === 'overtaking') || newest[0];
        return `${d.rows.length} alert${d.rows.length === 1 ? '' : 's'} ${since}; the newest, for the week of ${newest[0].period_start} (${newest.length} that week): ${pick.sentence}`;
    }

    Omen.view({
        id: 'alerts',
        title: 'Alerts',
        controls: ['from', 'to', 'rolling', 'attribution', 'popmin'],
        columns: 1,
        header,
        finding,
        intro: () =>
            'What changed, week by week, as a competition authority would read it (omen alerts): a 2023 Merger Guidelines band crossed, an HHI rise of more than 100 points, a confirmed change point, an overtaking among the top 5, a new entrant to a top 10, a share jump of 2 points or more, for developers, countries and organisation types. From: alerts since that week; To: the panel as it stood then.',
        variants: [{ rolling: 'off' }],
        cards: (s) => [
            { id: 'alerts-timeline', title: 'Alerts over time', name: 'alerts', params: params(s), draw: drawTimeline },
            { id: 'alerts-list', title: 'Every alert, newest first', kind: 'table', name: 'alerts', params: params(s), draw: drawList },
        ],
    });
})();
