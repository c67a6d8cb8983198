package renderers

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// roleColon is the plain format for base models: "User: hi\n\nAssistant:
// hello\n\nUser:". Its only special token is the tokenizer's BOS, when the
// tokenizer defines one (ForTokenizer); the stop sequence is the string
// "\n\nUser:", whose "User:" part is trained after the final assistant
// message (the stop overlap) so the model learns to end its turn.
type roleColon struct {
	bos string // the tokenizer's BOS token, "" for none
}

const roleColonStop = "\n\nUser:"

func (roleColon) name() string { return "role_colon" }

func (rc roleColon) specials() []string {
	if rc.bos == "" {
		return nil
	}
	return []string{rc.bos}
}

func (rc roleColon) prefix([]chat.Message) []Segment {
	if rc.bos == "" {
		return nil
	}
	return []Segment{sp(rc.bos)}
}

func (rc roleColon) withBOS(bos string) format {
	rc.bos = bos
	return rc
}

func capitalize(role string) string {
	if role == "" {
		return ""
	}
	return strings.ToUpper(role[:1]) + role[1:]
}

func (roleColon) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	switch {
	case m.Role == "tool" || len(m.ToolCalls) > 0:
		return rendered{}, fmt.Errorf("message %d (%s): renderer role_colon does not support tool calling", i, m.Role)
	case m.Content.HasThinking():
		return rendered{}, fmt.Errorf("message %d (%s): renderer role_colon cannot express thinking", i, m.Role)
	case m.Role == "":
		return rendered{}, fmt.Errorf("message %d: empty role", i)
	}
	r := rendered{header: []Segment{tx(capitalize(m.Role) + ":")}, output: []Segment{tx(" " + m.Content.Text() + "\n\n")}}
	if m.Role == "assistant" {
		r.stopOverlap = []Segment{tx("User:")}
	}
	return r, nil
}

func (roleColon) suffix([]chat.Message) []Segment          { return []Segment{tx("Assistant:")} }
func (roleColon) checkTarget([]chat.Message, []bool) error { return nil }
func (roleColon) stop() Stop                               { return Stop{Strings: []string{roleColonStop}} }
func (roleColon) extension() bool                          { return true }
func (roleColon) splitPerUserTurn() bool                   { return false }

// parse splits on "\n\nUser:"; text that ends without it ended cleanly
// (base models may simply stop).
func (roleColon) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	text := stream(pieces).text()
	term := TerminatedEOS
	if i := strings.Index(text, roleColonStop); i >= 0 {
		text, term = text[:i], TerminatedStop
	}
	return assistant("", strings.TrimPrefix(text, " "), nil), term
}
