package renderers

import (
	"fmt"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// llama3 is the Llama 3 instruct format (../shared/reference/cookbook-semantics.md §8.3):
// <|begin_of_text|> then per message
// <|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>, with no
// "Cutting Knowledge Date" preamble and no tool calling.
type llama3 struct{}

const (
	llamaBOS       = "<|begin_of_text|>"
	llamaEOT       = "<|eot_id|>"
	llamaEOS       = "<|end_of_text|>"
	llamaStartHead = "<|start_header_id|>"
	llamaEndHead   = "<|end_header_id|>"
)

func (llama3) name() string { return "llama3" }
func (llama3) specials() []string {
	return []string{llamaBOS, llamaStartHead, llamaEndHead, llamaEOT, llamaEOS}
}
func (llama3) prefix([]chat.Message) []Segment { return []Segment{sp(llamaBOS)} }

func llamaHeader(role string) []Segment {
	return []Segment{sp(llamaStartHead), tx(role), sp(llamaEndHead), tx("\n\n")}
}

func (llama3) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	switch {
	case m.Role == "tool" || len(m.ToolCalls) > 0:
		return rendered{}, fmt.Errorf("message %d (%s): renderer llama3 does not support tool calling", i, m.Role)
	case m.Content.HasThinking():
		return rendered{}, fmt.Errorf("message %d (%s): renderer llama3 cannot express thinking", i, m.Role)
	case m.Role == "":
		return rendered{}, fmt.Errorf("message %d: empty role", i)
	}
	return rendered{header: llamaHeader(m.Role), output: []Segment{tx(m.Content.Text()), sp(llamaEOT)}}, nil
}

func (llama3) suffix([]chat.Message) []Segment          { return llamaHeader("assistant") }
func (llama3) checkTarget([]chat.Message, []bool) error { return nil }
func (llama3) stop() Stop                               { return Stop{Tokens: []string{llamaEOT}} }
func (llama3) extension() bool                          { return true }
func (llama3) splitPerUserTurn() bool                   { return false }

func (llama3) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	s, term := untilStop(pieces, []string{llamaEOT}, []string{llamaEOS})
	return assistant("", s.text(), nil), term
}
