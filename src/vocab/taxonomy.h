/* taxonomy.h: the annotation taxonomy of the paper's Appendix D, as data.
 *
 * Fields with a closed label set (gating, modalities, architecture, training methods, training
 * data availability, license class) are validated label by label; `languages` takes ISO codes,
 * programming languages or "multilingual"; `derivation` takes "No" or a base model id. */
#ifndef OMEN_VOCAB_TAXONOMY_H
#define OMEN_VOCAB_TAXONOMY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;          /* machine name used in files: "architecture" */
    const char *title;         /* the paper's heading: "Architecture" */
    const char *const *labels; /* NULL-terminated; NULL for an open field */
} omen_taxonomy_field;

/* The labels of the closed fields that other code names (synth emits them): one spelling,
 * here, which the field tables of taxonomy.c use too. */
#define OMEN_GATING_N_A                               "N/A"
#define OMEN_GATING_ACCEPT_TO_SHARE_USERNAME_EMAIL    "Accept to share username & email"
#define OMEN_GATING_OTHER_AGREEMENT_INFO_REQUIREMENTS "Other agreement/info requirements"
#define OMEN_ARCH_TF_TEXT_ENCODER_ONLY                "Transformer: Text Encoder-only"
#define OMEN_ARCH_TF_TEXT_DECODER_ONLY                "Transformer: Text Decoder-only"
#define OMEN_ARCH_TF_TEXT_ENCODER_DECODER             "Transformer: Text Encoder-Decoder"
#define OMEN_ARCH_TF_IMAGE_ENCODER_ONLY               "Transformer: Image Encoder-only"
#define OMEN_ARCH_TF_IMAGE_DECODER_ONLY               "Transformer: Image Decoder-only"
#define OMEN_ARCH_TF_IMAGE_ENCODER_DECODER            "Transformer: Image Encoder-Decoder"
#define OMEN_ARCH_TF_SPEECH_ENCODER_ONLY              "Transformer: Speech Encoder-only"
#define OMEN_ARCH_TF_SPEECH_DECODER_ONLY              "Transformer: Speech Decoder-only"
#define OMEN_ARCH_TF_SPEECH_ENCODER_DECODER           "Transformer: Speech Encoder-Decoder"
#define OMEN_ARCH_TF_UNKNOWN                          "Transformer: Unknown"
#define OMEN_ARCH_LSTM                                "LSTM"
#define OMEN_ARCH_GRU                                 "GRU"
#define OMEN_ARCH_CNN                                 "CNN"
#define OMEN_ARCH_DIFFUSION_BASED_NETWORK             "Diffusion-based Network"
#define OMEN_ARCH_VARIATIONAL_AUTOENCODER             "Variational Autoencoder"
#define OMEN_ARCH_MIXTURE_OF_EXPERTS                  "Mixture-of-Experts"
#define OMEN_ARCH_GENERATIVE_ADVERSARIAL_NETWORK_GAN  "Generative Adversarial Network (GAN)"
#define OMEN_ARCH_UNSURE                              "Unsure"
#define OMEN_ARCH_OTHER                               "Other"
#define OMEN_METHOD_PRE_MASKED_LANGUAGE_MODELING_MLM  "Pretraining: Masked Language Modeling (MLM)"
#define OMEN_METHOD_PRE_CAUSAL_LANGUAGE_MODELING_CLM  "Pretraining: Causal Language Modeling (CLM)"
#define OMEN_METHOD_PRE_DENOISING_AUTOENCODER         "Pretraining: Denoising Autoencoder"
#define OMEN_METHOD_PRE_CONTRASTIVE_LEARNING          "Pretraining: Contrastive Learning"
#define OMEN_METHOD_PRE_VARIATIONAL_AUTOENCODER       "Pretraining: Variational Autoencoder"
#define OMEN_METHOD_PRE_MULTIMODAL_JOINT_EMBEDDINGS   "Pretraining: Multimodal joint-embeddings"
#define OMEN_METHOD_PRE_SUPERVISED                    "Pretraining: Supervised"
#define OMEN_METHOD_PRE_AUTO_REGRESSIVE_IMAGE_GENERATION                                           \
    "Pretraining: auto-regressive image generation"
