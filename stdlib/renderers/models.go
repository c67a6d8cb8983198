package renderers

import "strings"

// ModelRenderer is one row of the model -> recommended renderer table.
type ModelRenderer struct {
	// Model is a model name, matched exactly after removing an "org/"
	// prefix, or a prefix when it ends with "*".
	Model    string
	Renderer string
}

// ModelRenderers is the recommended-renderer table, first match wins
// (tinker-cookbook's model_info, ../shared/reference/cookbook-semantics.md
// §8.2). Models not listed fall back to DefaultRenderer. The compiler
// names the choice in a warning (through the catalog) and the chat stage
// kinds apply it (chatsetup.Renderer); this is the only copy.
var ModelRenderers = []ModelRenderer{
	{"Llama-3.1-8B-Instruct", "llama3"},
	{"Llama-3.3-70B-Instruct", "llama3"},
	{"Llama-3.2-1B", "role_colon"},
	{"Llama-3.2-3B", "role_colon"},
	{"Llama-3.1-8B", "role_colon"},
	{"Llama-3.1-70B", "role_colon"},
	{"Qwen3-8B-Base", "role_colon"},
	{"Qwen3-30B-A3B-Base", "role_colon"},
	{"Qwen3.5-9B-Base", "role_colon"},
	{"Qwen3.5-35B-A3B-Base", "role_colon"},
	{"DeepSeek-V3.1-Base", "role_colon"},
	{"Qwen3-4B-Instruct-2507", "qwen3_instruct"},
	{"Qwen3-30B-A3B-Instruct-2507", "qwen3_instruct"},
	{"Qwen3-235B-A22B-Instruct-2507", "qwen3_instruct"},
	{"Qwen3-8B", "qwen3"},
	{"Qwen3-32B", "qwen3"},
	{"Qwen3-30B-A3B", "qwen3"},
	{"DeepSeek-V3.1", "deepseekv3"},
	{"gpt-oss-20b", "gpt_oss_no_sysprompt"},
	{"gpt-oss-120b", "gpt_oss_no_sysprompt"},
	{"Kimi-K2-Thinking", "kimi_k2"},
	{"local/*", "role_colon"},
}

// DefaultRenderer is used for models the table does not list.
const DefaultRenderer = "role_colon"

// RecommendedName returns the name of the recommended renderer for a
// model and whether the table listed the model (else DefaultRenderer).
func RecommendedName(model string) (string, bool) {
	short := model
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		short = model[i+1:]
	}
	for _, row := range ModelRenderers {
		if prefix, ok := strings.CutSuffix(row.Model, "*"); ok {
			if strings.HasPrefix(model, prefix) {
				return row.Renderer, true
			}
			continue
		}
		if row.Model == short || row.Model == model {
			return row.Renderer, true
		}
	}
	return DefaultRenderer, false
}

// Recommended returns the renderer the model table recommends for a
// model, and whether the table listed the model (else the default,
// role_colon).
func Recommended(model string) (Renderer, bool, error) {
	name, listed := RecommendedName(model)
	r, err := Get(name)
	return r, listed, err
}
