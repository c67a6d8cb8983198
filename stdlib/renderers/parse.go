package renderers

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// stream is decoded sampled output. Special tokens are told apart from
// text that merely looks like them, so a model writing "<think>" as text
// is not mistaken for the thinking token.
type stream []tokenizer.Piece

// index returns the position of the first special piece with text tok.
func (s stream) index(tok string) int {
	for i, p := range s {
		if p.Special && p.Text == tok {
			return i
		}
	}
	return -1
}

// cut splits s around the first special tok.
func (s stream) cut(tok string) (before, after stream, found bool) {
	if i := s.index(tok); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, nil, false
}

// text concatenates the pieces, special tokens written literally.
func (s stream) text() string {
	var b strings.Builder
	for _, p := range s {
		b.WriteString(p.Text)
	}
	return b.String()
}

// untilStop finds the stop token: the response is what comes before it.
// A stop token that appears twice, or trailing output after it, is
// malformed; a response that ends on one of eos ends cleanly; anything
// else was cut off.
func untilStop(pieces []tokenizer.Piece, stops, eos []string) (stream, Termination) {
	s := stream(pieces)
	for i, p := range s {
		if !p.Special {
			continue
		}
		for _, st := range stops {
			if p.Text == st {
				if rest := s[i+1:]; len(strings.TrimSpace(rest.text())) > 0 {
					return s[:i], TerminatedMalformed
				}
				return s[:i], TerminatedStop
			}
		}
		for _, e := range eos {
			if p.Text == e {
				return s[:i], TerminatedEOS
			}
		}
	}
	return s, TerminatedMalformed
}

// assistant builds the parsed message.
func assistant(thinking, text string, calls []chat.ToolCall) chat.Message {
	m := chat.Message{Role: "assistant", ToolCalls: calls}
	if thinking != "" {
		m.Content = append(m.Content, chat.Part{Type: chat.PartThinking, Thinking: thinking})
	}
	if text != "" || thinking == "" {
		m.Content = append(m.Content, chat.Part{Type: chat.PartText, Text: text})
	}
	return m
}

// jsonCall parses {"name": ..., "arguments": {...}} (Qwen's tool call
// body); arguments are kept as compact JSON text.
func jsonCall(body string) (chat.ToolCall, bool) {
	var raw struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &raw); err != nil || raw.Name == "" {
		return chat.ToolCall{}, false
	}
	args := "{}"
	if len(raw.Arguments) > 0 {
		args = compactJSON(string(raw.Arguments))
	}
	return chat.ToolCall{Type: "function", Function: chat.FunctionCall{Name: raw.Name, Arguments: args}}, true
}

func compactJSON(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}
