package openai

import (
	"context"
	"errors"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// AdapterName is the adapters' name in manifests.
const AdapterName = "openai"

// DefaultChatModel is used when neither the request nor the config names
// a model.
const DefaultChatModel = "gpt-4o-mini"

// Names of the request field that caps the completion length.
const (
	MaxTokensParam           = "max_tokens"            // classic; what compatible servers accept
	MaxCompletionTokensParam = "max_completion_tokens" // OpenAI's newer name, required by reasoning models
)

// ChatOptions configures a ChatClient.
type ChatOptions struct {
	Options
	// Model is the default model (default DefaultChatModel).
	Model string
	// MaxTokensParam names the length field sent: MaxTokensParam
	// (default) or MaxCompletionTokensParam.
	MaxTokensParam string
}

// ChatClient is the llm_client port over POST {base_url}/chat/completions.
type ChatClient struct {
	c              *core
	model          string
	maxTokensParam string
}

var _ ports.LLMClient = (*ChatClient)(nil)

// NewChat returns a ChatClient. It makes no request.
func NewChat(o ChatOptions) (*ChatClient, error) {
	c, err := newCore(o.Options)
	if err != nil {
		return nil, err
	}
	model := o.Model
	if model == "" {
		model = DefaultChatModel
	}
	param := o.MaxTokensParam
	switch param {
	case "":
		param = MaxTokensParam
	case MaxTokensParam, MaxCompletionTokensParam:
	default:
		return nil, fmt.Errorf("max_tokens_param %q: want %q or %q", param, MaxTokensParam, MaxCompletionTokensParam)
	}
	return &ChatClient{c: c, model: model, maxTokensParam: param}, nil
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// Chat implements ports.LLMClient. The request's Model overrides the
// configured one; Temperature is always sent (0 asks for greedy
// decoding); MaxTokens and Stop only when set.
func (c *ChatClient) Chat(ctx context.Context, req ports.ChatRequest) (ports.ChatResponse, error) {
	resp, err := c.chat(ctx, req)
	return resp, ports.Wrap(schema.PortLLMClient, AdapterName, "chat", err)
}

func (c *ChatClient) chat(ctx context.Context, req ports.ChatRequest) (ports.ChatResponse, error) {
	if len(req.Messages) == 0 {
		return ports.ChatResponse{}, errors.New("no messages")
	}
	for i, m := range req.Messages {
		if m.Role == "" {
			return ports.ChatResponse{}, fmt.Errorf("message %d has no role", i)
		}
	}
	if req.MaxTokens < 0 {
		return ports.ChatResponse{}, fmt.Errorf("max tokens %d is negative", req.MaxTokens)
	}
	model := req.Model
	if model == "" {
		model = c.model
	}
	body := map[string]any{
		"model":       model,
		"messages":    req.Messages,
		"temperature": req.Temperature,
	}
	if req.MaxTokens > 0 {
		body[c.maxTokensParam] = req.MaxTokens
	}
	if len(req.Stop) > 0 {
		body["stop"] = req.Stop
	}
	var out chatResponse
	if err := c.c.post(ctx, "/chat/completions", body, &out); err != nil {
		return ports.ChatResponse{}, fmt.Errorf("model %s: %w", model, err)
	}
	if len(out.Choices) == 0 {
		return ports.ChatResponse{}, fmt.Errorf("model %s: the response has no choices", model)
	}
	ch := out.Choices[0]
	if ch.Message.Content == nil && ch.Message.Refusal != nil {
		return ports.ChatResponse{}, fmt.Errorf("model %s refused: %s", model, *ch.Message.Refusal)
	}
	var content string
	if ch.Message.Content != nil {
		content = *ch.Message.Content
	}
	return ports.ChatResponse{Content: content, FinishReason: ch.FinishReason}, nil
}
