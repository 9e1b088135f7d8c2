/* synth_tables.c: the calibration of the synthetic panel as data: the named (invented)
 * developers, the streams of models they and the pools of small developers publish, and each
 * stream's share of the young downloads at eleven knots from 2020 to 2025 (docs/synthetic.md). */
#include "synth_internal.h"

/* Knot dates; shares are interpolated linearly between them and held flat outside. */
const char *const sy_knot_dates[SY_NKNOT] = {"2020-08-01", "2021-02-01", "2021-08-01", "2022-02-01",
                                             "2022-08-01", "2022-12-15", "2023-04-01", "2023-10-01",
                                             "2024-04-01", "2024-10-01", "2025-04-01"};

/* Young downloads per week at each knot, in units of sy_unit. The step at the end of 2022 is
 * the diffusion boom; it is also why Table 1's <=2022 segment weighs little against 2023-24. */
const double sy_young_units[SY_NKNOT] = {0.25, 0.22, 0.22, 0.25, 0.3, 0.5, 4.3, 4.5, 4.5, 4.7, 6.5};
/* Weight of the pools of small developers against the named developers, by knot (the pool
 * streams' shares below are multiplied by it before each week is normalised). */
const double sy_pool_weight[SY_NKNOT] = {2.6, 2.6, 2.6, 2.4, 2.0, 1.7, 1.5, 1.5, 1.55, 1.8, 2.3};
/* Weekly downloads at 2020-06-01 of the models created before the panel. */
const double sy_pre_units = 0.35;
/* Downloads per unit-week at scale 1. */
const double sy_unit = 2.9e6;

enum {
    N_G,
    N_M,
    N_O,
    N_HF,
    N_MS,
    N_NV,
    N_ST,
    N_SAI,
    N_RW,
    N_CV,
    N_BFL,
    N_QW,
    N_DS,
    N_BAAI,
    N_THU,
    N_WAN,
    N_MOON,
    N_MIS,
    N_TII,
    N_EL,
    N_AI2,
    N_LAION,
    N_JINA,
    N_SDC,
    N_CM2,
    N_LMS,
    N_COMFY,
    N_MLX,
    N_BLOKE,
    N_UQ,
    N_COUNT
};

#define P_USER (-(POOL_USER + 1))
#define P_CO   (-(POOL_CO + 1))
#define P_UNIV (-(POOL_UNIV + 1))
#define P_NP   (-(POOL_NP + 1))
#define P_CMTY (-(POOL_CMTY + 1))

/* style: 0 org syllables, 1 "<x>-ai", 2 "<x>labs", 3 "<x>-research", 4 "<x>-community",
 * 5 user handle, 6 "<x>-nlp" (university group) */
