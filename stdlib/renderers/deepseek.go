package renderers

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// deepseek is the DeepSeek-V3.1 format. A leading system message is bare
// text; users have no end token; assistants end with <｜end▁of▁sentence｜>.
// The non-thinking variant puts </think> in every assistant header; the
// thinking variant prompts with <think> and keeps reasoning only on the
// final target.
type deepseek struct{ thinking bool }

const (
	dsBOS        = "<｜begin▁of▁sentence｜>"
	dsEOS        = "<｜end▁of▁sentence｜>"
	dsUser       = "<｜User｜>"
	dsAssistant  = "<｜Assistant｜>"
	dsCallsBegin = "<｜tool▁calls▁begin｜>"
	dsCallsEnd   = "<｜tool▁calls▁end｜>"
	dsCallBegin  = "<｜tool▁call▁begin｜>"
	dsCallEnd    = "<｜tool▁call▁end｜>"
	dsSep        = "<｜tool▁sep｜>"
	dsOutBegin   = "<｜tool▁output▁begin｜>"
	dsOutEnd     = "<｜tool▁output▁end｜>"
)

func (d deepseek) name() string {
	if d.thinking {
		return "deepseekv3_thinking"
	}
	return "deepseekv3"
}

func (deepseek) specials() []string {
	return []string{dsBOS, dsEOS, dsUser, dsAssistant, thinkOpen, thinkClose, dsCallsBegin, dsCallsEnd, dsCallBegin, dsCallEnd, dsSep, dsOutBegin, dsOutEnd}
}

func (deepseek) prefix([]chat.Message) []Segment { return []Segment{sp(dsBOS)} }

// isTarget reports whether msgs[i] is the assistant message being
// produced: the last message, after the last user message.
func isTarget(msgs []chat.Message, i int) bool {
	return i == len(msgs)-1 && msgs[i].Role == "assistant" && i > lastRole(msgs, "user")
}

func (d deepseek) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	if m.Role != "assistant" && m.Content.HasThinking() {
		return rendered{}, fmt.Errorf("message %d (%s): only assistant messages can have thinking", i, m.Role)
	}
	switch m.Role {
	case "system":
		if i != 0 {
			return rendered{}, fmt.Errorf("message %d (system): renderer %s allows a system message only first", i, d.name())
		}
		return rendered{output: []Segment{tx(m.Content.Text())}}, nil
	case "user":
		return rendered{header: []Segment{sp(dsUser)}, output: []Segment{tx(m.Content.Text())}}, nil
	case "tool":
		return rendered{header: []Segment{sp(dsOutBegin)}, output: []Segment{tx(m.Content.Text()), sp(dsOutEnd)}}, nil
	case "assistant":
	default:
		return rendered{}, fmt.Errorf("message %d: renderer %s has no role %q", i, d.name(), m.Role)
	}
	afterTool := i > 0 && msgs[i-1].Role == "tool"
	var r rendered
	if !afterTool {
		r.header = []Segment{sp(dsAssistant)}
	}
	switch {
	case d.thinking && isTarget(msgs, i) && !afterTool:
		r.output = []Segment{sp(thinkOpen), tx(m.Content.Thinking()), sp(thinkClose)}
	case !afterTool:
		// History (and every non-thinking message): reasoning dropped,
		// the closed block in the header.
		r.header = append(r.header, sp(thinkClose))
	}
	r.output = append(r.output, tx(m.Content.Text()))
	if len(m.ToolCalls) > 0 {
		r.output = append(r.output, sp(dsCallsBegin))
		for _, c := range m.ToolCalls {
			r.output = append(r.output, sp(dsCallBegin), tx(c.Function.Name), sp(dsSep), tx(c.Function.Arguments), sp(dsCallEnd))
		}
		r.output = append(r.output, sp(dsCallsEnd))
	}
	r.output = append(r.output, sp(dsEOS))
	return r, nil
}

func (d deepseek) suffix(msgs []chat.Message) []Segment {
	if n := len(msgs); n > 0 && msgs[n-1].Role == "tool" {
		return nil // the assistant answering a tool result has no role token
	}
	if d.thinking {
		return []Segment{sp(dsAssistant), sp(thinkOpen)}
	}
	return []Segment{sp(dsAssistant), sp(thinkClose)}
}

func (d deepseek) checkTarget(msgs []chat.Message, trained []bool) error {
	for i, m := range msgs {
		if !trained[i] || m.Role != "assistant" || !m.Content.HasThinking() {
			continue
		}
		if !d.thinking {
			return fmt.Errorf("message %d (assistant): renderer deepseekv3 (non-thinking) cannot train on reasoning; use deepseekv3_thinking", i)
		}
		if !isTarget(msgs, i) || i > 0 && msgs[i-1].Role == "tool" {
			return fmt.Errorf("message %d (assistant): renderer deepseekv3_thinking keeps reasoning only on the final assistant message after a user message", i)
		}
	}
	return nil
}

func (deepseek) promptAsHistory()       {}
func (deepseek) stop() Stop             { return Stop{Tokens: []string{dsEOS}} }
func (d deepseek) extension() bool      { return !d.thinking }
func (deepseek) splitPerUserTurn() bool { return false }

func (deepseek) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	s, term := untilStop(pieces, []string{dsEOS}, nil)
	thinking := ""
	if before, after, ok := s.cut(thinkClose); ok {
		if _, a2, open := before.cut(thinkOpen); open {
			before = a2
		}
		thinking, s = before.text(), after
	}
	text, calls, ok := s, []chat.ToolCall(nil), true
	if before, rest, found := s.cut(dsCallsBegin); found {
		text = before
		body, _, closed := rest.cut(dsCallsEnd)
		ok = closed
		for ok {
			var call stream
			var found bool
			_, body, found = body.cut(dsCallBegin)
			if !found {
				break
			}
			call, body, found = body.cut(dsCallEnd)
			name, args, hasSep := call.cut(dsSep)
			if !found || !hasSep {
				ok = false
				break
			}
			calls = append(calls, chat.ToolCall{Type: "function", Function: chat.FunctionCall{Name: strings.TrimSpace(name.text()), Arguments: args.text()}})
		}
	}
	if !ok {
		return assistant(thinking, s.text(), nil), TerminatedMalformed
	}
	return assistant(thinking, text.text(), calls), term
}
