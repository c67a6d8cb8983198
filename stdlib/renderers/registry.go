package renderers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// builtin is a built-in renderer: its one-line summary (the catalog's
// renderer list, `cookbookc render --help`, SPEC.md §12) and its
// constructor. This table is the only list of built-in renderer names.
type builtin struct {
	summary string
	make    func() format
}

var builtins = map[string]builtin{
	"llama3":                      {"Llama 3 instruct format (<|start_header_id|>...<|eot_id|>), no tool calls.", func() format { return llama3{} }},
	"role_colon":                  {"Plain \"User: ...\\n\\nAssistant: ...\" for base models; stops on the string \"\\n\\nUser:\".", func() format { return roleColon{} }},
	"qwen3":                       {"Qwen3 ChatML with thinking enabled (<think> blocks).", func() format { return qwen3{mode: qwenThinking} }},
	"qwen3_disable_thinking":      {"Qwen3 ChatML with an empty <think></think> block; rejects reasoning in trained turns.", func() format { return qwen3{mode: qwenNoThink} }},
	"qwen3_instruct":              {"Qwen3-2507 Instruct ChatML without <think> framing.", func() format { return qwen3{mode: qwenInstruct} }},
	"deepseekv3":                  {"DeepSeek-V3.1, non-thinking.", func() format { return deepseek{} }},
	"deepseekv3_disable_thinking": {"Alias of deepseekv3.", func() format { return deepseek{} }},
	"deepseekv3_thinking":         {"DeepSeek-V3.1 with thinking.", func() format { return deepseek{thinking: true} }},
	"kimi_k2":                     {"Kimi-K2-Thinking format.", func() format { return kimiK2{} }},
	"gpt_oss_no_sysprompt":        {"gpt-oss Harmony format without the system preamble.", func() format { return newGptOSS("", now()) }},
	"gpt_oss_low_reasoning":       {"gpt-oss Harmony format, system preamble with low reasoning.", func() format { return newGptOSS("low", now()) }},
	"gpt_oss_medium_reasoning":    {"gpt-oss Harmony format, system preamble with medium reasoning.", func() format { return newGptOSS("medium", now()) }},
	"gpt_oss_high_reasoning":      {"gpt-oss Harmony format, system preamble with high reasoning.", func() format { return newGptOSS("high", now()) }},
}

// now is the clock of the gpt-oss system preamble's date (tests fix it).
var now = time.Now

// Names returns the built-in renderer names, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(builtins))
}

// Summaries returns each built-in renderer's one-line summary by name,
// for the catalog the compiler checks renderer.NAME against.
func Summaries() map[string]string {
	out := make(map[string]string, len(builtins))
	for name, b := range builtins {
		out[name] = b.summary
	}
	return out
}

// Get returns the built-in renderer called name. An unknown name is an
// error that suggests the closest known one.
func Get(name string) (Renderer, error) {
	if b, ok := builtins[name]; ok {
		f := b.make()
		e := engine{f: f}
		if f.name() != name {
			e.alias = name
		}
		return e, nil
	}
	msg := fmt.Sprintf("unknown renderer %q", name)
	if s := diag.Suggest(name, Names()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, fmt.Errorf("%s (built-in renderers: %s)", msg, strings.Join(Names(), ", "))
}

// usesTokenizerBOS is implemented by formats that start with the
// tokenizer's BOS token when it has one (role_colon;
// ../shared/reference/cookbook-semantics.md §8.3). Formats with a BOS of their own (llama3, deepseekv3) do not.
type usesTokenizerBOS interface {
	withBOS(bos string) format
}

// ForTokenizer returns r as it renders for tok: a format that uses the
// tokenizer's BOS (role_colon) starts every rendering with tok's BOS as
// one special segment of weight 0, when tok defines one (the byte-level
// tokenizer does not). Other renderers are returned unchanged. Call it
// once the tokenizer is loaded, before rendering.
func ForTokenizer(r Renderer, tok tokenizer.Tokenizer) (Renderer, error) {
	e, ok := r.(engine)
	if !ok {
		return r, nil
	}
	f, ok := e.f.(usesTokenizerBOS)
	if !ok {
		return r, nil
	}
	bos, ok := tokenizer.BOS(tok)
	if !ok {
		return r, nil
	}
	if _, ok := tok.SpecialID(bos); !ok {
		return nil, fmt.Errorf("renderer %s: tokenizer %s's BOS %q is not one of its special tokens", r.Name(), tok.ID(), bos)
	}
	e.f = f.withBOS(bos)
	return e, nil
}
