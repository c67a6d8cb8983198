package renderers

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// kimiK2 is the Kimi-K2-Thinking format: role headers
// <|im_user|>user<|im_middle|> etc., every message ends with <|im_end|>,
// a default system message when the conversation has none, reasoning kept
// only in the current turn (history gets an empty <think></think>).
type kimiK2 struct{}

const (
	kimiUser       = "<|im_user|>"
	kimiAssistant  = "<|im_assistant|>"
	kimiSystem     = "<|im_system|>"
	kimiMiddle     = "<|im_middle|>"
	kimiEnd        = "<|im_end|>"
	kimiSecBegin   = "<|tool_calls_section_begin|>"
	kimiSecEnd     = "<|tool_calls_section_end|>"
	kimiCallBegin  = "<|tool_call_begin|>"
	kimiCallArg    = "<|tool_call_argument_begin|>"
	kimiCallEnd    = "<|tool_call_end|>"
	kimiDefaultSys = "You are Kimi, an AI assistant created by Moonshot AI."
)

func (kimiK2) name() string { return "kimi_k2" }
func (kimiK2) specials() []string {
	return []string{kimiUser, kimiAssistant, kimiSystem, kimiMiddle, kimiEnd, thinkOpen, thinkClose, kimiSecBegin, kimiSecEnd, kimiCallBegin, kimiCallArg, kimiCallEnd}
}

// prefix adds the default system message the model's template adds when
// the conversation does not start with one.
func (kimiK2) prefix(msgs []chat.Message) []Segment {
	if len(msgs) > 0 && msgs[0].Role == "system" {
		return nil
	}
	return []Segment{sp(kimiSystem), tx("system"), sp(kimiMiddle), tx(kimiDefaultSys), sp(kimiEnd)}
}

// kimiTurnStart is the index after the last assistant message without
// tool calls before the final message (the message being produced; in a
// generation prompt the engine appends it, see promptAsHistory): messages
// from there on are the current turn and keep their reasoning.
func kimiTurnStart(msgs []chat.Message) int {
	for i := len(msgs) - 2; i >= 0; i-- {
		if msgs[i].Role == "assistant" && len(msgs[i].ToolCalls) == 0 {
			return i + 1
		}
	}
	return 0
}

func (k kimiK2) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	if m.Role != "assistant" && m.Content.HasThinking() {
		return rendered{}, fmt.Errorf("message %d (%s): only assistant messages can have thinking", i, m.Role)
	}
	var r rendered
	switch m.Role {
	case "user":
		r.header = []Segment{sp(kimiUser), tx("user"), sp(kimiMiddle)}
	case "system":
		r.header = []Segment{sp(kimiSystem), tx("system"), sp(kimiMiddle)}
	case "tool":
		name := m.Name
		if name == "" {
			name = "tool"
		}
		r.header = []Segment{sp(kimiSystem), tx(name), sp(kimiMiddle), tx("## Return of " + m.ToolCallID + "\n")}
	case "assistant":
		r.header = []Segment{sp(kimiAssistant), tx("assistant"), sp(kimiMiddle)}
		thinking := ""
		if i >= kimiTurnStart(msgs) {
			thinking = m.Content.Thinking()
		}
		r.output = []Segment{sp(thinkOpen), tx(thinking), sp(thinkClose), tx(m.Content.Text())}
		if len(m.ToolCalls) > 0 {
			r.output = append(r.output, sp(kimiSecBegin))
			for n, c := range m.ToolCalls {
				id := c.ID
				if id == "" {
					id = fmt.Sprintf("functions.%s:%d", c.Function.Name, n)
				}
				r.output = append(r.output, sp(kimiCallBegin), tx(id), sp(kimiCallArg), tx(c.Function.Arguments), sp(kimiCallEnd))
			}
			r.output = append(r.output, sp(kimiSecEnd))
		}
		r.output = append(r.output, sp(kimiEnd))
		return r, nil
	default:
		return rendered{}, fmt.Errorf("message %d: renderer kimi_k2 has no role %q", i, m.Role)
	}
	r.output = []Segment{tx(m.Content.Text()), sp(kimiEnd)}
	return r, nil
}

func (kimiK2) suffix([]chat.Message) []Segment {
	return []Segment{sp(kimiAssistant), tx("assistant"), sp(kimiMiddle)}
}

func (kimiK2) promptAsHistory()                         {}
func (kimiK2) checkTarget([]chat.Message, []bool) error { return nil }
func (kimiK2) stop() Stop                               { return Stop{Tokens: []string{kimiEnd}} }
func (kimiK2) extension() bool                          { return false }
func (kimiK2) splitPerUserTurn() bool                   { return true }

func (kimiK2) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	s, term := untilStop(pieces, []string{kimiEnd}, nil)
	thinking := ""
	if before, after, ok := s.cut(thinkClose); ok {
		if _, a2, open := before.cut(thinkOpen); open {
			before = a2
		}
		thinking, s = before.text(), after
	}
	text, rest, found := s.cut(kimiSecBegin)
	var calls []chat.ToolCall
	if found {
		body, _, closed := rest.cut(kimiSecEnd)
		for closed {
			var call stream
			var ok bool
			if _, body, ok = body.cut(kimiCallBegin); !ok {
				break
			}
			if call, body, ok = body.cut(kimiCallEnd); !ok {
				closed = false
				break
			}
			id, args, hasArg := call.cut(kimiCallArg)
			if !hasArg {
				closed = false
				break
			}
			name := strings.TrimSpace(id.text())
			name = strings.TrimPrefix(name, "functions.")
			if c := strings.LastIndexByte(name, ':'); c >= 0 {
				name = name[:c]
			}
			calls = append(calls, chat.ToolCall{ID: strings.TrimSpace(id.text()), Type: "function", Function: chat.FunctionCall{Name: name, Arguments: args.text()}})
		}
		if !closed {
			return assistant(thinking, s.text(), nil), TerminatedMalformed
		}
	}
	return assistant(thinking, text.text(), calls), term
}
