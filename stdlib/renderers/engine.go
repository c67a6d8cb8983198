package renderers

import (
	"fmt"
	"sort"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// rendered is one message: the header (the role prefix, trained only
// under all_tokens), the output (the trainable part) and, for formats
// whose stop sequence starts the next turn, the stop overlap appended
// after the last message only.
type rendered struct {
	header, output, stopOverlap []Segment
}

// format is what a chat format supplies; engine turns it into a Renderer
// with the train_on rules of ../shared/reference/cookbook-semantics.md §3.2, which are the same
// for every format.
type format interface {
	name() string
	specials() []string
	// prefix is emitted before the first message (BOS, fixed preambles),
	// always with weight 0.
	prefix(msgs []chat.Message) []Segment
	// render renders msgs[i]; it sees the whole conversation because
	// some formats depend on it (thinking kept only in the last turn).
	render(msgs []chat.Message, i int) (rendered, error)
	// suffix asks for an assistant turn after msgs.
	suffix(msgs []chat.Message) []Segment
	// checkTarget rejects conversations whose trained messages the
	// format cannot express (reasoning in a disable-thinking target).
	checkTarget(msgs []chat.Message, trained []bool) error
	stop() Stop
	parse(pieces []tokenizer.Piece) (chat.Message, Termination)
	extension() bool
	// splitPerUserTurn makes multi-turn all_assistant_messages examples
	// one per user turn instead of one per assistant message (Kimi).
	splitPerUserTurn() bool
}

// promptAsHistory is implemented by formats whose generation prompt
// renders every message of the prompt as history: none of them is the
// message being produced, which comes after them. Such a prompt is then
// exactly the beginning of the rendering of the conversation that
// includes the produced message (Kimi-K2 and DeepSeek-V3.1 keep reasoning
// only on the message being produced or its turn; without this, a prompt
// ending with an assistant message would keep that message's reasoning).
type promptAsHistory interface {
	format
	promptAsHistory()
}

// engine implements Renderer for a format.
type engine struct {
	f     format
	alias string // the name asked for, when it is an alias
}

func (e engine) Name() string {
	if e.alias != "" {
		return e.alias
	}
	return e.f.name()
}
func (e engine) SpecialTokens() []string { return append([]string(nil), e.f.specials()...) }
func (e engine) Stop() Stop              { return e.f.stop() }
func (e engine) ExtensionProperty() bool { return e.f.extension() }
func (e engine) ParseResponse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	return e.f.parse(pieces)
}

// roler is implemented by formats that render other roles than
// chat.Roles (custom renderers: the roles of their message blocks).
type roler interface{ roles() []string }

// Roles implements Renderer.
func (e engine) Roles() []string {
	roles := chat.Roles
	if r, ok := e.f.(roler); ok {
		roles = r.roles()
	}
	out := append([]string(nil), roles...)
	sort.Strings(out)
	return out
}

// checkRoles refuses a message whose role the format does not render:
// the built-in formats wrote any role into their headers ("Usr:" for a
// misspelt "usr"), training on a format the model never sees.
func (e engine) checkRoles(msgs []chat.Message) error {
	roles := e.Roles()
	for i, m := range msgs {
		if err := chat.CheckRole(m.Role, roles); err != nil {
			return fmt.Errorf("message %d: renderer %s: %w", i, e.Name(), err)
		}
	}
	return nil
}

// GenerationPrompt implements Renderer.
func (e engine) GenerationPrompt(msgs []chat.Message) ([]Segment, error) {
	if err := e.checkRoles(msgs); err != nil {
		return nil, err
	}
	msgs = splitReasoning(e.f, msgs)
	segs := append([]Segment(nil), e.f.prefix(msgs)...)
	view := msgs
	if _, ok := e.f.(promptAsHistory); ok {
		// Render msgs as the start of msgs + [the produced message].
		view = append(msgs[:len(msgs):len(msgs)], chat.Message{Role: "assistant"})
	}
	for i := range msgs {
		r, err := e.f.render(view, i)
		if err != nil {
			return nil, err
		}
		segs = append(segs, r.header...)
		segs = append(segs, r.output...)
	}
	segs = append(segs, e.f.suffix(msgs)...)
	return clean(withWeight(segs, 0)), nil
}

// Supervised implements Renderer.
func (e engine) Supervised(msgs []chat.Message, trainOn TrainOn) ([][]Segment, error) {
	if err := e.checkRoles(msgs); err != nil {
		return nil, err
	}
	if err := checkTrainable(msgs, trainOn); err != nil {
		return nil, err
	}
	msgs = splitReasoning(e.f, msgs)
	if !e.f.extension() && trainOn == AllAssistantMessages && countRole(msgs, "assistant") > 1 {
		return e.split(msgs)
	}
	segs, err := e.renderExample(msgs, trainOn)
	if err != nil {
		return nil, err
	}
	return [][]Segment{segs}, nil
}

