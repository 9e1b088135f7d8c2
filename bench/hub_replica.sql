-- bench/hub_replica.sql: one week of the seeded replica of hub-stats models.parquet (see
-- bench/hub-replica, which fills in the @NAME@ parameters and runs this through libduckdb).
--
-- Model i (i = 0, 1, ...) is a pure function of (seed, i): its id, developer, creation time,
-- base models, tags, card, files, config and download rate. Models 0 .. NFIRST-1 exist in week 0
-- (created from 2020 on, more of them recently); week w >= 1 adds NEW models, created between
-- the snapshots of weeks w-1 and w; each model is deleted after a geometric number of weeks
-- (PDEL per week). Weekly downloads are drawn from a per-model heavy-tailed (Pareto) rate that
-- decays with age, times noise, stochastically rounded (so small models often get 0 in a week);
-- downloadsAllTime is the previous week's (STATE_IN, a parquet of i, cum) plus this week's, so it
-- never decreases, and its value at a model's first week is the integral of its rate so far.
-- Every random number is hash(i, key, seed): the output depends only on (seed, week, NFIRST,
-- NEW, PDEL, START) and the libduckdb version (hash() is DuckDB's).
SET threads = @THREADS@;
SET preserve_insertion_order = true;
SET TimeZone = 'UTC';

-- uniform in [0, 1) and roughly standard normal (sum of three uniforms), keyed by (i, k)
CREATE MACRO u(i, k) AS (hash(i, k, @SEED@) >> 11)::DOUBLE / 9007199254740992.0;
CREATE MACRO z(i, k) AS (u(i, k) + u(i, k + 7919) + u(i, k + 15887) - 1.5) * 2.0;
CREATE MACRO pick(l, i, k) AS l[1 + floor(u(i, k) * len(l))::BIGINT];
-- times are microseconds since the epoch (BIGINT arithmetic; TIMESTAMPTZ only in the output)
CREATE MACRO us_tz(x) AS to_timestamp(x // 1000000) + to_microseconds(x % 1000000);
-- the snapshot time of week w: the last hub-stats copy before the next folder date (Sunday noon)
CREATE MACRO snap_us(w) AS @START_US@ + (156 + 168 * w) * 3600000000;
CREATE MACRO birth(i) AS CASE WHEN i < @NFIRST@ THEN 0 ELSE 1 + (i - @NFIRST@) // @NEW@ END;
-- the first week the model is gone (geometric after its birth week)
CREATE MACRO death(i) AS birth(i) + 1
    + floor(ln(1.0 - u(i, 11)) / ln(1.0 - @PDEL@))::BIGINT;
CREATE MACRO back_us(i) AS CAST(pow(u(i, 12), 2.2) * 1600 * 86400e6 AS BIGINT);
CREATE MACRO created_us(i) AS CASE
    WHEN i >= @NFIRST@ THEN snap_us(birth(i) - 1) + CAST(u(i, 12) * 604800e6 AS BIGINT)
    -- the Hub's created-date artifact: models older than 2022-03-02 mostly show that date
    WHEN snap_us(0) - back_us(i) < 1646179200000000 AND u(i, 13) < 0.8 THEN 1646263744000000
    ELSE snap_us(0) - back_us(i)
END;
-- base-worthy models: every 50th index (a family's release), mostly popular
CREATE MACRO is_base(i) AS i % 50 = 7;
-- weekly download rate at creation: 25% never downloaded, the rest Pareto(0.9), base models 20x
CREATE MACRO rate0(i) AS CASE WHEN u(i, 20) < 0.25 AND NOT is_base(i) THEN 0.0
    ELSE least(2e7, 0.6 * (pow(1.0 - u(i, 21), -1.0 / 0.9) - 1.0) * CASE WHEN is_base(i) THEN 20 ELSE 1 END) END;
CREATE MACRO tau(i) AS 4.0 + 150.0 * u(i, 22);
CREATE MACRO age_weeks(cr, w) AS greatest(0.0, (snap_us(w) - cr) / 604800e6);

-- a dozen chat templates in the common styles (written here; real ones are 0.3-5 KB of Jinja)
CREATE MACRO templates() AS [
$${% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}$$,
$${{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}$$,
$${% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}$$,
$${{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}$$,
$${% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + eos_token }}{% elif message['role'] == 'system' %}{{ '<|system|>\n' + message['content'] + eos_token }}{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\n'  + message['content'] + eos_token }}{% endif %}{% if loop.last and add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}{% endfor %}$$,
$${% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + '\n\n' }}{% elif message['role'] == 'user' %}{{ '### Instruction:\n' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %}{{ '### Response:\n' + message['content'] + eos_token + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '### Response:\n' }}{% endif %}$$,
$${%- if tools %}{{- '<|im_start|>system\n' }}{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- else %}{{- 'You are a helpful assistant.' }}{%- endif %}{{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}{%- for tool in tools %}{{- "\n" }}{{- tool | tojson }}{%- endfor %}{{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}{%- else %}{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{%- endif %}{%- endif %}{%- for message in messages %}{%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}{%- elif message.role == "assistant" %}{{- '<|im_start|>' + message.role }}{%- if message.content %}{{- '\n' + message.content }}{%- endif %}{%- for tool_call in message.tool_calls %}{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}{{- '\n<tool_call>\n{"name": "' }}{{- tool_call.name }}{{- '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\n</tool_call>' }}{%- endfor %}{{- '<|im_end|>\n' }}{%- elif message.role == "tool" %}{%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}{{- '<|im_start|>user' }}{%- endif %}{{- '\n<tool_response>\n' }}{{- message.content }}{{- '\n</tool_response>' }}{%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}{{- '<|im_end|>\n' }}{%- endif %}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}$$,
$${% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}$$,
$${% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% set loop_messages = messages[1:] %}{% else %}{% set system_message = 'A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user questions.' %}{% set loop_messages = messages %}{% endif %}{{ system_message + ' ' }}{% for message in loop_messages %}{% if message['role'] == 'user' %}{{ 'USER: ' + message['content'] + ' ' }}{% elif message['role'] == 'assistant' %}{{ 'ASSISTANT: ' + message['content'] + eos_token }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}$$,
$${{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ 'User: ' + message['content'] + '\n\n' }}{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' + message['content'] + eos_token }}{% elif message['role'] == 'system' %}{{ message['content'] + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}$$,
$${%- set ns = namespace(found=false) -%}{%- for message in messages -%}{%- if message['role'] == 'system' -%}{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{{bos_token}}{%- if not ns.found -%}{{'You are an AI programming assistant. You only answer questions related to computer science. For politically sensitive questions, security and privacy issues, and other non-computer science questions, you will refuse to answer.\n'}}{%- endif %}{%- for message in messages %}{%- if message['role'] == 'system' %}{{ message['content'] }}{%- else %}{%- if message['role'] == 'user' %}{{'### Instruction:\n' + message['content'] + '\n'}}{%- else %}{{'### Response:\n' + message['content'] + '\n<|EOT|>\n'}}{%- endif %}{%- endif %}{%- endfor %}{% if add_generation_prompt %}{{'### Response:'}}{% endif %}$$,
$${% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end_of_text|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}$$
];

-- derivations: a base is an earlier base-worthy model (older ones more often)
CREATE MACRO base_of(i, k) AS (floor(i * pow(u(i, k), 4.0) / 50) * 50 + 7)::BIGINT;
CREATE MACRO relation(i) AS CASE
    WHEN base_of(i, 40) >= i OR u(i, 41) >= CASE WHEN is_base(i) THEN 0.3 ELSE 0.45 END THEN NULL
    WHEN u(i, 42) < 0.50 THEN 'finetune'
    WHEN u(i, 42) < 0.75 THEN 'quantized'
    WHEN u(i, 42) < 0.90 THEN 'adapter'
    ELSE 'merge' END;

-- names (invented): namespaces heavy-tailed over developers, ids unique by i
CREATE MACRO dev(i) AS floor(greatest(50, @NFIRST@ // 6) * pow(u(i, 50), 3.0))::BIGINT;
CREATE MACRO syl(d, k) AS pick(['ka','lo','mi','ra','te','zu','no','vi','sa','de','po','li','gu','fe','xo','an',
    'bel','cor','dan','el','fin','gar','hal','is','jor','kel','lum','mar','nel','or','pra','qui'], d, k);
CREATE MACRO namespace(i) AS CASE WHEN dev(i) % 5 = 0
    THEN syl(dev(i), 51) || syl(dev(i), 52) || '-' || pick(['ai','labs','research','ml','tech','nlp','org'], dev(i), 53) || dev(i)
    ELSE syl(dev(i), 51) || syl(dev(i), 52) || syl(dev(i), 54) || dev(i)::VARCHAR END;
CREATE MACRO family(i) AS pick(['Nova','Atlas','Orca','Lyra','Zephyrine','Mistra','Falco','Terra','Vega',
    'Sirius','Kappa','Helix','Corvid','Pavo','Quill','Rune'], i // 50, 60);
CREATE MACRO size_k(i) AS 1 + floor(u(i // 50, 61) * 10)::BIGINT;
CREATE MACRO size_b(i) AS [0.1, 0.35, 0.5, 1.5, 3.0, 7.0, 8.0, 13.0, 32.0, 70.0][size_k(i)]::DOUBLE;
CREATE MACRO mname(i) AS family(i) || '-' || ['0.1B', '350M', '0.5B', '1.5B', '3B', '7B', '8B', '13B', '32B', '70B'][size_k(i)] || '-'
    || pick(['instruct','chat','base','sft','dpo','v2','it','uncensored','math','coder'], i, 62) || '-' || lower(hex(i));
CREATE MACRO model_id(i, rel, b1) AS namespace(i) || '/' || CASE rel
    WHEN 'quantized' THEN mname(b1) || '-' || CASE WHEN u(i, 75) < 0.8 THEN pick(['GGUF', 'i1-GGUF'], i, 63) ELSE pick(['AWQ', 'GPTQ', '4bit', 'MLX-4bit'], i, 63) END || '-' || lower(hex(i))
    ELSE mname(i) END;
CREATE MACRO oid(i) AS substr(md5('@SEED@/' || i::VARCHAR), 1, 24);

-- the models alive this week, their attributes (computed once) and downloads
CREATE TEMP TABLE alive AS
SELECT i, created_us(i) AS cr, rate0(i) AS r0, tau(i) AS tau
FROM range(0, @NFIRST@ + @WEEK@ * @NEW@) t(i) WHERE death(i) > @WEEK@;
CREATE TEMP TABLE counts AS
SELECT a.i, a.cr, a.rate,
    coalesce(s.cum, CASE WHEN a.i < @NFIRST@ THEN
        -- downloads before week 0 (models of the first snapshot): the rate's integral, with noise
        floor(a.r0 * a.tau * ln(1.0 + age_weeks(a.cr, 0) / a.tau) * exp(0.3 * z(a.i, 30)))::BIGINT
        ELSE 0 END)
    -- this week's downloads: rate x lognormal noise, stochastically rounded
    + floor(a.rate * exp(0.4 * z(a.i, 1000 + 4 * @WEEK@)) + u(a.i, 1001 + 4 * @WEEK@))::BIGINT AS cum
FROM (SELECT *, r0 / (1.0 + age_weeks(cr, @WEEK@) / tau) AS rate FROM alive) a
LEFT JOIN (@STATE_IN@) s ON s.i = a.i
ORDER BY a.i;
COPY (SELECT i, cum FROM counts) TO '@STATE_OUT@' (FORMAT parquet, COMPRESSION zstd);
-- the catalog of the models born this week: every column that does not change week to week
-- (written to CATALOG_OUT; the listing reads the catalogs of weeks 0..WEEK back in order)
CREATE TEMP TABLE born AS
SELECT i, created_us(i) AS cr, rel, b1, b2,
    model_id(i, rel, b1) AS id,
    CASE WHEN rel IS NOT NULL THEN model_id(b1, relation(b1), base_of(b1, 40)) END AS id1,
    CASE WHEN rel = 'merge' AND b2 <> b1 THEN model_id(b2, relation(b2), base_of(b2, 43)) END AS id2,
    namespace(i) AS ns, mname(i) AS name
FROM (SELECT i, relation(i) AS rel, base_of(i, 40) AS b1, base_of(i, 43) AS b2
      FROM range(@BORN_LO@, @BORN_HI@) t(i));

CREATE TEMP VIEW catalog_new AS
WITH m AS (
    SELECT i, rel, b1, b2, cr, id, id1, id2, ns, name,
        u(i, 70) AS ulib, u(i, 71) AS ulic, u(i, 72) AS ulang, u(i, 73) AS ufiles, u(i, 74) AS ucard,
    FROM born
), m2 AS (
    SELECT *,
        CASE WHEN rel = 'quantized' AND u(i, 75) < 0.8 THEN 'gguf'
             WHEN rel = 'adapter' THEN 'peft'
             WHEN ulib < 0.45 THEN 'transformers' WHEN ulib < 0.55 THEN 'diffusers'
             WHEN ulib < 0.65 THEN 'sentence-transformers' WHEN ulib < 0.70 THEN 'timm'
             WHEN ulib < 0.73 THEN 'mlx' WHEN ulib < 0.76 THEN 'ml-agents'
             WHEN ulib < 0.80 THEN 'stable-baselines3' ELSE NULL END AS lib,
        CASE WHEN ulic < 0.30 THEN 'apache-2.0' WHEN ulic < 0.42 THEN 'mit'
             WHEN ulic < 0.48 THEN 'llama3.1' WHEN ulic < 0.52 THEN 'cc-by-4.0'
             WHEN ulic < 0.56 THEN 'creativeml-openrail-m' WHEN ulic < 0.60 THEN 'other'
             WHEN ulic < 0.62 THEN 'gemma' WHEN ulic < 0.64 THEN 'cc-by-nc-4.0' ELSE NULL END AS license,
        CASE WHEN ulang < 0.30 THEN ['en'] WHEN ulang < 0.36 THEN ['en', 'zh']
             WHEN ulang < 0.40 THEN [pick(['fr','de','es','ja','ko','ru','ar','hi','pt','it','vi','tr','id'], i, 76)]
             WHEN ulang < 0.41 THEN ['en','fr','de','es','it','pt','hi','th'] ELSE [] END AS langs,
        CASE WHEN u(i, 77) < 0.30 THEN 'text-generation' WHEN u(i, 77) < 0.38 THEN 'text-classification'
             WHEN u(i, 77) < 0.45 THEN 'text-to-image' WHEN u(i, 77) < 0.50 THEN 'sentence-similarity'
             WHEN u(i, 77) < 0.55 THEN 'automatic-speech-recognition' WHEN u(i, 77) < 0.58 THEN 'image-classification'
             WHEN u(i, 77) < 0.61 THEN 'token-classification' WHEN u(i, 77) < 0.63 THEN 'reinforcement-learning'
             WHEN u(i, 77) < 0.66 THEN 'image-text-to-text' WHEN u(i, 77) < 0.68 THEN 'feature-extraction'
             WHEN u(i, 77) < 0.70 THEN 'text-to-speech' ELSE NULL END AS pipe,
        CASE WHEN rel = 'adapter' THEN NULL
             ELSE CAST(size_b(CASE WHEN rel IS NULL THEN i ELSE b1 END) * 1e9 * (0.97 + 0.06 * u(i, 78)) AS BIGINT) END AS params,
        CASE WHEN ufiles < 0.04 AND (rel IS NULL OR rel = 'finetune') THEN 2 + floor(18 * u(i, 79))::BIGINT ELSE 0 END AS nck,
        CASE WHEN params > 5e9 THEN 2 + floor(params / 4e9)::BIGINT ELSE 1 END AS shards,
        dev(i) AS dv
    FROM m
)
SELECT
    i,
    oid(i) AS _id,
    id,
    CASE WHEN u(i, 80) < 0.1 THEN NULL ELSE ns END AS author,
    us_tz(cr) AS createdAt,
    list_filter([lib, CASE WHEN params IS NOT NULL AND lib IS DISTINCT FROM 'gguf' THEN 'safetensors' END,
            CASE WHEN pipe IN ('text-generation', 'image-text-to-text') THEN lower(family(coalesce(b1, i))) END, pipe,
            CASE WHEN pipe = 'text-generation' AND u(i, 83) < 0.5 THEN 'conversational' END]
        || langs
        || CASE WHEN rel IS NULL THEN []
                ELSE ['base_model:' || id1, 'base_model:' || rel || ':' || id1]
                    || CASE WHEN rel = 'merge' AND b2 <> b1 THEN ['base_model:' || id2, 'base_model:merge:' || id2] ELSE [] END
           END
        || CASE WHEN u(i, 84) < 0.15 THEN ['dataset:' || namespace(i // 3) || '/' || pick(['alpaca','ultrachat','orca-math','dolly','sharegpt','openhermes'], i, 85)] ELSE [] END
        || CASE WHEN u(i, 86) < 0.05 THEN ['arxiv:' || (2300 + floor(u(i, 87) * 200)::BIGINT)::VARCHAR || '.' || lpad((floor(u(i, 88) * 99999)::BIGINT)::VARCHAR, 5, '0')] ELSE [] END
        || [CASE WHEN license IS NOT NULL THEN 'license:' || license END,
            CASE WHEN lib = 'transformers' THEN 'autotrain_compatible' END,
            CASE WHEN pipe = 'text-generation' THEN 'text-generation-inference' END,
            CASE WHEN u(i, 89) < 0.6 THEN 'endpoints_compatible' END, 'region:us'],
        x -> x IS NOT NULL) AS tags,
    pipe AS pipeline_tag,
    lib AS library_name,
    CASE WHEN rel IS NULL THEN NULL ELSE {
        'models': [{'_id': oid(b1), 'id': id1}]
            || CASE WHEN rel = 'merge' AND b2 <> b1 THEN [{'_id': oid(b2), 'id': id2}] ELSE [] END,
        'relation': rel} END AS baseModels,
    CASE WHEN params IS NULL OR lib = 'gguf' THEN NULL ELSE {
        'parameters': {
            'BF16': CASE WHEN u(i, 90) < 0.6 THEN params END,
            'F16': CASE WHEN u(i, 90) BETWEEN 0.6 AND 0.75 THEN params END,
            'F32': CASE WHEN u(i, 90) >= 0.75 THEN params ELSE CASE WHEN u(i, 91) < 0.1 THEN 64 END END,
            'I8': CASE WHEN rel = 'quantized' THEN params // 2 END,
            'U8': CAST(NULL AS BIGINT), 'I32': CAST(NULL AS BIGINT),
            'I64': CASE WHEN u(i, 91) < 0.05 THEN 514 END,
            'F8_E4M3': CASE WHEN u(i, 92) < 0.01 THEN params END},
        'total': params} END AS safetensors,
    CASE WHEN ucard < 0.25 THEN NULL ELSE to_json({
        'license': license,
        'language': CASE WHEN len(langs) > 0 THEN langs END,
        'base_model': CASE WHEN rel = 'merge' AND b2 <> b1 THEN to_json([id1, id2])
                           WHEN rel IS NOT NULL THEN to_json(id1) END,
        'base_model_relation': rel,
        'library_name': lib,
        'pipeline_tag': pipe,
        'tags': list_filter([CASE WHEN rel = 'merge' THEN 'mergekit' END, CASE WHEN u(i, 93) < 0.3 THEN 'trl' END,
            CASE WHEN u(i, 93) < 0.15 THEN 'sft' END, CASE WHEN u(i, 94) < 0.2 THEN 'unsloth' END,
            CASE WHEN u(i, 94) < 0.1 THEN 'generated_from_trainer' END], x -> x IS NOT NULL),
        'datasets': CASE WHEN u(i, 84) < 0.15 THEN [namespace(i // 3) || '/' || pick(['alpaca','ultrachat','orca-math','dolly','sharegpt','openhermes'], i, 85)] END,
        'model-index': CASE WHEN u(i, 95) < 0.1 THEN [{'name': name, 'results': [{'task': {'type': pipe},
            'metrics': [{'type': 'accuracy', 'value': round(u(i, 96), 4)}, {'type': 'f1', 'value': round(u(i, 97), 4)}]}]}] END
        })::VARCHAR END AS cardData,
    -- files: the usual few, weight shards, GGUF quantizations, training checkpoints, event logs
    list_transform(
        ['.gitattributes', 'README.md']
        || CASE WHEN lib = 'gguf' THEN list_transform(['Q2_K','Q3_K_M','Q4_K_M','Q5_K_M','Q6_K','Q8_0','IQ4_XS','f16'][1:2 + floor(6 * u(i, 98))::BIGINT],
                q -> mname(b1) || '.' || q || '.gguf')
           WHEN rel = 'adapter' THEN ['adapter_config.json', 'adapter_model.safetensors']
           WHEN shards > 1 THEN list_transform(range(1, shards + 1), s -> 'model-' || lpad(s::VARCHAR, 5, '0') || '-of-' || lpad(shards::VARCHAR, 5, '0') || '.safetensors')
                || ['model.safetensors.index.json']
           WHEN params IS NOT NULL THEN ['model.safetensors']
           ELSE [pick(['pytorch_model.bin','model.onnx','diffusion_pytorch_model.bin','model.pt','checkpoint.pth'], i, 99)] END
        || CASE WHEN lib IN ('transformers', 'peft', 'sentence-transformers') THEN
                ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']
                || CASE WHEN pipe = 'text-generation' THEN ['generation_config.json'] ELSE [] END
           ELSE [] END
        || CASE WHEN u(i, 100) < 0.15 THEN ['training_args.bin'] ELSE [] END
        || flatten(list_transform(range(1, nck + 1), k -> list_transform(
                ['config.json', 'model.safetensors', 'optimizer.pt', 'rng_state.pth', 'scheduler.pt', 'trainer_state.json', 'training_args.bin'],
                f -> 'checkpoint-' || (k * (100 + 100 * (i % 10)))::VARCHAR || '/' || f)))
        || CASE WHEN u(i, 101) < 0.12 THEN list_transform(range(0, 1 + floor(3 * u(i, 102))::BIGINT), r ->
                'runs/' || strftime(make_timestamp(cr + r * 3600000000), '%b%d_%H-%M-%S') || '_' || syl(i, 103) || syl(i, 104) || '-gpu' || (i % 97)::VARCHAR
                || '/events.out.tfevents.' || (cr // 1000000)::VARCHAR || '.' || syl(i, 103) || syl(i, 104) || '.' || (1000 + hash(i, r) % 90000)::VARCHAR || '.0')
           ELSE [] END,
        f -> {'rfilename': f}) AS siblings,
    CASE WHEN lib = 'gguf' THEN {
        'total': params, 'architecture': lower(family(b1)), 'context_length': pick([2048, 4096, 8192, 32768, 131072], b1, 110),
        'chat_template': CASE WHEN u(i, 111) < 0.7 THEN pick(templates(), b1, 112) END,
        'bos_token': '<s>', 'eos_token': pick(['</s>', '<|eot_id|>', '<|im_end|>', '<end_of_turn>'], b1, 113)} END AS gguf,
    CASE WHEN lib IN ('transformers', 'peft', 'sentence-transformers', 'mlx') THEN {
        'architectures': [family(coalesce(b1, i)) || pick(['ForCausalLM', 'ForSequenceClassification', 'Model', 'ForConditionalGeneration'], coalesce(b1, i), 114)],
        'model_type': lower(family(coalesce(b1, i))),
        'tokenizer_config': {
            'bos_token': '<s>', 'eos_token': pick(['</s>', '<|eot_id|>', '<|im_end|>', '<end_of_turn>'], coalesce(b1, i), 113),
            'pad_token': CASE WHEN u(i, 115) < 0.5 THEN '<pad>' END, 'unk_token': CASE WHEN u(i, 115) < 0.3 THEN '<unk>' END,
            -- chat templates: a dozen shared ones, and a custom system prompt in 5% of models
            'chat_template': CASE WHEN pipe IN ('text-generation', 'image-text-to-text') THEN
                pick(templates(), coalesce(b1, i), 112)
                || CASE WHEN u(i, 116) < 0.05 THEN '{# system: You are ' || name || ', an assistant by ' || ns || '. #}' ELSE '' END END},
        'quantization_config': CASE WHEN rel = 'quantized' THEN {'quant_method': pick(['awq', 'gptq', 'bitsandbytes'], i, 117), 'bits': 4} END,
        'additional_chat_templates': CAST(NULL AS VARCHAR[])} END AS config,
    CASE WHEN params IS NULL THEN floor(exp(14 + 8 * u(i, 118)))::BIGINT
         ELSE params * CASE WHEN lib = 'gguf' THEN 4 ELSE 2 END * (1 + nck) END AS usedStorage
FROM m2;
COPY catalog_new TO '@CATALOG_OUT@' (FORMAT parquet, COMPRESSION zstd);

-- the listing: the catalog rows of the models alive this week, in the order of counts (both by
-- i), with the columns that change week to week
CREATE TEMP VIEW listing AS
SELECT c._id, c.id, c.author, c.createdAt,
    us_tz(least(snap_us(@WEEK@), k.cr + CAST(pow(u(k.i, 81), 3.0) * 200 * 86400e6 AS BIGINT))) AS lastModified,
    floor(k.rate * 4.3 * exp(0.2 * z(k.i, 1002 + 4 * @WEEK@)))::BIGINT AS downloads,
    k.cum AS downloadsAllTime,
    floor(0.002 * pow(k.cum, 0.75) * exp(0.5 * z(k.i, 82)))::BIGINT AS likes,
    floor(sqrt(k.rate) / 40 * u(k.i, 1003 + 4 * @WEEK@))::BIGINT AS trendingScore,
    c.tags, c.pipeline_tag, c.library_name, c.baseModels, c.safetensors, c.cardData, c.siblings,
    c.gguf, c.config, c.usedStorage,
    CASE WHEN k.cum > 100000 THEN list_transform(range(0, least(12, floor(ln(k.cum / 1e5) * u(k.i, 119) * 3))::BIGINT),
            s -> namespace(k.i * 7 + s) || '/' || lower(family(k.i + s)) || '-' || pick(['demo','chat','playground','space','arena'], k.i + s, 120))
         ELSE [] END AS spaces
FROM (SELECT * FROM read_parquet(@CATALOGS@) WHERE death(i) > @WEEK@) c POSITIONAL JOIN counts k;
