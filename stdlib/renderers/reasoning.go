package renderers

import (
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
)

// Reasoning inside content: many reasoning SFT datasets write an
// assistant message as one string "<think>REASONING</think>ANSWER", and
// the Qwen3 and DeepSeek-V3.1 chat templates read such a content as
// reasoning and answer when the message carries no separate reasoning.
// Formats that follow such a template implement reasoningInContent, and
// the engine splits those messages before rendering (SPEC.md §12), so the
// reasoning is framed by the format (and dropped from history) as if it
// had been given as a thinking part, instead of rendered verbatim inside
// the format's own framing.

// reasoningInContent is implemented by formats whose model template
// reads reasoning out of an assistant message's content.
type reasoningInContent interface {
	// splitContent returns the reasoning and answer of msgs[i], an
	// assistant message without thinking parts whose text contains
	// "</think>", as the template reads them; ok is false where the
	// template takes the content as it is.
	splitContent(msgs []chat.Message, i int, text string) (reasoning, answer string, ok bool)
}

// splitReasoning returns msgs with reasoning inside assistant content
// turned into thinking parts, as f's model template reads it: a copy
// when anything changes, msgs itself otherwise. Messages with thinking
// parts are left alone (their reasoning is explicit, like a template's
// reasoning_content), and so are messages the template does not split.
func splitReasoning(f format, msgs []chat.Message) []chat.Message {
	rc, ok := f.(reasoningInContent)
	if !ok {
		return msgs
	}
	var out []chat.Message
	for i, m := range msgs {
		if m.Role != "assistant" || m.Content.HasThinking() {
			continue
		}
		text := m.Content.Text()
		if !strings.Contains(text, thinkClose) {
			continue
		}
		reasoning, answer, ok := rc.splitContent(msgs, i, text)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]chat.Message(nil), msgs...)
		}
		m.Content = chat.Text(answer)
		if reasoning != "" {
			m.Content = chat.Content{{Type: chat.PartThinking, Thinking: reasoning}, {Type: chat.PartText, Text: answer}}
		}
		out[i] = m
	}
	if out == nil {
		return msgs
	}
	return out
}

// splitContent follows Qwen3's template: the reasoning is what precedes
// the first "</think>", newlines trimmed at its end, after the last
// "<think>" in it, newlines trimmed at its start; the answer is what
// follows the last "</think>", leading newlines trimmed. Every assistant
// message is read this way, tool-calling ones included. qwen3_instruct
// (the 2507 models, which do not think) keeps content as it is.
func (q qwen3) splitContent(_ []chat.Message, _ int, text string) (string, string, bool) {
	if q.mode == qwenInstruct {
		return "", "", false
	}
	before, _, _ := strings.Cut(text, thinkClose)
	before = strings.TrimRight(before, "\n")
	if i := strings.LastIndex(before, thinkOpen); i >= 0 {
		before = before[i+len(thinkOpen):]
	}
	reasoning := strings.TrimLeft(before, "\n")
	answer := strings.TrimLeft(text[strings.LastIndex(text, thinkClose)+len(thinkClose):], "\n")
	return reasoning, answer, true
}

// splitContent follows DeepSeek-V3.1's template, which drops everything
// up to the first "</think>" of an assistant message without tool calls
// that does not answer a tool result, keeping the rest verbatim; tool
// calling messages and answers to tool results are printed as they are.
// The reasoning (which the template only ever drops, and the thinking
// variant trains as the final target) is the dropped part after a
// leading "<think>"; whitespace alone is no reasoning.
func (deepseek) splitContent(msgs []chat.Message, i int, text string) (string, string, bool) {
	if len(msgs[i].ToolCalls) > 0 || (i > 0 && msgs[i-1].Role == "tool") {
		return "", "", false
	}
	before, answer, _ := strings.Cut(text, thinkClose)
	if j := strings.Index(before, thinkOpen); j >= 0 && strings.TrimSpace(before[:j]) == "" {
		before = before[j+len(thinkOpen):]
	}
	if strings.TrimSpace(before) == "" {
		before = ""
	}
	return before, answer, true
}
