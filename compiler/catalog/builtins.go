package catalog

import "github.com/cookbookc/cookbookc/lang/schema"

// builtinRenderers lists the renderers implemented in stdlib/renderers.
var builtinRenderers = map[string]string{
	"llama3":                      "Llama 3 instruct format (<|start_header_id|>...<|eot_id|>), no tool calls.",
	"role_colon":                  "Plain \"User: ...\\n\\nAssistant: ...\" for base models; stops on the string \"\\n\\nUser:\".",
	"qwen3":                       "Qwen3 ChatML with thinking enabled (<think> blocks).",
	"qwen3_disable_thinking":      "Qwen3 ChatML with an empty <think></think> block; rejects reasoning in trained turns.",
	"qwen3_instruct":              "Qwen3-2507 Instruct ChatML without <think> framing.",
	"deepseekv3":                  "DeepSeek-V3.1, non-thinking.",
	"deepseekv3_thinking":         "DeepSeek-V3.1 with thinking.",
	"deepseekv3_disable_thinking": "Alias of deepseekv3.",
	"kimi_k2":                     "Kimi-K2-Thinking format.",
	"gpt_oss_no_sysprompt":        "gpt-oss Harmony format without the system preamble.",
	"gpt_oss_low_reasoning":       "gpt-oss Harmony format, system preamble with low reasoning.",
	"gpt_oss_medium_reasoning":    "gpt-oss Harmony format, system preamble with medium reasoning.",
	"gpt_oss_high_reasoning":      "gpt-oss Harmony format, system preamble with high reasoning.",
}

// ModelRenderer is one row of the model -> recommended renderer table.
type ModelRenderer struct {
	// Model is a model name, matched exactly after removing an "org/"
	// prefix, or a prefix when it ends with "*".
	Model    string
	Renderer string
}

// ModelRenderers is the recommended-renderer table, first match wins
// (tinker-cookbook model_info). Models not listed fall back to role_colon.
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

// RecommendedRenderer returns the recommended renderer for a model name
// and whether the table listed it.
func RecommendedRenderer(model string) (string, bool) {
	short := model
	for i := len(model) - 1; i >= 0; i-- {
		if model[i] == '/' {
			short = model[i+1:]
			break
		}
	}
	for _, row := range ModelRenderers {
		n := len(row.Model)
		if n > 0 && row.Model[n-1] == '*' {
			if len(model) >= n-1 && model[:n-1] == row.Model[:n-1] {
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

func builtinManifests() []*schema.Manifest {
	local := func() map[string]schema.ManifestPort {
		return map[string]schema.ManifestPort{
			schema.PortTrainingClient: {Adapter: "local"},
			schema.PortSamplingClient: {Adapter: "local"},
			schema.PortDatasetStore:   {Adapter: "local"},
			schema.PortBlobStore:      {Adapter: "local"},
			schema.PortHubClient:      {Adapter: "hf"},
			schema.PortMetricsSink:    {Adapter: "none"},
		}
	}
	// dev and prod read hf:// datasets as well as local files; default
	// and local keep the local store, which never touches the network.
	dev := local()
	dev[schema.PortDatasetStore] = schema.ManifestPort{Adapter: "hf"}
	dev[schema.PortLLMClient] = schema.ManifestPort{Adapter: "openai"}
	dev[schema.PortEmbeddingClient] = schema.ManifestPort{Adapter: "openai"}
	dev[schema.PortVectorStore] = schema.ManifestPort{Adapter: "memory"}
	return []*schema.Manifest{
		{Name: "default", Summary: "Embedded default: the local training backend, local files and blobs; runs offline.", Ports: local()},
		{Name: "local", Summary: "Same as default: everything on this machine.", Ports: local()},
		{Name: "dev", Summary: "Local training plus remote helpers (hub datasets, OpenAI-compatible LLM and embeddings, in-memory vectors).", Ports: dev},
		{Name: "test", Summary: "Deterministic fakes for every port (for tests; trains nothing).", Ports: map[string]schema.ManifestPort{
			schema.PortTrainingClient: {Adapter: "fake"}, schema.PortSamplingClient: {Adapter: "fake"},
			schema.PortDatasetStore: {Adapter: "fake"}, schema.PortBlobStore: {Adapter: "fake"},
			schema.PortHubClient: {Adapter: "fake"}, schema.PortLLMClient: {Adapter: "fake"},
			schema.PortEmbeddingClient: {Adapter: "fake"}, schema.PortVectorStore: {Adapter: "fake"},
			schema.PortMetricsSink: {Adapter: "none"},
		}},
		{Name: "prod", Summary: "The remote training service (Tinker), Hugging Face hub and S3.", Ports: map[string]schema.ManifestPort{
			schema.PortTrainingClient: {Adapter: "tinker"}, schema.PortSamplingClient: {Adapter: "tinker"},
			schema.PortDatasetStore: {Adapter: "hf"}, schema.PortBlobStore: {Adapter: "s3"},
			schema.PortHubClient: {Adapter: "hf"}, schema.PortLLMClient: {Adapter: "openai"},
			schema.PortEmbeddingClient: {Adapter: "openai"}, schema.PortVectorStore: {Adapter: "memory"},
			schema.PortMetricsSink: {Adapter: "none"},
		}},
	}
}
