package openai

import (
	"context"
	"os"
	"time"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func init() {
	registry.Register(registry.Adapter{Schema: ChatSchema(), New: newChatFromConfig})
	registry.Register(registry.Adapter{Schema: EmbeddingSchema(), New: newEmbeddingFromConfig})
}

// commonFields are the connection settings both adapters share.
func commonFields() []schema.Field {
	return []schema.Field{
		{Name: "base_url", Type: schema.String,
			Doc: "API root of an OpenAI-compatible server; defaults to OPENAI_BASE_URL, then https://api.openai.com/v1."},
		{Name: "api_key", Type: schema.String, Sensitive: true,
			Doc: "API key sent as a bearer token; defaults to OPENAI_API_KEY and may be empty for local servers."},
		{Name: "timeout_seconds", Type: schema.Number, Default: DefaultTimeout.Seconds(), Min: schema.Above(0),
			Doc: "Time limit of each attempt of a request, in seconds."},
		{Name: "max_retries", Type: schema.Int, Default: int64(DefaultMaxRetries), Min: schema.AtLeast(0), Max: schema.AtMost(10),
			Doc: "Retries after a rate limit (429), a server error (5xx) or a network failure."},
		{Name: "retry_budget_seconds", Type: schema.Number, Default: DefaultRetryBudget.Seconds(), Min: schema.Above(0),
			Doc: "No retry starts later than this many seconds after a request's first attempt."},
	}
}

// ChatSchema returns the llm_client adapter's config schema.
func ChatSchema() schema.AdapterSchema {
	return schema.AdapterSchema{
		Port:    schema.PortLLMClient,
		Name:    AdapterName,
		Summary: "OpenAI-compatible chat completions API (OpenAI, vLLM, llama.cpp, Ollama, gateways).",
		Config: append(commonFields(),
			schema.Field{Name: "model", Type: schema.String, Default: DefaultChatModel,
				Doc: "Model used when a stage names none."},
			schema.Field{Name: "max_tokens_param", Type: schema.String, Default: MaxTokensParam,
				Enum: []string{MaxTokensParam, MaxCompletionTokensParam},
				Doc:  "Request field that caps the completion length; OpenAI reasoning models need max_completion_tokens."},
		),
	}
}

// EmbeddingSchema returns the embedding_client adapter's config schema.
func EmbeddingSchema() schema.AdapterSchema {
	return schema.AdapterSchema{
		Port:    schema.PortEmbeddingClient,
		Name:    AdapterName,
		Summary: "OpenAI-compatible embeddings API, batched.",
		Config: append(commonFields(),
			schema.Field{Name: "model", Type: schema.String, Default: DefaultEmbeddingModel,
				Doc: "Model used when a stage names none."},
			schema.Field{Name: "batch_size", Type: schema.Int, Default: int64(DefaultBatchSize),
				Min: schema.AtLeast(1), Max: schema.AtMost(MaxBatchSize),
				Doc: "Number of texts sent per request."},
			schema.Field{Name: "dimensions", Type: schema.Int, Min: schema.AtLeast(1),
				Doc: "Length of the returned vectors, for models that can shorten them (text-embedding-3-*)."},
		),
	}
}

// options resolves the shared settings against the environment.
func options(cfg registry.Config, env registry.Env) Options {
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	o := Options{
		BaseURL:     cfg.String("base_url"),
		APIKey:      cfg.String("api_key"),
		Timeout:     seconds(cfg.Float("timeout_seconds")),
		MaxRetries:  int(cfg.Int("max_retries")),
		RetryBudget: seconds(cfg.Float("retry_budget_seconds")),
		Logger:      env.Logger,
	}
	if o.BaseURL == "" {
		o.BaseURL = getenv("OPENAI_BASE_URL")
	}
	if o.APIKey == "" {
		o.APIKey = getenv("OPENAI_API_KEY")
	}
	if _, set := cfg["max_retries"]; set && o.MaxRetries == 0 {
		o.MaxRetries = -1 // an explicit 0 means no retries, not the default
	}
	return o
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func newChatFromConfig(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
	return NewChat(ChatOptions{
		Options:        options(cfg, env),
		Model:          cfg.String("model"),
		MaxTokensParam: cfg.String("max_tokens_param"),
	})
}

func newEmbeddingFromConfig(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
	return NewEmbedding(EmbeddingOptions{
		Options:    options(cfg, env),
		Model:      cfg.String("model"),
		BatchSize:  int(cfg.Int("batch_size")),
		Dimensions: int(cfg.Int("dimensions")),
	})
}
