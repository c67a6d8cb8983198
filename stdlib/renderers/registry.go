package renderers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// builtins constructs the built-in renderers by name; keep in sync with
// compiler/catalog (a test checks both directions).
var builtins = map[string]func() format{
	"llama3":                      func() format { return llama3{} },
	"role_colon":                  func() format { return roleColon{} },
	"qwen3":                       func() format { return qwen3{mode: qwenThinking} },
	"qwen3_disable_thinking":      func() format { return qwen3{mode: qwenNoThink} },
	"qwen3_instruct":              func() format { return qwen3{mode: qwenInstruct} },
	"deepseekv3":                  func() format { return deepseek{} },
	"deepseekv3_disable_thinking": func() format { return deepseek{} }, // alias of deepseekv3
	"deepseekv3_thinking":         func() format { return deepseek{thinking: true} },
	"kimi_k2":                     func() format { return kimiK2{} },
	"gpt_oss_no_sysprompt":        func() format { return newGptOSS("", now()) },
	"gpt_oss_low_reasoning":       func() format { return newGptOSS("low", now()) },
	"gpt_oss_medium_reasoning":    func() format { return newGptOSS("medium", now()) },
	"gpt_oss_high_reasoning":      func() format { return newGptOSS("high", now()) },
}

// now is the clock of the gpt-oss system preamble's date (tests fix it).
var now = time.Now

// Names returns the built-in renderer names, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(builtins))
}

// Get returns the built-in renderer called name. An unknown name is an
// error that suggests the closest known one.
func Get(name string) (Renderer, error) {
	if mk, ok := builtins[name]; ok {
		f := mk()
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
// tokenizer's BOS token when it has one (role_colon; cookbook-semantics
// §8.3). Formats with a BOS of their own (llama3, deepseekv3) do not.
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

// Recommended returns the renderer the model table (compiler/catalog)
// recommends for a model, and whether the table listed the model (else
// the default, role_colon).
func Recommended(model string) (Renderer, bool, error) {
	name, listed := catalog.RecommendedRenderer(model)
	r, err := Get(name)
	return r, listed, err
}