const sy_named_def sy_named[] = {
    [N_G] = {"US search giant (BERT, T5, ViT, Gemma)", "US", ORG_COMPANY, 0, 6},
    [N_M] = {"US social giant (RoBERTa, BART, Llama)", "US", ORG_COMPANY, 1, 5},
    [N_O] = {"US AI lab (GPT-2, CLIP, Whisper)", "US", ORG_COMPANY, 0, 3},
    [N_HF] = {"US hub company (distilled encoders)", "US", ORG_COMPANY, 0, 2},
    [N_MS] = {"US software giant (MiniLM, DeBERTa, Phi)", "US", ORG_COMPANY, 0, 4},
    [N_NV] = {"US chip maker (large dense LLMs)", "US", ORG_COMPANY, 0, 2},
    [N_ST] = {"German university group (sentence embeddings)", "DE", ORG_UNIV, 6, 2},
    [N_SAI] = {"UK image start-up (diffusion models)", "GB", ORG_COMPANY, 1, 3},
    [N_RW] = {"US video start-up (diffusion v1.5)", "US", ORG_COMPANY, 0, 1},
    [N_CV] = {"German university lab (first diffusion release)", "DE", ORG_UNIV, 6, 1},
    [N_BFL] = {"German image start-up (rectified-flow models)", "DE", ORG_COMPANY, 2, 1},
    [N_QW] = {"Chinese cloud giant's LLM team", "CN", ORG_COMPANY, 0, 4},
    [N_DS] = {"Chinese LLM lab (reasoning, MoE)", "CN", ORG_COMPANY, 1, 2},
    [N_BAAI] = {"Chinese research institute (embeddings)", "CN", ORG_NONPROFIT, 0, 2},
    [N_THU] = {"Chinese university group (VLMs)", "CN", ORG_UNIV, 6, 2},
    [N_WAN] = {"Chinese video model team", "CN", ORG_COMPANY, 1, 1},
    [N_MOON] = {"Chinese LLM start-up (1T MoE)", "CN", ORG_COMPANY, 1, 1},
    [N_MIS] = {"French LLM start-up", "FR", ORG_COMPANY, 1, 2},
    [N_TII] = {"Emirati government institute", "AE", ORG_GOV, 0, 1},
    [N_EL] = {"US open research collective", "US", ORG_NONPROFIT, 3, 2},
    [N_AI2] = {"US research nonprofit", "US", ORG_NONPROFIT, 1, 2},
    [N_LAION] = {"German open dataset nonprofit (CLIP)", "DE", ORG_NONPROFIT, 0, 1},
    [N_JINA] = {"German embedding start-up", "DE", ORG_COMPANY, 1, 2},
    [N_SDC] = {"online concepts library (adapters)", "ONLINE", ORG_COMMUNITY, 4, 0},
    [N_CM2] = {"international diffusion community", "INTL", ORG_COMMUNITY, 4, 0},
    [N_LMS] = {"intermediary: desktop-app GGUF repackager", "ONLINE", ORG_COMMUNITY, 4, 0},
    [N_COMFY] = {"intermediary: node-UI diffusion repackager", "ONLINE", ORG_COMMUNITY, 0, 0},
    [N_MLX] = {"intermediary: Apple-silicon quantizer", "ONLINE", ORG_COMMUNITY, 4, 0},
    [N_BLOKE] = {"prolific individual quantizer (2023-24)", "USER", ORG_USER, 5, 0},
    [N_UQ] = {"prolific individual quantizer (2024-25)", "USER", ORG_USER, 5, 0},
};
const int sy_nnamed = N_COUNT;

