// Package renderers turns conversations into exactly the text a model is
// trained on and prompted with: the built-in chat formats of
// ../shared/reference/cookbook-semantics.md §8.3, and custom renderers declared in a recipe's
// `renderer` block.
package renderers

import (
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// TrainOn says which rendered tokens get weight 1.
type TrainOn string

// The train_on modes (../shared/reference/cookbook-semantics.md §3.2).
const (
	LastAssistantMessage     TrainOn = "last_assistant_message"
	LastAssistantTurn        TrainOn = "last_assistant_turn"
	AllAssistantMessages     TrainOn = "all_assistant_messages"
	AllMessages              TrainOn = "all_messages"
	AllTokens                TrainOn = "all_tokens"
	AllUserAndSystemMessages TrainOn = "all_user_and_system_messages"
	Customized               TrainOn = "customized"
)

// TrainOnNames lists the train_on modes (TrainOnModes) as strings: the
// enum of every stage kind's train_on input.
func TrainOnNames() []string {
	modes := TrainOnModes()
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = string(m)
	}
	return names
}

// Segment is a piece of a rendering. A Special segment is exactly one
// special token; other segments are ordinary text. Weight is the training
// weight (0 or 1) of every token of the segment.
type Segment struct {
	Text    string
	Special bool
	Weight  float32
}

// Stop lists the stop sequences of a format: special tokens (by text) and
// plain strings.
type Stop struct {
	Tokens  []string
	Strings []string
}

// Termination says how a sampled response ended.
type Termination string

// Terminations of ParseResponse.
const (
	TerminatedStop      Termination = "stop_sequence" // ended on a stop sequence
	TerminatedEOS       Termination = "eos"           // ended cleanly without one
	TerminatedMalformed Termination = "malformed"     // cut off or unparseable
)

// Renderer is a chat format.
type Renderer interface {
	Name() string
	// SpecialTokens lists the format's special tokens; the byte-level
	// tokenizer gives them ids 256, 257, ... in this order.
	SpecialTokens() []string
	// Supervised renders a conversation for training with per-segment
	// weights for trainOn. Formats without the extension property may
	// split one conversation into several examples.
	Supervised(msgs []chat.Message, trainOn TrainOn) ([][]Segment, error)
	// GenerationPrompt renders msgs followed by the header that asks for
	// an assistant turn. All weights are 0.
	GenerationPrompt(msgs []chat.Message) ([]Segment, error)
	Stop() Stop
	// ParseResponse parses decoded sampled tokens (up to and including a
	// stop sequence) into an assistant message.
	ParseResponse(pieces []tokenizer.Piece) (chat.Message, Termination)
	// ExtensionProperty reports whether each generation prompt is a
	// prefix of the next turn's rendering.
	ExtensionProperty() bool
	// Roles lists the message roles the format renders (chat.Roles for
	// the built-in formats, the message blocks of a custom one), sorted.
	// Rendering a message of another role is an error naming it, with a
	// did-you-mean.
	Roles() []string
}
