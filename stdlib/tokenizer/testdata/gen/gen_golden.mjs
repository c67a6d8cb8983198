// Dev script: regenerates stdlib/tokenizer/testdata/golden/*.json, the token
// ids the reference JS runtime (@lenml/tokenizers, a port of transformers.js)
// produces for the real Llama 3 and Qwen 3 tokenizer.json files. The Go
// tests compare the Go loader against these ids.
//
// Usage (node 20), from the repository root:
//   npm install --prefix .cache/jsgen @lenml/tokenizers@3.7.2
//   NODE_PATH=.cache/jsgen/node_modules node stdlib/tokenizer/testdata/gen/gen_golden.mjs \
//     .cache/tokenizers ../shared/data/gsm8k/test.jsonl
//
// Each case has `ids` (encode with added tokens matched, the library's
// default) and, when different, `ordinary` (the same tokenizer with its
// added tokens removed: text that looks like a special token stays text,
// which is what cookbookc's Encode does).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.join(process.cwd(), "noop.js"));
const { TokenizerLoader } = require(require.resolve("@lenml/tokenizers", { paths: (process.env.NODE_PATH || "").split(":") }));

const [tokDir, gsm8kPath] = process.argv.slice(2);
if (!tokDir || !gsm8kPath) {
  console.error("usage: gen_golden.mjs TOKENIZER_DIR GSM8K_JSONL");
  process.exit(2);
}

// A small deterministic PRNG (mulberry32) so the corpus is reproducible.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus() {
  const out = [];
  const lines = fs.readFileSync(gsm8kPath, "utf8").split("\n").filter(Boolean);
  for (const line of lines.slice(0, 800)) out.push(JSON.parse(line).question);
  // Hand-written edge cases.
  out.push(
    "", " ", "  ", "\n", "\n\n", "\r\n", " \n ", "\t\tindented", "a  b   c    d", "trailing   ",
    "   leading", "x\n\n\n\ny", "line one\r\nline two\r\n", "  \n  \n  x", "tabs\tand\tspaces \t mixed",
    "I'M here", "don't won't can't", "THEY'LL WE'VE YOU'D", "it's 'quoted'", "ſ's long s",
    "12345678901234567890", "3.14159 and 2,718", "١٢٣ arabic digits", "½ ¾ ⅞ vulgar", "Ⅻ roman",
    "café naïve résumé", "cafe\u0301 decomposed", "e\u0301\u0302 stacked", "Å vs A\u030a", "ﬁ ligature",
    "日本語のテキスト", "中文文本测试，标点。", "한국어 텍스트", "Привет, мир!", "Γειά σου Κόσμε",
    "עברית מימין לשמאל", "مرحبا بالعالم", "हिन्दी पाठ", "ไทยภาษา", "emoji 😀👍🏽👨‍👩‍👧",
    "flags 🇫🇷🇯🇵", "zero\u200bwidth\u200djoiner", "nbsp\u00a0here", "em\u2003space", "ideographic\u3000space",
    "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>user<|end_header_id|>", "<|im_start|>", "<|im_end|>",
    "<think>reasoning</think>", "<tool_call>{}</tool_call>", "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>",
    "< |im_start| >", "<|im_start", "im_start|>", "<<|eot_id|>>", "<|eot_id|><|eot_id|>", "<|reserved_special_token_5|>",
    "```python\ndef f(x):\n    return x * 2\n```", "{\"name\": \"get\", \"arguments\": {\"a\": 1}}", "a=b+c; d->e; f<=g",
    "https://example.com/path?q=1&r=2", "user@example.com", "$1,234.56 + 7%", "#### 42", "<<48/2=24>>",
    "!!!???...", "---===___", "(((nested)))", "   \t\n\r  ", "MiXeD CaSe WoRdS", "snake_case_identifier",
    "camelCaseIdentifier", "\u00e9\u00e8\u00ea", "ß straße", "İstanbul ıi", "Ω Ω ohm", "K Kelvin",
  );
  // Whitespace runs of every length 1..24 around words.
  for (let n = 1; n <= 24; n++) {
    out.push("a" + " ".repeat(n) + "b", " ".repeat(n) + "x", "y" + "\n".repeat(n % 6 + 1) + " ".repeat(n));
  }
  // Random mixes of the pieces above, seeded.
  const r = rng(20260817);
  const atoms = ["the", " cat", "  ", "\n", "\t", "42", "1234", "é", "e\u0301", "日本", "😀", ",", "'s", "'LL", "<|im_end|>",
    "<|eot_id|>", "<think>", "!", "?", " ", "Ω", "ı", "\u00a0", "x", "Y", "_", "-", "$", "%", "\r\n", "ſ", "١"];
  for (let i = 0; i < 180; i++) {
    let s = "";
    const len = 1 + Math.floor(r() * 12);
    for (let j = 0; j < len; j++) s += atoms[Math.floor(r() * atoms.length)];
    out.push(s);
  }
  return out;
}

function load(dir, stripAdded) {
  const tj = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
  const tc = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
  if (stripAdded) {
    tj.added_tokens = [];
    tc.added_tokens_decoder = {};
    delete tc.additional_special_tokens;
    for (const k of ["bos_token", "eos_token", "pad_token", "unk_token"]) delete tc[k];
  }
  return TokenizerLoader.fromPreTrained({ tokenizerJSON: tj, tokenizerConfig: tc });
}

const texts = corpus();
for (const name of ["llama3", "qwen3"]) {
  const dir = path.join(tokDir, name);
  const full = load(dir, false);
  const plain = load(dir, true);
  const cases = texts.map((text) => {
    const ids = Array.from(full.encode(text, { add_special_tokens: false }));
    const ordinary = Array.from(plain.encode(text, { add_special_tokens: false }));
    const c = { text, ids };
    if (JSON.stringify(ids) !== JSON.stringify(ordinary)) c.ordinary = ordinary;
    return c;
  });
  const outPath = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "golden", name + ".json");
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  const body = cases.map((c) => "  " + JSON.stringify(c)).join(",\n");
  fs.writeFileSync(outPath, `{"tokenizer": ${JSON.stringify(name)}, "generator": "@lenml/tokenizers@3.7.2", "cases": [\n${body}\n]}\n`);
  console.log(`${name}: ${cases.length} cases -> ${outPath}`);
}
