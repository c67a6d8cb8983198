package renderers

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// qwenMode selects the Qwen3 variant.
type qwenMode int

const (
	qwenThinking qwenMode = iota // qwen3: HF enable_thinking=True
	qwenNoThink                  // qwen3_disable_thinking: HF enable_thinking=False
	qwenInstruct                 // qwen3_instruct (2507): no <think> framing at all
)

// qwen3 is the Qwen3 ChatML format. It follows the model's own chat
// template (SPEC.md §12 lists where it deliberately differs): the
// newline after <|im_end|> opens the next message, consecutive tool
// results share one user block, and reasoning is rendered only for
// assistant messages after the last user message.
type qwen3 struct{ mode qwenMode }

const (
	imStart     = "<|im_start|>"
	imEnd       = "<|im_end|>"
	qwenEOS     = "<|endoftext|>"
	thinkOpen   = "<think>"
	thinkClose  = "</think>"
	toolCallO   = "<tool_call>"
	toolCallC   = "</tool_call>"
	toolRespO   = "<tool_response>"
	toolRespC   = "</tool_response>"
	emptyThink  = "\n\n"
	afterThink  = "\n\n"
	qwenNewline = "\n"
)

func (q qwen3) name() string {
	return [...]string{"qwen3", "qwen3_disable_thinking", "qwen3_instruct"}[q.mode]
}

func (qwen3) specials() []string {
	return []string{imStart, imEnd, thinkOpen, thinkClose, toolCallO, toolCallC, toolRespO, toolRespC, qwenEOS}
}

func (qwen3) prefix([]chat.Message) []Segment { return nil }

func sep(i int) Segment {
	if i > 0 {
		return tx(qwenNewline)
	}
	return tx("")
}

func (q qwen3) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	switch m.Role {
	case "":
		return rendered{}, fmt.Errorf("message %d: empty role", i)
	case "tool":
		var r rendered
		if i == 0 || msgs[i-1].Role != "tool" {
			r.header = []Segment{sep(i), sp(imStart), tx("user")}
		}
		r.output = []Segment{tx("\n"), sp(toolRespO), tx("\n" + m.Content.Text() + "\n"), sp(toolRespC)}
		if i+1 == len(msgs) || msgs[i+1].Role != "tool" {
			r.output = append(r.output, sp(imEnd))
		}
		return r, nil
	case "assistant":
		return q.renderAssistant(msgs, i)
	}
	if m.Content.HasThinking() {
		return rendered{}, fmt.Errorf("message %d (%s): only assistant messages can have thinking", i, m.Role)
	}
	return rendered{header: []Segment{sep(i), sp(imStart), tx(m.Role + "\n")}, output: []Segment{tx(m.Content.Text()), sp(imEnd)}}, nil
}

func (q qwen3) renderAssistant(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	content, thinking := m.Content.Text(), strings.Trim(m.Content.Thinking(), "\n")
	afterLastUser := i > lastRole(msgs, "user")
	last := i == len(msgs)-1
	r := rendered{header: []Segment{sep(i), sp(imStart), tx("assistant\n")}}
	switch q.mode {
	case qwenThinking:
		// The model's template frames reasoning on the message being
		// produced (always, empty if need be) and on later-turn messages
		// that have some; history reasoning is dropped.
		if afterLastUser && (last || thinking != "") {
			r.output = []Segment{sp(thinkOpen), tx("\n" + thinking + "\n"), sp(thinkClose), tx(afterThink + strings.TrimLeft(content, "\n"))}
		} else {
			r.output = []Segment{tx(content)}
		}
	case qwenNoThink:
		if afterLastUser && m.Content.HasThinking() {
			return rendered{}, fmt.Errorf("message %d (assistant): renderer %s cannot train or prompt with reasoning in the current turn", i, q.name())
		}
		if afterLastUser && last {
			// The empty block is part of the prompt (the generation
			// prompt ends with it), so it sits in the header.
			r.header = append(r.header, sp(thinkOpen), tx(emptyThink), sp(thinkClose), tx(afterThink))
			content = strings.TrimLeft(content, "\n")
		}
		r.output = []Segment{tx(content)}
	case qwenInstruct:
		if m.Content.HasThinking() {
			return rendered{}, fmt.Errorf("message %d (assistant): renderer qwen3_instruct cannot express thinking", i)
		}
		r.output = []Segment{tx(content)}
	}
	for k, c := range m.ToolCalls {
		if k > 0 || content != "" {
			r.output = append(r.output, tx("\n"))
		}
		args := c.Function.Arguments
		if args == "" {
			args = "{}"
		}
		r.output = append(r.output, sp(toolCallO), tx("\n{\"name\": \""+c.Function.Name+"\", \"arguments\": "+args+"}\n"), sp(toolCallC))
	}
	r.output = append(r.output, sp(imEnd))
	return r, nil
}

func (q qwen3) suffix(msgs []chat.Message) []Segment {
	s := []Segment{sep(len(msgs)), sp(imStart), tx("assistant\n")}
	if q.mode == qwenNoThink {
		s = append(s, sp(thinkOpen), tx(emptyThink), sp(thinkClose), tx(afterThink))
	}
	return s
}

func (q qwen3) checkTarget(msgs []chat.Message, trained []bool) error {
	if q.mode == qwenNoThink && lastRole(msgs, "user") < 0 {
		return fmt.Errorf("renderer %s needs a user message in the conversation", q.name())
	}
	return nil
}

func (qwen3) stop() Stop             { return Stop{Tokens: []string{imEnd}} }
func (q qwen3) extension() bool      { return q.mode == qwenInstruct }
func (qwen3) splitPerUserTurn() bool { return false }

func (qwen3) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	s, term := untilStop(pieces, []string{imEnd}, []string{qwenEOS})
	thinking, framed := "", false
	if before, after, ok := s.cut(thinkClose); ok {
		if b2, a2, open := before.cut(thinkOpen); open && len(strings.TrimSpace(b2.text())) == 0 {
			before = a2
		}
		thinking, s, framed = strings.Trim(before.text(), "\n"), after, true
	}
	text, calls, ok := parseToolCalls(s, toolCallO, toolCallC)
	if !ok && term == TerminatedStop {
		term = TerminatedMalformed
	}
	if framed {
		text = strings.TrimLeft(text, "\n") // the "\n\n" after </think>
	}
	return assistant(thinking, text, calls), term
}

// parseToolCalls splits "text <open>json<close>\n<open>json<close>" into
// the text and the calls; ok is false when a call does not parse.
func parseToolCalls(s stream, open, close string) (string, []chat.ToolCall, bool) {
	text, rest, found := s.cut(open)
	if !found {
		return text.text(), nil, true
	}
	var calls []chat.ToolCall
	for found {
		var body stream
		var closed bool
		body, rest, closed = rest.cut(close)
		call, ok := jsonCall(body.text())
		if !closed || !ok {
			return s.text(), nil, false
		}
		calls = append(calls, call)
		var between stream
		between, rest, found = rest.cut(open)
		if strings.TrimSpace(between.text()) != "" {
			return s.text(), nil, false
		}
	}
	return strings.TrimRight(text.text(), "\n"), calls, true
}