#define OMEN_METHOD_PRE_NEXT_SENTENCE_PREDICTION_NSP     "Pretraining: Next Sentence Prediction (NSP)"
#define OMEN_METHOD_FT_SUPERVISED                        "Finetuning: Supervised"
#define OMEN_METHOD_FT_PROMPT_BASED_TUNING               "Finetuning: Prompt-based tuning"
#define OMEN_METHOD_PARAMETER_EFFICIENT_FINETUNING       "Parameter-efficient finetuning"
#define OMEN_METHOD_KNOWLEDGE_DISTILLATION               "Knowledge distillation"
#define OMEN_METHOD_INSTRUCTION_FINETUNING               "Instruction finetuning"
#define OMEN_METHOD_MULTI_TASK_FINETUNING                "Multi-task finetuning"
#define OMEN_METHOD_REINFORCEMENT_LEARNING_FROM_FEEDBACK "Reinforcement learning from feedback"
#define OMEN_METHOD_ADVERSARIAL_TRAINING                 "Adversarial Training"
#define OMEN_METHOD_QUANTIZATION                         "Quantization"
#define OMEN_METHOD_MODEL_MERGING                        "Model Merging"
#define OMEN_METHOD_UNSURE                               "Unsure"
#define OMEN_METHOD_UNDISCLOSED                          "Undisclosed"
#define OMEN_METHOD_OTHER                                "Other"
#define OMEN_DATA_NOT_DISCLOSED                          "Not disclosed"
#define OMEN_DATA_PARTIALLY_DISCLOSED_UNAVAILABLE        "Partially disclosed: unavailable"
#define OMEN_DATA_DISCLOSED_UNAVAILABLE                  "Disclosed: unavailable"
#define OMEN_DATA_DISCLOSED_AVAILABLE                    "Disclosed: available"

/* All fields, terminated by an entry with name NULL. */
const omen_taxonomy_field *omen_taxonomy_fields(void);
const omen_taxonomy_field *omen_taxonomy_field_find(const char *name, size_t len);
/* The canonical spelling of a label (matching ignores case and surrounding space), or NULL if
 * the field does not allow it. Open fields return NULL too: check them with
 * omen_taxonomy_open_ok(). */
const char *omen_taxonomy_label(const omen_taxonomy_field *f, const char *value, size_t len);
bool omen_taxonomy_open_ok(const omen_taxonomy_field *f, const char *value, size_t len);
/* "a, b, c" list of the allowed labels, for error messages (static buffer per field). */
const char *omen_taxonomy_allowed(const omen_taxonomy_field *f);

/* License classes and the mapping from Hub license ids (DESIGN section 6). */
#define OMEN_LICENSE_OPEN          "Open Use"
#define OMEN_LICENSE_AUP           "Acceptable Usage Policy"
#define OMEN_LICENSE_ATTRIBUTION   "Attribution"
#define OMEN_LICENSE_NONCOMMERCIAL "Non-commercial"
#define OMEN_LICENSE_UNDOCUMENTED  "Undocumented"
const char *omen_license_class(const char *license_id, size_t len);
/* Whether the mapping knows the id (a class from its tables, or none/unknown/other); an id it
 * does not know gets Undocumented too, and the ingest counts it as unmapped. */
bool omen_license_known(const char *license_id, size_t len);

/* Derivation relations of the data model, and whether a string is one. */
bool omen_relation_valid(const char *s, size_t len);
/* The canonical relation for a spelling (a relation, or one of its aliases: "fine-tuned",
 * "lora", "quantised", ...; case ignored, no trimming), or NULL. */
const char *omen_relation_canonical(const char *s, size_t len);
/* The organisation types of the data model; returns the canonical spelling or NULL. */
const char *omen_org_type_parse(const char *s, size_t len);

/* The released dataset's modality pairs ("Text -> Image"): one word of the input side as an
 * input_modality label, one word of the output side as an output_modality label (classification
 * and embeddings take the input side's medium: "Image -> Classification" is Image
 * Classification). NULL when no label means it. */
const char *omen_modality_input(const char *s, size_t len);
const char *omen_modality_output(const char *s, size_t len, const char *input);

#endif
