package renderers

import (
	"fmt"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// gptOSS is the Harmony format of gpt-oss: messages
// <|start|>{role}<|message|>...<|end|> with no separators, assistant
// reasoning in the analysis channel, the answer in the final channel, tool
// calls in the commentary channel. The *_reasoning variants prepend the
// standard system message with a reasoning effort and today's date.
type gptOSS struct {
	effort string // "" for no system preamble
	date   string // YYYY-MM-DD, fixed when the renderer is made
}

const (
	hStart     = "<|start|>"
	hEnd       = "<|end|>"
	hMessage   = "<|message|>"
	hChannel   = "<|channel|>"
	hConstrain = "<|constrain|>"
	hReturn    = "<|return|>"
	hCall      = "<|call|>"
)

func newGptOSS(effort string, now time.Time) gptOSS {
	return gptOSS{effort: effort, date: now.UTC().Format("2006-01-02")}
}

func (g gptOSS) name() string {
	if g.effort == "" {
		return "gpt_oss_no_sysprompt"
	}
	return "gpt_oss_" + g.effort + "_reasoning"
}

func (gptOSS) specials() []string {
	return []string{hStart, hEnd, hMessage, hChannel, hConstrain, hReturn, hCall}
}

func (g gptOSS) prefix([]chat.Message) []Segment {
	if g.effort == "" {
		return nil
	}
	sys := "You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: " + g.date +
		"\n\nReasoning: " + g.effort + "\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message."
	return []Segment{sp(hStart), tx("system"), sp(hMessage), tx(sys), sp(hEnd)}
}

func (g gptOSS) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	if m.Role != "assistant" && m.Content.HasThinking() {
		return rendered{}, fmt.Errorf("message %d (%s): only assistant messages can have thinking", i, m.Role)
	}
	switch m.Role {
	case "system":
		return rendered{header: []Segment{sp(hStart), tx("developer")},
			output: []Segment{sp(hMessage), tx("# Instructions\n\n" + m.Content.Text() + "\n\n"), sp(hEnd)}}, nil
	case "user":
		return rendered{header: []Segment{sp(hStart), tx("user")}, output: []Segment{sp(hMessage), tx(m.Content.Text()), sp(hEnd)}}, nil
	case "tool":
		if m.Name == "" {
			return rendered{}, fmt.Errorf("message %d (tool): renderer %s needs the tool's \"name\"", i, g.name())
		}
		return rendered{header: []Segment{sp(hStart), tx("functions." + m.Name + " to=assistant")},
			output: []Segment{sp(hChannel), tx("commentary"), sp(hMessage), tx(m.Content.Text()), sp(hEnd)}}, nil
	case "assistant":
	default:
		return rendered{}, fmt.Errorf("message %d: renderer %s has no role %q", i, g.name(), m.Role)
	}
	r := rendered{header: []Segment{sp(hStart), tx("assistant")}}
	again := []Segment{sp(hStart), tx("assistant")}
	if th := m.Content.Thinking(); m.Content.HasThinking() {
		r.output = append(r.output, sp(hChannel), tx("analysis"), sp(hMessage), tx(th), sp(hEnd))
		r.output = append(r.output, again...)
	}
	text := m.Content.Text()
	if len(m.ToolCalls) == 0 {
		end := hEnd
		if i == len(msgs)-1 {
			end = hReturn
		}
		r.output = append(r.output, sp(hChannel), tx("final"), sp(hMessage), tx(text), sp(end))
		return r, nil
	}
	if text != "" {
		r.output = append(r.output, sp(hChannel), tx("commentary"), sp(hMessage), tx(text), sp(hEnd))
		r.output = append(r.output, again...)
	}
	for k, c := range m.ToolCalls {
		if k > 0 {
			r.output = append(r.output, again...)
		}
		r.output = append(r.output, tx(" to=functions."+c.Function.Name), sp(hChannel), tx("commentary "), sp(hConstrain), tx("json"),
			sp(hMessage), tx(c.Function.Arguments), sp(hCall))
	}
	return r, nil
}

func (gptOSS) suffix([]chat.Message) []Segment { return []Segment{sp(hStart), tx("assistant")} }

// promptAsHistory: a prompt's last assistant message ends <|end|>, never
// <|return|> (which, gpt-oss's template says, is never input to the model).
func (gptOSS) promptAsHistory()                         {}
func (gptOSS) checkTarget([]chat.Message, []bool) error { return nil }
func (gptOSS) stop() Stop                               { return Stop{Tokens: []string{hReturn, hCall}} }
func (gptOSS) extension() bool                          { return false }
func (gptOSS) splitPerUserTurn() bool                   { return false }

// parse reads the messages the model produced after "<|start|>assistant":
// analysis -> thinking, final -> text, commentary to=functions.X -> a
// tool call, other commentary -> text.
func (gptOSS) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	s, term := untilStop(pieces, []string{hReturn, hCall}, nil)
	var thinking, text strings.Builder
	var calls []chat.ToolCall
	for len(s) > 0 {
		var msg stream
		msg, s, _ = s.cut(hStart)
		if len(strings.TrimSpace(msg.text())) == 0 {
			continue
		}
		head, rest, ok := msg.cut(hChannel)
		if !ok {
			return assistant(thinking.String(), stream(pieces).text(), nil), TerminatedMalformed
		}
		channel, body, ok := rest.cut(hMessage)
		if !ok {
			return assistant(thinking.String(), stream(pieces).text(), nil), TerminatedMalformed
		}
		body, _, _ = body.cut(hEnd)
		recipient := headerRecipient(head.text() + " " + channel.text())
		ch := strings.Fields(channel.text())
		switch {
		case recipient != "":
			calls = append(calls, chat.ToolCall{Type: "function", Function: chat.FunctionCall{Name: strings.TrimPrefix(recipient, "functions."), Arguments: body.text()}})
		case len(ch) > 0 && ch[0] == "analysis":
			thinking.WriteString(body.text())
		default:
			text.WriteString(body.text())
		}
	}
	return assistant(thinking.String(), text.String(), calls), term
}

// headerRecipient finds "to=NAME" in a message header.
func headerRecipient(h string) string {
	for _, f := range strings.Fields(h) {
		if strings.HasPrefix(f, "to=") {
			return strings.TrimPrefix(f, "to=")
		}
	}
	return ""
}