#define Z0 0, 0, 0, 0, 0
/* clang-format off */
const sy_stream_def sy_streams[] = {
    /* ---- text embeddings and classifiers */
    {"te_g_bert", N_G, CL_TE, "root", "110e6:.55 340e6:.2 30e6:.15 4.4e6:.1", 30, 30, .25, .30,
     {.26, .62, .55, .32, .22, .14, .05, .03, .015, .01, .006}, 0, 0, -1, NULL},
    {"te_m_roberta", N_M, CL_TE, "root", "125e6:.6 355e6:.4", 6, 30, .3, .06,
     {.015, .015, .015, .014, .014, .014, .012, .01, .008, .006, .005}, 0, 0, -1, NULL},
    {"te_hf_distil", N_HF, CL_TE, "cp", "!66e6:.7 82e6:.3", 6, 30, .3, .06,
     {.035, .035, .033, .032, .03, .025, .018, .015, .013, .01, .008}, 0, 0, -1, NULL},
    {"te_ms", N_MS, CL_TE, "root", "22.7e6:.3 110e6:.3 184e6:.2 435e6:.2", 8, 25, .3, .04,
     {.02, .02, .02, .02, .018, .016, .012, .01, .01, .008, .006}, 0, 0, -1, NULL},
    {"te_st", N_ST, CL_TE, "cp=.65 d2:cp=.35", "!22.7e6:.5 33e6:.2 109e6:.3 | 22.7e6:.3 109e6:.4 335e6:.3", 40, 30, .3, .02,
     {.06, .065, .075, .08, .08, .06, .04, .04, .038, .03, .02}, 0, 0, -1, NULL},
    {"te_baai", N_BAAI, CL_TE, "root=.4 cp=.6", "!33e6:.2 109e6:.35 335e6:.35 568e6:.1", 30, 25,
     .25, 0, {Z0, .005, .02, .025, .025, .022, .018}, 0, 0, -1, NULL},
    {"te_jina", N_JINA, CL_TE, "root", "137e6:.6 570e6:.4", 6, 25, .2, 0,
     {Z0, 0, 0, .004, .008, .012, .014}, 0, 0, -1, NULL},
    {"te_qw", N_QW, CL_TE, "root", "596e6:.6 4e9:.3 7.6e9:.1", 6, 25, .2, 0,
     {Z0, 0, 0, 0, 0, .006, .015}, 0, 0, -1, NULL},
    {"te_ai2", N_AI2, CL_TE, "root", "110e6:.5 335e6:.5", 4, 25, .3, .01,
     {.014, .014, .014, .014, .014, .01, .005, .005, .004, .004, .003}, 0, 0, -1, NULL},
    {"te_user", P_USER, CL_TE, "root=.55 ft=.35 d2:ft=.1", "110e6:.5 66e6:.2 340e6:.2 22e6:.1 | 110e6:.4 335e6:.3 22e6:.15 66e6:.1 568e6:.05 | 110e6:.45 335e6:.25 22e6:.15 66e6:.1 568e6:.05",
     0, 8, 0, .10, {.15, .15, .16, .17, .18, .11, .06, .06, .075, .075, .065}, 0, 0, -1, NULL},
    {"te_univ", P_UNIV, CL_TE, "root=.55 ft=.15 cp=.3", "110e6:.5 66e6:.2 340e6:.2 22e6:.1 | 110e6:.4 335e6:.3 22e6:.15 66e6:.1 568e6:.05 | 110e6:.45 335e6:.25 22e6:.15 66e6:.1 568e6:.05", 0,
     10, 0, .05, {.06, .06, .06, .06, .06, .04, .02, .02, .024, .024, .024}, 0, 0, -1, NULL},
    {"te_co", P_CO, CL_TE, "root=.55 ft=.1 cp=.15 d2:cp=.2", "110e6:.5 66e6:.2 340e6:.2 22e6:.1 | 110e6:.4 335e6:.3 22e6:.15 66e6:.1 568e6:.05 | 110e6:.45 335e6:.25 22e6:.15 66e6:.1 568e6:.05",
     0, 10, 0, .04, {.05, .05, .055, .06, .06, .045, .028, .028, .038, .06, .06}, 0, 0, -1, NULL},
    {"te_np", P_NP, CL_TE, "root=.55 ft=.2 cp=.25", "110e6:.5 66e6:.2 340e6:.2 22e6:.1", 0, 10, 0, .02,
     {.025, .025, .025, .025, .025, .02, .012, .012, .012, .012, .012}, 0, 0, -1, NULL},

    /* ---- text generation */
    {"tg_g_t5", N_G, CL_TG, "root", "60e6:.3 220e6:.45 770e6:.22 3e9:.03", 6, 30, .35, .08,
     {.05, .05, .045, .04, .035, .025, .012, .008, .006, .005, .004}, 0, 0, -1, NULL},
    {"tg_g_flan", N_G, CL_TG, "ft=1", "", 4, 25, .3, 0,
     {0, 0, 0, 0, 0, .01, .006, .004, .003, .002, .002}, 1, 0, -1, NULL},
    {"tg_o_gpt2", N_O, CL_TG, "root", "124e6:.55 355e6:.25 774e6:.17 1.5e9:.03", 4, 30, .25, .04,
     {.03, .03, .028, .027, .027, .02, .01, .008, .006, .005, .004}, 0, 0, -1, NULL},
    {"tg_m_bart", N_M, CL_TG, "root", "140e6:.4 400e6:.6", 3, 25, .3, .03,
     {.012, .012, .012, .012, .012, .011, .007, .005, .004, .003, .003}, 0, 0, -1, NULL},
    {"tg_el", N_EL, CL_TG, "root", "125e6:.5 1.3e9:.3 2.7e9:.2", 4, 20, .2, 0,
     {.015, .02, .024, .024, .024, .016, .005, .003, .003, .002, .002}, 0, 0, -1, NULL},
    {"tg_m_llama", N_M, CL_TG, "root", "7e9:.6 13e9:.12 1.1e9:.26 70e9:.02 | 7e9:.6 13e9:.12 1.1e9:.26 70e9:.02 | 1.2e9:.15 3.2e9:.2 8e9:.52 13e9:.1 70e9:.03", 20, 20, .2,
     0, {Z0, 0, .017, .017, .014, .01, .005}, 0, 0, -1, NULL},
    {"tg_m_chat", N_M, CL_TG, "ft=1", "", 6, 20, .2, 0, {Z0, 0, .008, .008, .006, .005, .004}, 1,
     0, -1, NULL},
    {"tg_m_giant", N_M, CL_TG, "root", "405e9:1", 8, 20, .1, 0, {Z0, 0, 0, 0, 0, .004, .005}, 0,
     0, -1, "2024-12-01"},
    {"tg_mis", N_MIS, CL_TG, "root", "7.2e9:.75 12e9:.15 46.7e9:.05 24e9:.05", 6, 20, .2, 0,
     {Z0, 0, 0, .008, .008, .006, .005}, 0, 0, -1, NULL},
    {"tg_tii", N_TII, CL_TG, "root", "7e9:.9 40e9:.1", 3, 15, .1, 0,
     {Z0, 0, .003, .002, .001, 0, 0}, 0, 0, -1, NULL},
    {"tg_qw", N_QW, CL_TG, "root", "0.5e9:.25 1.5e9:.25 3e9:.1 7.6e9:.25 14e9:.08 32e9:.05 72e9:.02",
     250, 20, .2, 0, {Z0, 0, 0, .003, .014, .08, .15}, 0, 0, -1, NULL},
    {"tg_qw_moe", N_QW, CL_TG, "root", "235e9:.6 30e9:.4", 30, 20, .2, 0, {Z0, 0, 0, 0, 0, .02, .025}, 0, 0,
     -1, "2025-01-15"},
    {"tg_qw_cp", N_QW, CL_TG, "cp=1", "", 8, 20, .2, 0, {Z0, 0, 0, 0, .003, .007, .01}, 1, 0,
     -1, NULL},
    {"tg_qw_q", N_QW, CL_TG, "quant=1", "", 12, 15, .1, 0, {Z0, 0, 0, 0, .002, .007, .012}, 1, 26,
     -1, NULL},
    {"tg_ds", N_DS, CL_TG, "root=.5 cp=.3 d2:ft=.2",
     "1.5e9:.35 7e9:.3 8e9:.1 14e9:.1 32e9:.1 70e9:.05", 30, 20, .2, 0,
     {Z0, 0, 0, 0, .004, .06, .095}, 0, 0, -1, NULL},
    {"tg_ds_giant", N_DS, CL_TG, "root", "671e9:1", 40, 20, .2, 0, {Z0, 0, 0, 0, 0, .06, .066}, 0,
     0, -1, "2024-12-26"},
    {"tg_g_gemma", N_G, CL_TG, "root", "2e9:.4 9e9:.3 27e9:.3", 6, 20, .2, 0,
     {Z0, 0, 0, 0, .003, .004, .004}, 0, 0, -1, NULL},
    {"tg_ms_phi", N_MS, CL_TG, "root", "2.7e9:.3 3.8e9:.4 14e9:.3", 4, 20, .2, 0,
     {Z0, 0, 0, .003, .004, .004, .003}, 0, 0, -1, NULL},
    {"tg_nv", N_NV, CL_TG, "root", "70e9:.4 8e9:.6", 3, 20, .1, 0,
     {Z0, 0, 0, 0, .001, .002, .003}, 0, 0, -1, NULL},
    {"tg_moon", N_MOON, CL_TG, "root", "1e12:1", 12, 20, .1, 0, {Z0, 0, 0, 0, 0, .005, .005}, 0, 0,
     -1, "2025-03-01"},
    {"tg_bloke", N_BLOKE, CL_TG, "quant=1", "", 300, 12, .05, 0,
     {Z0, 0, 0, .006, .009, .004, .002}, 0, 26, -1, NULL},
    {"tg_uq", N_UQ, CL_TG, "quant=1", "", 200, 12, .05, 0, {Z0, 0, 0, 0, .004, .006, .008}, 0,
     26, -1, NULL},
    {"tg_lms", N_LMS, CL_TG, "quant=.75 d2:quant=.25", "", 2000, 12, .05, 0, {Z0, 0, 0, 0, .008, .19, .37}, 0,
     26, -1, NULL},
    {"tg_mlx", N_MLX, CL_TG, "quant=.75 d2:quant=.25", "", 2000, 12, .05, 0, {Z0, 0, 0, 0, .004, .08, .165}, 0,
     26, -1, NULL},
    {"tg_user", P_USER, CL_TG, "root=.55 ft=.25 adapter=.06 merge=.02 d2:ft=.04 d2:adapter=.08",
     "125e6:.5 355e6:.3 774e6:.15 1.5e9:.05 | 0.5e9:.3 1.1e9:.3 3e9:.2 7e9:.18 13e9:.02 | 0.5e9:.2 "
     "1.1e9:.2 3e9:.15 7e9:.35 13e9:.07 32e9:.02 70e9:.005", 0, 8, 0, .03, {.05, .05, .055, .06, .06, .05, .035, .035, .045, .045, .04}, 0,
     0, -1, NULL},
    {"tg_co", P_CO, CL_TG, "root=.6 ft=.2 cp=.2",
     "125e6:.5 355e6:.3 774e6:.15 1.5e9:.05 | 0.5e9:.3 1.1e9:.3 3e9:.2 7e9:.18 13e9:.02 | 0.5e9:.2 "
     "1.1e9:.2 3e9:.15 7e9:.35 13e9:.07 32e9:.02 70e9:.005", 0, 10, 0, .02, {.015, .015, .015, .018, .018, .018, .015, .015, .018, .03, .034},
     0, 0, -1, NULL},
    {"tg_userq", P_USER, CL_TG, "quant=1", "", 0, 8, 0, 0, {Z0, 0, .002, .004, .007, .008, .008},
     0, 26, -1, NULL},
    {"tg_cocp", P_CO, CL_TG, "cp=.5 d2:cp=.5", "", 0, 10, 0, 0, {Z0, 0, .005, .008, .012, .014, .016},
     0, 0, -1, NULL},

    /* ---- image generation */
    {"ig_cv", N_CV, CL_IG, "root", "1.07e9:1", 3, 30, .3, 0,
     {0, 0, 0, 0, 0, .025, .04, .015, .008, .004, .002}, 0, 0, -1, NULL},
    {"ig_rw", N_RW, CL_IG, "root", "1.07e9:1", 2, 40, .3, 0,
     {0, 0, 0, 0, 0, .025, .04, .022, .012, .008, .005}, 0, 0, -1, NULL},
    {"ig_sai", N_SAI, CL_IG, "root", "1.07e9:.5 3.5e9:.2 83e6:.2 2e9:.1 | 1.07e9:.2 3.5e9:.4 83e6:.15 2e9:.15 8e9:.1", 40, 25, .2, 0,
     {Z0, .02, .035, .04, .035, .02, .01}, 0, 0, -1, NULL},
    {"ig_sai_cp", N_SAI, CL_IG, "cp=1", "", 4, 25, .2, 0, {Z0, 0, .005, .008, .006, .004, .003},
     1, 0, -1, NULL},
    {"ig_bfl", N_BFL, CL_IG, "root", "12e9:1", 8, 25, .2, 0, {Z0, 0, 0, 0, .004, .018, .015}, 0, 0,
     -1, NULL},
    {"ig_user_ft", P_USER, CL_IG, "root=.4 ft=.5 merge=.05 d2:ft=.05",
     "1.07e9:.7 3.5e9:.1 83e6:.2 | 1.07e9:.7 3.5e9:.1 83e6:.2 | 1.07e9:.45 3.5e9:.35 12e9:.05 83e6:.15", 0, 8, 0, 0,
     {Z0, .06, .095, .075, .06, .07, .09}, 0, 0, -1, NULL},
    {"ig_user_lora", P_USER, CL_IG, "root=.1 adapter=.4 d2:adapter=.5",
     "1.07e9:.5 3.5e9:.3 83e6:.2", 0, 8, 0, 0, {Z0, .025, .04, .035, .03, .04, .055}, 0, 0, -1, NULL},
    {"ig_sdc", N_SDC, CL_IG, "adapter=1", "", 500, 10, .05, 0,
     {Z0, .015, .03, .03, .012, .008, .006}, 0, 0, -1, NULL},
    {"ig_cm2", N_CM2, CL_IG, "root=.3 ft=.7", "1.07e9:.6 3.5e9:.4", 40, 15, .1, 0,
     {Z0, .01, .025, .025, .012, .01, .01}, 0, 0, -1, NULL},
    {"ig_comfy", N_COMFY, CL_IG, "other=1", "", 1000, 15, .1, 0, {Z0, 0, 0, 0, .004, .07, .10},
     0, 26, -1, NULL},
    {"ig_co", P_CO, CL_IG, "root=.4 ft=.4 cp=.2", "1.07e9:.5 3.5e9:.3 83e6:.2", 0, 10, 0, 0,
     {Z0, .012, .016, .02, .02, .045, .06}, 0, 0, -1, NULL},
    {"ig_qw", N_QW, CL_IG, "root", "20e9:.5 7e9:.5", 8, 20, .2, 0, {Z0, 0, 0, 0, 0, .02, .025}, 0, 0,
     -1, "2025-01-01"},

    /* ---- video generation */
    {"vg_wan", N_WAN, CL_VG, "root", "1.3e9:.5 14e9:.5", 20, 20, .1, 0,
     {Z0, 0, 0, 0, 0, .016, .02}, 0, 0, -1, "2025-02-25"},
    {"vg_sai", N_SAI, CL_VG, "root", "1.5e9:1", 3, 20, .1, 0,
     {Z0, 0, .001, .002, .004, .003, .002}, 0, 0, -1, NULL},
    {"vg_user", P_USER, CL_VG, "root=.3 ft=.3 adapter=.4", "1.3e9:.5 5e9:.5", 0, 8, 0, 0,
     {Z0, 0, .001, .001, .002, .004, .008}, 0, 0, -1, NULL},
    {"vg_comfy", N_COMFY, CL_VG, "other=1", "", 40, 15, .1, 0, {Z0, 0, 0, 0, 0, .001, .004}, 0,
     26, -1, NULL},

    /* ---- multimodal generation */
    {"mg_qw", N_QW, CL_MG, "root", "3e9:.4 7e9:.4 72e9:.2", 20, 20, .2, 0,
     {Z0, 0, 0, 0, .002, .008, .02}, 0, 0, -1, NULL},
    {"mg_g", N_G, CL_MG, "root", "3e9:1", 4, 20, .2, 0, {Z0, 0, 0, .002, .002, .003, .004}, 0, 0,
     -1, NULL},
    {"mg_ms", N_MS, CL_MG, "root", "4.2e9:1", 3, 20, .2, 0, {Z0, 0, .002, .002, .002, .002, .002},
     0, 0, -1, NULL},
    {"mg_thu", N_THU, CL_MG, "root", "9e9:.5 17e9:.5", 4, 20, .2, 0,
     {Z0, 0, .002, .003, .003, .003, .003}, 0, 0, -1, NULL},
    {"mg_user", P_USER, CL_MG, "root=.3 ft=.5 d2:ft=.1 quant=.1", "2e9:.5 7e9:.5", 0, 8, 0, 0,
     {Z0, 0, .002, .003, .004, .005, .007}, 0, 0, -1, NULL},
    {"mg_lms", N_LMS, CL_MG, "quant=1", "", 60, 12, .05, 0, {Z0, 0, 0, 0, 0, .001, .004}, 0, 26,
     -1, NULL},
    {"mg_mlx", N_MLX, CL_MG, "quant=1", "", 60, 12, .05, 0, {Z0, 0, 0, 0, 0, .001, .002}, 0, 26,
     -1, NULL},

    /* ---- audio */
    {"au_o", N_O, CL_AU, "root", "39e6:.15 74e6:.25 244e6:.3 809e6:.2 1.55e9:.1 | 39e6:.15 74e6:.3 244e6:.35 809e6:.15 1.55e9:.05", 16, 40, .3, 0,
     {Z0, .015, .028, .028, .026, .022, .018}, 0, 0, -1, NULL},
    {"au_m", N_M, CL_AU, "root", "95e6:.5 317e6:.5", 4, 30, .3, .015,
     {.005, .005, .005, .006, .006, .006, .006, .005, .005, .005, .005}, 0, 0, -1, NULL},
    {"au_user", P_USER, CL_AU, "root=.4 ft=.5 d2:ft=.1", "95e6:.3 244e6:.3 300e6:.2 1.5e9:.2 | 95e6:.3 244e6:.35 300e6:.25 1.5e9:.1", 0,
     8, 0, 0, {.002, .002, .002, .003, .003, .01, .022, .03, .035, .04, .04}, 0, 0, -1, NULL},
    {"au_univ", P_UNIV, CL_AU, "root=.5 ft=.5", "95e6:.3 244e6:.3 300e6:.2 1.5e9:.2", 0, 10, 0, 0,
     {.001, .001, .001, .001, .002, .004, .005, .005, .005, .005, .005}, 0, 0, -1, NULL},
    {"au_co", P_CO, CL_AU, "root=.7 cp=.3", "95e6:.3 244e6:.3 300e6:.2 1.5e9:.2", 0, 10, 0, 0,
     {.001, .001, .001, .001, .002, .005, .01, .015, .02, .032, .04}, 0, 0, -1, NULL},

    /* ---- image embeddings and classifiers */
    {"ie_o", N_O, CL_IE, "root", "151e6:.3 428e6:.7", 20, 40, .3, 0,
     {Z0, .04, .055, .05, .03, .018, .015}, 0, 0, -1, NULL},
    {"ie_g", N_G, CL_IE, "root", "86e6:.6 304e6:.4", 16, 30, .3, 0,
     {Z0, .014, .02, .02, .016, .009, .006}, 0, 0, -1, NULL},
    {"ie_m", N_M, CL_IE, "root", "86e6:.5 300e6:.5", 16, 30, .3, 0,
     {Z0, .008, .012, .01, .006, .005, .004}, 0, 0, -1, NULL},
    {"ie_laion", N_LAION, CL_IE, "root", "428e6:.5 986e6:.5", 4, 30, .3, 0,
     {Z0, .004, .008, .008, .008, .006, .004}, 0, 0, -1, NULL},
    {"ie_user", P_USER, CL_IE, "root=.4 ft=.6", "25e6:.4 11e6:.2 86e6:.3 3e6:.1", 0, 8, 0, 0,
     {Z0, .01, .015, .016, .016, .015, .02}, 0, 0, -1, NULL},
    {"ie_co", P_CO, CL_IE, "root=.7 cp=.3", "25e6:.4 11e6:.2 86e6:.3 3e6:.1", 0, 10, 0, 0,
     {Z0, .012, .02, .026, .026, .035, .05}, 0, 0, -1, NULL},

    /* ---- multimodal embeddings, tabular */
    {"me_g", N_G, CL_ME, "root", "203e6:.5 400e6:.5", 12, 30, .2, 0,
     {.001, .001, .001, .001, .001, .004, .008, .008, .007, .012, .016}, 0, 0, -1, NULL},
    {"me_jina", N_JINA, CL_ME, "root", "223e6:1", 8, 25, .2, 0,
     {Z0, 0, .003, .004, .004, .006, .008}, 0, 0, -1, NULL},
    {"me_co", P_CO, CL_ME, "root", "151e6:1", 0, 10, 0, 0,
     {.001, .001, .001, .0015, .0015, .003, .006, .008, .01, .02, .025}, 0, 0, -1, NULL},
    {"tb_user", P_USER, CL_TB, "root", "1e5:.5 1e6:.5", 0, 10, 0, .001,
     {.0015, .0015, .0015, .0015, .0015, .0015, .0015, .0015, .002, .003, .004}, 0, 0, -1, NULL},
};
/* clang-format on */
const int sy_nstreams = (int)(sizeof sy_streams / sizeof sy_streams[0]);
