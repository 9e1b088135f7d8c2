/* registry.c: every analysis by name, with its help text and columns, so that the CLI
 * (`omen <name>`), the server (`/api/<name>`) and the report dispatch the same way. A new
 * analysis is one entry here, and its name among the readers of the options it reads
 * (src/engine/query.c). */
#include <stdio.h>
#include <string.h>

#include "omen/omen.h"

static const omen_analysis analyses[] = {
    {"concentration", omen_concentration,
     "HHI (0-1, x10000, normalised), Gini, top-1/10/100 shares and rank segments of one level\n"
     "per period (the paper's Figure 3), with CR4, CR8, the effective number of entities\n"
     "(1/HHI), the 2023 Merger Guidelines band of HHI x 10000 and its change from the previous\n"
     "period (a rise above 100 is significant). --decompose G adds the Theil index split into\n"
     "between and within groups G; --ci LEVEL adds bootstrap intervals.",
     "period_start,period_end,level,entities,downloads,hhi,hhi_10000,hhi_normalized,gini,\n"
     "top1_share,top10_share,top100_share,seg_1,seg_2_10,seg_11_100,seg_101_1000,seg_rest,\n"
     "cr4_share,cr8_share,effective_entities,hhi_band,hhi_change_10000,significant_rise\n"
     "(segment columns follow --segments; --entropy adds entropy,theil; --decompose adds\n"
     "theil,theil_between,theil_within,groups; --ci adds <measure>_lo,<measure>_hi)",
     "HHI, Gini, CR-k, top-k shares, Merger Guidelines bands and rank segments per period", NULL},
    {"shares", omen_shares,
     "The top N entities of each period with their download shares, and a (rest) row (the\n"
     "stacked areas of the paper's Figure 2).",
     "period_start,period_end,entity,downloads,share (--ci adds share_lo,share_hi)",
     "top entities' download shares per period, plus the rest", NULL},
    {"leaderboard", omen_leaderboard,
     "Entities ranked by downloads over the range (--period all) or the last year of it\n"
     "(--period last-year: weeks in the 365 days ending at --to, models created in them), as in\n"
     "the paper's Figure 1. Tied downloads share a rank.",
     "rank,entity,downloads,share (plus country,org_type for the model and developer levels,\n"
     "and pipeline_tag, the Hub's task tag, for the model level)",
     "entities ranked by downloads (all time or last year)", NULL},
    {"map", omen_map,
     "Every country's share of downloads over the range or the last year (the map of the\n"
     "paper's Figure 1). The level is always country.",
     "rank,country,name,downloads,share", "every country's share of downloads", NULL},
    {"lorenz", omen_lorenz,
     "The Lorenz curve of one level over the range, at --points evenly spaced population\n"
     "shares; the Gini coefficient is in the meta block.",
     "population_share,download_share", "the Lorenz curve of a level", NULL},
    {"attributes", omen_attributes,
     "The paper's Table 1: for each value of each characteristic (organisation type, access,\n"
     "modality, architecture, methods, languages, ...), the share of filtered downloads going to\n"
     "models that carry it in each segment (--cuts), delta = incidence after / before the last\n"
     "cut, and a chi-squared test of the shift (Yates) with Cramer's V. Only rows with p <\n"
     "--alpha unless --all. Default sample: head.",
     "group,field,value,seg_<label>... (seg_le2022,seg_2023,seg_2024,seg_ge2025 by default),\n"
     "delta,chi2,p_value,cramers_v,significant",
     "Table 1: incidence of each model characteristic per period, its change and a chi-squared "
     "test (Head Sample)",
     NULL},
    {"trends", omen_trends,
     "The share of filtered downloads going to models that carry each value of --field, per\n"
     "period (the paper's Figures 7 and 8). Default sample: head; default window: quarter.",
     "period_start,period_end,value,downloads,share",
     "share of downloads per value of a characteristic per period", "--field F"},
    {"orgs", omen_orgs,
     "For the top --top countries by downloads (and the rest as one group), the share of each\n"
     "organisation type in the country's downloads, over the range or --period last-year (the\n"
     "paper's Figure 4).",
     "country,name,org_type,downloads,share,country_share",
     "organisation types of the top countries' downloads (Figure 4)", NULL},
    {"modalities", omen_modalities,
     "The shares of downloads by input and by output modality (a model's labels of a side\n"
     "joined by ' + '), over the whole range or per --window (the paper's Figure 6). Default\n"
     "sample: head.",
     "period_start,period_end,side,value,downloads,share",
     "shares of input and output modalities (Figure 6)", NULL},
    {"sizes", omen_sizes_distribution,
     "Model sizes per year (the paper's Figure 5 and Table 1's size row): by download year\n"
     "(--by download-year: each week's downloads weigh the downloaded model's size in the\n"
     "week's year) or by creation year (--by creation-year: one weight per model of the sample,\n"
     "by its effective created date): weighted mean and quartiles; download-segment and\n"
     "creation-segment give Table 1's --cuts segments instead of years. --density gives the\n"
     "kernel density of log10(params) on --points grid points per year, for violins. Stored\n"
     "estimates (omen sizes estimate --apply) count as sizes. CLI: `omen sizes distribution`.",
     "year,models,weight,mean,p25,median,p75,share_estimated,coverage\n"
     "(--density: year,log10_params,density; by segment: segment instead of year)",
     "model sizes per year (Figure 5)", NULL},
    {"sizes-estimate", omen_sizes_estimate,
     "RANSAC on log10(params) ~ log10(file_bytes) over the models with a reported (safetensors\n"
     "or official) count and file bytes, fitted on a seeded 80% and validated by R^2 on the\n"
     "other 20%; coverage of sizes in the sample before and after estimation. CLI: `omen sizes\n"
     "estimate [--apply]`.",
     "slope,intercept,inliers,fitted,validation_r2,coverage_before,coverage_after",
     "parameter counts from file bytes (RANSAC)", NULL},
    {"derivations", omen_derivations,
     "Download shares by (depth, relation) along each model's chain of first base models, depth\n"
     "counted from the root; '(none)' holds the downloads of models with fewer steps, so each\n"
     "depth sums to 1 (the paper's Figure 9). Whole range, or per --window. The share of\n"
     "downloads 2+ steps deep is in the meta block.",
     "period_start,period_end,depth,relation,downloads,share",
     "download shares by derivation depth and relation", NULL},
    {"intermediaries", omen_intermediaries,
     "Developers at least --threshold of whose downloads go to repackagings (relation to the\n"
     "first base model quantized, adapter or other), with their downloads, repackaging share\n"
     "and share of all downloads, over the whole range or per --window, then their sum.",
     "period_start,period_end,developer,country,org_type,downloads,repackaging_share,share",
     "developers whose downloads are mostly repackagings", NULL},
    {"changes", omen_changes,
     "Where a concentration series changes level: --measure (HHI, Gini, top-1, top-10, CR4,\n"
     "CR8 or share:<entity>, an entity of --level) per period (weekly by default), cut by PELT\n"
     "into segments of constant mean with the fewest squared deviations, each change point\n"
     "costing --penalty times the noise variance (bic: 2 ln n; the variance from the median\n"
     "absolute deviation of the weekly differences), each segment at least --min-segment\n"
     "periods long. Periods without downloads are left out of the series.",
     "segment,start,end,periods,mean,change,break (change and break empty for the first\n"
     "segment; break is the date the segment starts)",
     "change points of a concentration series (PELT)", NULL},
    {"robustness", omen_robustness,
     "One measure (--metric: hhi, gini, topK, share:ENTITY, or leaderboard for Kendall's tau)\n"
     "recomputed over a grid of definitions: Rolling Window Filter 182, 365, 730 days or off x\n"
     "population minimum 0, 50, 200, 1000 x attribution direct, recursive-first or\n"
     "recursive-split; for the last year (the 365 days ending at --to) and each --window period\n"
     "(default year). Each setting's value, the min-max envelope per period, and Kendall's tau-b\n"
     "of each setting's top --top list against the reference setting (the query's own filters,\n"
     "by default rolling 365, population minimum 200, direct).",
     "period,period_start,period_end,rolling,population_min,attribution,reference,value,min,\n"
     "max,entities,downloads,kendall_tau,top_common,top_entities",
     "one measure over a grid of definitions: values, envelope, Kendall's tau", NULL},
    {"alerts", omen_alerts,
     "What changed in the newest week (or in every week from --since on) at each of --levels:\n"
     "band_crossed (the HHI x 10000 entered another 2023 Merger Guidelines band after --hold\n"
     "periods in the old one), hhi_rise (up more than 100 points from the period before),\n"
     "change_point (a break of the HHI series that PELT finds, as omen changes, in the series\n"
     "up to the period and up to the one before, after every break of the --hold before, and\n"
     "not confirmed before),\n"
     "overtaking (one of the period's top 5 passed another that was above it in each of the\n"
     "--hold periods before), top10_entry (in the top 10, and in none of the year before) and\n"
     "share_jump (a share moved by at least --jump). Periods follow --window (default week).\n"
     "--format atom writes the alerts as an Atom feed (RFC 4287), one entry per alert.",
     "period_start,period_end,kind,level,entity,other,measure,before,after,sentence,view\n"
     "(measure says what before and after are: hhi_10000, share or rank; other is the entity\n"
     "overtaken; view is the dashboard's URL hash that shows the alert)",
     "what changed in the newest week(s): bands, HHI rises, change points, overtakings, top-10 "
     "entries, share jumps",
     NULL},
};

const omen_analysis *omen_analysis_find(const char *name)
{
    for (size_t i = 0; i < sizeof analyses / sizeof analyses[0]; i++)
        if (strcmp(analyses[i].name, name) == 0)
            return &analyses[i];
    return NULL;
}

size_t omen_analysis_options(const omen_analysis *a, char *out, size_t cap)
{
    size_t n = 0;
    const omen_option *o;
    if (cap)
        out[0] = 0;
    for (size_t i = 0; a && (o = omen_option_at(i)) != NULL && n < cap; i++)
        if (omen_option_reads(o, a->name))
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", o->name);
    return n < cap ? n : cap ? cap - 1 : 0;
}

const omen_analysis *omen_analysis_at(size_t i)
{
    return i < sizeof analyses / sizeof analyses[0] ? &analyses[i] : NULL;
}
