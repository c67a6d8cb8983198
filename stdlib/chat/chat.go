// Package chat defines conversation messages as recipes, datasets and
// renderers see them (tinker-cookbook's Message shape).
package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Message is one chat message.
type Message struct {
	Role string `json:"role"`
	// Content is the message body: text, and for assistant messages
	// optionally thinking parts. JSON accepts a string or a list of parts.
	Content Content `json:"content"`
	// ToolCalls are the tool invocations of an assistant message.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID links a tool result to its call.
	ToolCallID string `json:"tool_call_id,omitempty"`
	// Name is the tool name of a tool result (needed by some formats).
	Name string `json:"name,omitempty"`
	// Trainable marks messages to train on under train_on = "customized";
	// with any other mode it must be absent.
	Trainable *bool `json:"trainable,omitempty"`
}

// Part types.
const (
	PartText     = "text"
	PartThinking = "thinking"
)

// Part is one piece of content.
type Part struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	Thinking string `json:"thinking,omitempty"`
}

// Content is a list of parts. A plain string is one text part.
type Content []Part

// Text returns a Content holding one text part.
func Text(s string) Content { return Content{{Type: PartText, Text: s}} }

// Text returns the concatenated text parts.
func (c Content) Text() string {
	var b strings.Builder
	for _, p := range c {
		if p.Type == PartText {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// Thinking returns the concatenated thinking parts.
func (c Content) Thinking() string {
	var b strings.Builder
	for _, p := range c {
		if p.Type == PartThinking {
			b.WriteString(p.Thinking)
		}
	}
	return b.String()
}

// HasThinking reports whether any thinking part is present.
func (c Content) HasThinking() bool {
	for _, p := range c {
		if p.Type == PartThinking {
			return true
		}
	}
	return false
}

// UnmarshalJSON accepts a string or a list of parts. Its errors are in
// the data's terms (see PlainJSONError).
func (c *Content) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*c = Text(s)
		return nil
	}
	if bytes.Equal(data, []byte("null")) {
		*c = nil
		return nil
	}
	if len(data) == 0 || data[0] != '[' {
		return contentError{fmt.Sprintf("content must be a string or a list of parts, not %s", jsonKind(data))}
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return contentError{"content: " + PlainJSONError(err).Error()}
	}
	parts := make([]Part, len(raw))
	for i, r := range raw {
		if k := jsonKind(r); k != "an object" {
			return contentError{fmt.Sprintf("content part %d must be a {\"type\", ...} object, not %s", i, k)}
		}
		if err := json.Unmarshal(r, &parts[i]); err != nil {
			return contentError{fmt.Sprintf("content part %d: %v", i, PlainJSONError(err))}
		}
		if p := parts[i]; p.Type != PartText && p.Type != PartThinking {
			return contentError{fmt.Sprintf("content part %d: unsupported type %q (want %q or %q)", i, p.Type, PartText, PartThinking)}
		}
	}
	*c = parts
	return nil
}

// MarshalJSON writes a single text part as a plain string.
func (c Content) MarshalJSON() ([]byte, error) {
	if len(c) == 1 && c[0].Type == PartText {
		return json.Marshal(c[0].Text)
	}
	if c == nil {
		return []byte(`""`), nil
	}
	return json.Marshal([]Part(c))
}

// ToolCall is one tool invocation.
type ToolCall struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"` // "function"
	Function FunctionCall `json:"function"`
}

// FunctionCall names a function and its JSON-encoded arguments.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}
