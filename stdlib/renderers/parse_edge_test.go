package renderers

import (
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// TestParseToolCallArguments: tool-call arguments are kept as compact
// JSON, "{}" when the model gave none; kimi_k2's call names are the id's
// text between "functions." and the last ':'.
func TestParseToolCallArguments(t *testing.T) {
	sp := func(s string) tokenizer.Piece { return tokenizer.Piece{Text: s, Special: true} }
	txt := func(s string) tokenizer.Piece { return tokenizer.Piece{Text: s} }
	cases := []struct {
		renderer   string
		pieces     []tokenizer.Piece
		name, args string
	}{
		{"qwen3_instruct", []tokenizer.Piece{sp("<tool_call>"), txt("\n{\"name\": \"get_weather\", \"arguments\": {\"city\":  \"Paris\"}}\n"), sp("</tool_call>"), sp("<|im_end|>")}, "get_weather", `{"city":"Paris"}`},
		{"qwen3_instruct", []tokenizer.Piece{sp("<tool_call>"), txt("\n{\"name\": \"now\"}\n"), sp("</tool_call>"), sp("<|im_end|>")}, "now", "{}"},
		{"kimi_k2", []tokenizer.Piece{sp("<think>"), sp("</think>"), sp(kimiSecBegin), sp(kimiCallBegin), txt("functions.get_weather:0"), sp(kimiCallArg), txt(`{"city": "Paris"}`), sp(kimiCallEnd), sp(kimiSecEnd), sp(kimiEnd)}, "get_weather", `{"city": "Paris"}`},
		{"kimi_k2", []tokenizer.Piece{sp("<think>"), sp("</think>"), sp(kimiSecBegin), sp(kimiCallBegin), txt(":0"), sp(kimiCallArg), txt(`{}`), sp(kimiCallEnd), sp(kimiSecEnd), sp(kimiEnd)}, "", `{}`},
	}
	for _, c := range cases {
		r, _ := Get(c.renderer)
		m, term := r.ParseResponse(c.pieces)
		if term != TerminatedStop || len(m.ToolCalls) != 1 {
			t.Errorf("%s: %s, %d tool calls", c.renderer, term, len(m.ToolCalls))
			continue
		}
		if f := m.ToolCalls[0].Function; f.Name != c.name || f.Arguments != c.args {
			t.Errorf("%s: call %q(%s), want %q(%s)", c.renderer, f.Name, f.Arguments, c.name, c.args)
		}
	}
}

// TestRoleColonStopAtTheStart: a role_colon response that is only the
// stop string is an empty answer that ended on it.
func TestRoleColonStopAtTheStart(t *testing.T) {
	r, _ := Get("role_colon")
	m, term := r.ParseResponse([]tokenizer.Piece{{Text: "\n\nUser: more"}})
	if m.Content.Text() != "" || term != TerminatedStop {
		t.Errorf("got %q %s, want an empty answer ended on the stop string", m.Content.Text(), term)
	}
}

// TestKimiRendering: a tool call without an id gets the model's default
// id, functions.NAME:INDEX; an assistant message right after another one
// opens the current turn and keeps its reasoning.
func TestKimiRendering(t *testing.T) {
	r, _ := Get("kimi_k2")
	call := chat.ToolCall{Type: "function", Function: chat.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}}
	msgs := []chat.Message{
		{Role: "user", Content: chat.Text("Weather?")},
		{Role: "assistant", Content: chat.Text("Checking."), ToolCalls: []chat.ToolCall{call, call}},
	}
	exs, err := r.Supervised(msgs, LastAssistantMessage)
	if err != nil {
		t.Fatal(err)
	}
	if text := Text(exs[len(exs)-1]); !strings.Contains(text, "functions.get_weather:0") || !strings.Contains(text, "functions.get_weather:1") {
		t.Errorf("rendering %q: want the default ids functions.get_weather:0 and :1", text)
	}
	msgs = []chat.Message{
		{Role: "user", Content: chat.Text("q")},
		{Role: "assistant", Content: chat.Text("a0")},
		{Role: "assistant", Content: chat.Content{{Type: chat.PartThinking, Thinking: "CURRENT REASONING"}, {Type: chat.PartText, Text: "a1"}}},
	}
	exs, err = r.Supervised(msgs, LastAssistantMessage)
	if err != nil {
		t.Fatal(err)
	}
	if text := Text(exs[len(exs)-1]); !strings.Contains(text, "CURRENT REASONING") {
		t.Errorf("rendering %q: the current turn's reasoning is missing", text)
	}
}