// split renders one example per assistant message (or per user turn),
// for formats whose history rendering differs from the turn being
// produced: training every assistant message of one rendering would teach
// text the model never sees at sampling time.
func (e engine) split(msgs []chat.Message) ([][]Segment, error) {
	var out [][]Segment
	for i, m := range msgs {
		end, mode := -1, LastAssistantMessage
		if e.f.splitPerUserTurn() {
			// The turn ends before the next user message.
			if (i+1 == len(msgs) || msgs[i+1].Role == "user") && hasAssistantSinceUser(msgs[:i+1]) {
				end, mode = i+1, LastAssistantTurn
			}
		} else if m.Role == "assistant" {
			end = i + 1
		}
		if end < 0 {
			continue
		}
		segs, err := e.renderExample(msgs[:end], mode)
		if err != nil {
			return nil, err
		}
		out = append(out, segs)
	}
	return out, nil
}

func hasAssistantSinceUser(msgs []chat.Message) bool {
	for i := len(msgs) - 1; i >= 0 && msgs[i].Role != "user"; i-- {
		if msgs[i].Role == "assistant" {
			return true
		}
	}
	return false
}

// renderExample renders one supervised example with weights.
func (e engine) renderExample(msgs []chat.Message, trainOn TrainOn) ([]Segment, error) {
	trained, err := trainedMessages(msgs, trainOn)
	if err != nil {
		return nil, err
	}
	if err := e.f.checkTarget(msgs, trained); err != nil {
		return nil, err
	}
	segs := withWeight(e.f.prefix(msgs), 0)
	for i := range msgs {
		r, err := e.f.render(msgs, i)
		if err != nil {
			return nil, err
		}
		var hw, ow float32
		if trainOn == AllTokens {
			hw = 1
		}
		if trained[i] {
			ow = 1
		}
		segs = append(segs, withWeight(r.header, hw)...)
		segs = append(segs, withWeight(r.output, ow)...)
		if i == len(msgs)-1 {
			segs = append(segs, withWeight(r.stopOverlap, ow)...)
		}
	}
	segs = clean(segs)
	if trainOn == LastAssistantMessage || trainOn == LastAssistantTurn {
		if b := firstTrained(trained); b >= 0 {
			// Nothing the generation prompt would have supplied (such as
			// a prefilled "<think>\n") is trained.
			prompt, err := e.GenerationPrompt(msgs[:b])
			if err != nil {
				return nil, err
			}
			segs = zeroPrefix(segs, prompt)
		}
	}
	return segs, nil
}

func firstTrained(trained []bool) int {
	for i, t := range trained {
		if t {
			return i
		}
	}
	return -1
}

// checkTrainable enforces the trainable flag rule: required on every
// message under customized, forbidden otherwise.
func checkTrainable(msgs []chat.Message, trainOn TrainOn) error {
	for i, m := range msgs {
		switch {
		case trainOn == Customized && m.Trainable == nil:
			return fmt.Errorf("message %d (%s): train_on = \"customized\" needs a \"trainable\" flag on every message", i, m.Role)
		case trainOn != Customized && m.Trainable != nil:
			return fmt.Errorf("message %d (%s): \"trainable\" is only allowed with train_on = \"customized\" (train_on is %q)", i, m.Role, trainOn)
		}
	}
	return nil
}

// trainedMessages says which messages' outputs get weight 1.
func trainedMessages(msgs []chat.Message, trainOn TrainOn) ([]bool, error) {
	trained := make([]bool, len(msgs))
	lastUser := lastRole(msgs, "user")
	for i, m := range msgs {
		switch trainOn {
		case LastAssistantMessage:
			trained[i] = i == len(msgs)-1 && m.Role == "assistant"
		case LastAssistantTurn:
			trained[i] = i > lastUser && m.Role == "assistant"
		case AllAssistantMessages:
			trained[i] = m.Role == "assistant"
		case AllMessages, AllTokens:
			trained[i] = true
		case AllUserAndSystemMessages:
			trained[i] = m.Role == "user" || m.Role == "system"
		case Customized:
			trained[i] = m.Trainable != nil && *m.Trainable
		default:
			return nil, fmt.Errorf("unknown train_on %q (want one of %v)", trainOn, TrainOnModes())
		}
	}
	return trained, nil
}

// TrainOnModes lists the train_on modes.
func TrainOnModes() []TrainOn {
	return []TrainOn{LastAssistantMessage, LastAssistantTurn, AllAssistantMessages, AllMessages, AllTokens, AllUserAndSystemMessages, Customized}
}

func lastRole(msgs []chat.Message, role string) int {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == role {
			return i
		}
	}
	return -1
}

func countRole(msgs []chat.Message, role string) int {
	n := 0
	for _, m := range msgs {
		if m.Role == role {
			n++
		}
	}
	return n
}
