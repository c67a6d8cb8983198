package renderers

import (
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
)

// TestReasoningInContent: how each format reads "<think>R</think>A"
// written inside an assistant message's content (the parity cases in
// testdata/conversations.json compare whole renderings with the models'
// templates; these pin the edge cases).
func TestReasoningInContent(t *testing.T) {
	user := chat.Message{Role: "user", Content: chat.Text("q")}
	asst := func(text string) chat.Message { return chat.Message{Role: "assistant", Content: chat.Text(text)} }
	call := chat.Message{Role: "assistant", Content: chat.Text("<think>R</think>A"), ToolCalls: []chat.ToolCall{{ID: "c1", Type: "function", Function: chat.FunctionCall{Name: "f", Arguments: "{}"}}}}
	tool := chat.Message{Role: "tool", Content: chat.Text("42"), ToolCallID: "c1", Name: "f"}
	explicit := chat.Message{Role: "assistant", Content: chat.Content{{Type: chat.PartThinking, Thinking: "T"}, {Type: chat.PartText, Text: "<think>R</think>A"}}}
	cases := []struct {
		renderer       string
		msgs           []chat.Message
		thinking, text string
		unchanged      bool
	}{
		// Qwen3: reasoning before the first </think> (after the last
		// <think> in it), answer after the last </think>.
		{renderer: "qwen3", msgs: []chat.Message{user, asst("<think>\nR\n</think>\n\nA")}, thinking: "R", text: "A"},
		{renderer: "qwen3", msgs: []chat.Message{user, asst("x<think>y<think>\nR</think>mid</think>\nA")}, thinking: "R", text: "A"},
		{renderer: "qwen3", msgs: []chat.Message{user, asst("R</think>A")}, thinking: "R", text: "A"},
		{renderer: "qwen3", msgs: []chat.Message{user, asst("<think>\n\n</think>\n\nA")}, thinking: "", text: "A"},
		{renderer: "qwen3_disable_thinking", msgs: []chat.Message{user, asst("<think></think>A")}, thinking: "", text: "A"},
		{renderer: "qwen3", msgs: []chat.Message{user, call}, thinking: "R", text: "A"},
		{renderer: "qwen3_instruct", msgs: []chat.Message{user, asst("<think>R</think>A")}, unchanged: true},
		{renderer: "qwen3", msgs: []chat.Message{user, explicit}, unchanged: true},
		{renderer: "qwen3", msgs: []chat.Message{user, asst("<think> no close")}, unchanged: true},
		// DeepSeek-V3.1: the answer is everything after the first
		// </think>, verbatim; tool calls and answers to tools are kept.
		{renderer: "deepseekv3_thinking", msgs: []chat.Message{user, asst("<think>R</think>\nA</think>B")}, thinking: "R", text: "\nA</think>B"},
		{renderer: "deepseekv3_thinking", msgs: []chat.Message{user, asst("R</think>A")}, thinking: "R", text: "A"},
		{renderer: "deepseekv3", msgs: []chat.Message{user, asst("<think> \n</think>A")}, thinking: "", text: "A"},
		{renderer: "deepseekv3", msgs: []chat.Message{user, asst("x<think>R</think>A")}, thinking: "x<think>R", text: "A"},
		{renderer: "deepseekv3", msgs: []chat.Message{user, call}, unchanged: true},
		{renderer: "deepseekv3_thinking", msgs: []chat.Message{user, call, tool, asst("<think>R</think>A")}, unchanged: true},
		// Kimi-K2's template keeps content as it is.
		{renderer: "kimi_k2", msgs: []chat.Message{user, asst("<think>R</think>A")}, unchanged: true},
		{renderer: "llama3", msgs: []chat.Message{user, asst("<think>R</think>A")}, unchanged: true},
	}
	for _, tc := range cases {
		r, err := Get(tc.renderer)
		if err != nil {
			t.Fatal(err)
		}
		got := asRead(r, tc.msgs)
		last, orig := got[len(got)-1], tc.msgs[len(tc.msgs)-1]
		if tc.unchanged {
			if &got[0] != &tc.msgs[0] {
				t.Errorf("%s %q: messages copied although nothing is split", tc.renderer, orig.Content.Text())
			}
			continue
		}
		if last.Content.Thinking() != tc.thinking || last.Content.Text() != tc.text || last.Content.HasThinking() != (tc.thinking != "") {
			t.Errorf("%s %q: thinking %q text %q, want %q %q", tc.renderer, orig.Content.Text(), last.Content.Thinking(), last.Content.Text(), tc.thinking, tc.text)
		}
		if len(last.ToolCalls) != len(orig.ToolCalls) {
			t.Errorf("%s: tool calls lost", tc.renderer)
		}
		if orig.Content.HasThinking() {
			t.Errorf("%s: the caller's message was modified", tc.renderer)
		}
	}
}

// TestReasoningInContentRules: what the split means for training:
// deepseekv3 refuses reasoning in a trained target whether given as a
// part or inside the content; history reasoning is dropped the same way.
func TestReasoningInContentRules(t *testing.T) {
	msgs := []chat.Message{
		{Role: "user", Content: chat.Text("a")},
		{Role: "assistant", Content: chat.Text("<think>R1</think>A1")},
		{Role: "user", Content: chat.Text("b")},
		{Role: "assistant", Content: chat.Text("<think>R2</think>A2")},
	}
	ds, _ := Get("deepseekv3")
	if _, err := ds.Supervised(msgs, LastAssistantMessage); err == nil {
		t.Error("deepseekv3 trained on reasoning written inside the content")
	}
	gp, err := ds.GenerationPrompt(msgs[:3])
	if err != nil || Text(gp) != "<｜begin▁of▁sentence｜><｜User｜>a<｜Assistant｜></think>A1<｜end▁of▁sentence｜><｜User｜>b<｜Assistant｜></think>" {
		t.Errorf("history: %q %v", Text(gp), err)
	}
	q, _ := Get("qwen3_disable_thinking")
	if _, err := q.Supervised(msgs, LastAssistantMessage); err == nil {
		t.Error("qwen3_disable_thinking trained on reasoning in the current turn")
	}
}
