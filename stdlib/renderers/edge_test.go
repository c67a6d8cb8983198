package renderers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
)

// TestEdgeConversations: every built-in renderer handles the conversations
// at the edges (none at all, a lone system message, an assistant message,
// with or without reasoning, with nothing before it) without panicking, and when the assistant
// speaks first, nothing its generation prompt supplies is trained while
// its own text is.
func TestEdgeConversations(t *testing.T) {
	fixedClock(t)
	lone := []chat.Message{{Role: "assistant", Content: chat.Text("Hello there")}}
	loneThinking := []chat.Message{{Role: "assistant", Content: chat.Content{{Type: chat.PartThinking, Thinking: "hmm"}, {Type: chat.PartText, Text: "Hello"}}}}
	for _, name := range Names() {
		r, _ := Get(name)
		noPanic(t, name+" GenerationPrompt(none)", func() error { _, err := r.GenerationPrompt(nil); return err })
		noPanic(t, name+" GenerationPrompt(system)", func() error {
			_, err := r.GenerationPrompt([]chat.Message{{Role: "system", Content: chat.Text("Be brief.")}})
			return err
		})
		for _, mode := range TrainOnModes() {
			if mode == Customized {
				continue
			}
			noPanic(t, fmt.Sprintf("%s Supervised(none, %s)", name, mode), func() error { _, err := r.Supervised(nil, mode); return err })
			noPanic(t, fmt.Sprintf("%s Supervised(assistant only, %s)", name, mode), func() error { _, err := r.Supervised(lone, mode); return err })
			noPanic(t, fmt.Sprintf("%s Supervised(assistant thinking only, %s)", name, mode), func() error { _, err := r.Supervised(loneThinking, mode); return err })
		}
		exs, err := r.Supervised(lone, LastAssistantMessage)
		if err != nil {
			continue // a format may refuse a conversation without a user
		}
		ex := exs[len(exs)-1]
		prompt, err := r.GenerationPrompt(nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		units, _ := commonPrefix(prompt, ex)
		if trained := trainedText(ex); !strings.Contains(trained, "Hello there") {
			t.Errorf("%s: the assistant's text is not trained: %s", name, annotate(ex))
		}
		if n := weightedUnits(ex, units); n > 0 {
			t.Errorf("%s: %d units the generation prompt supplies are trained: %s", name, n, annotate(ex))
		}
	}
}

// noPanic runs f, failing the test on a panic (an error is fine).
func noPanic(t *testing.T, what string, f func() error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s panicked: %v", what, p)
		}
	}()
	_ = f()
}

func trainedText(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Weight > 0 {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// weightedUnits counts weighted units among the first n units of segs.
func weightedUnits(segs []Segment, n int) int {
	count := 0
	for _, s := range segs {
		size := 1
		if !s.Special {
			size = len(s.Text)
		}
		take := min(size, n)
		if s.Weight > 0 {
			count += take
		}
		if n -= take; n == 0 {
			break
		}
	}
	return count
}

// TestFormatNames: each built-in format calls itself by the name it is
// registered under (aliases aside), since errors and plans use it.
func TestFormatNames(t *testing.T) {
	for name, b := range builtins {
		got := b.make().name()
		if name == "deepseekv3_disable_thinking" {
			if got != "deepseekv3" {
				t.Errorf("alias %s names its format %q, want deepseekv3", name, got)
			}
			continue
		}
		if got != name {
			t.Errorf("format registered as %s calls itself %q", name, got)
		}
	}
}

// TestKimiHistoryDropsReasoningBeforeTheCurrentTurn: kimi_k2 keeps the
// reasoning of the current turn only; an assistant message that opens the
// conversation is history once a user has spoken after it.
func TestKimiHistoryDropsReasoningBeforeTheCurrentTurn(t *testing.T) {
	r, _ := Get("kimi_k2")
	thought := chat.Content{{Type: chat.PartThinking, Thinking: "OLD REASONING"}, {Type: chat.PartText, Text: "a0"}}
	msgs := []chat.Message{
		{Role: "assistant", Content: thought},
		{Role: "user", Content: chat.Text("q")},
		{Role: "assistant", Content: chat.Content{{Type: chat.PartThinking, Thinking: "new reasoning"}, {Type: chat.PartText, Text: "a1"}}},
	}
	exs, err := r.Supervised(msgs, LastAssistantMessage)
	if err != nil {
		t.Fatal(err)
	}
	text := Text(exs[len(exs)-1])
	if strings.Contains(text, "OLD REASONING") || !strings.Contains(text, "new reasoning") {
		t.Errorf("rendering %q: want the current turn's reasoning only", text)
	}
	// Trained on every assistant message, kimi_k2 (no extension
	// property) renders one example per assistant turn, the opening one
	// included.
	exs, err = r.Supervised(msgs, AllAssistantMessages)
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 2 {
		t.Fatalf("%d examples, want 2 (one per assistant turn)", len(exs))
	}
	if trained := trainedText(exs[0]); !strings.Contains(trained, "a0") {
		t.Errorf("first example trains %q, want the opening assistant message", trained)
	}
}
