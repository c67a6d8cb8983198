package renderers

import (
	"slices"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// TestSamplingStopsWhereTheTrainedTurnEnds: for every built-in renderer
// and every conversation it can render, the trained assistant turn ends
// with one of the renderer's stop sequences (Stop), and a sampler that
// stops on those sequences, producing the trained turn and then more
// (the next turn's text), stops exactly where the trained turn ends,
// with a response that parses as ended on a stop sequence. A wrong stop
// token (qwen3 stopping on <|endoftext|> instead of <|im_end|>, issue 17
// gap 1) let sampling run past every turn to max_tokens while parsing
// still looked right.
func TestSamplingStopsWhereTheTrainedTurnEnds(t *testing.T) {
	fixedClock(t)
	// The shared conversations, and a turn that ends in a tool call
	// (gpt-oss ends it with <|call|>, not <|return|>).
	call := chat.ToolCall{ID: "functions.get_weather:0", Type: "function", Function: chat.FunctionCall{Name: "get_weather", Arguments: `{"city": "Paris"}`}}
	convs := append(loadConversations(t), conversation{Name: "ends_with_tool_call", Messages: []chat.Message{
		{Role: "user", Content: chat.Text("Weather in Paris?")},
		{Role: "assistant", Content: chat.Text("Checking."), ToolCalls: []chat.ToolCall{call}},
	}})
	for _, name := range Names() {
		r, _ := Get(name)
		stop := r.Stop()
		if len(stop.Tokens)+len(stop.Strings) == 0 {
			t.Errorf("%s: no stop sequences", name)
			continue
		}
		next, err := r.GenerationPrompt([]chat.Message{{Role: "user", Content: chat.Text("And then?")}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checked := 0
		for _, c := range convs {
			msgs := stripTrainable(c.Messages)
			if msgs[len(msgs)-1].Role != "assistant" {
				continue
			}
			prompt, err1 := r.GenerationPrompt(msgs[:len(msgs)-1])
			exs, err2 := r.Supervised(msgs, LastAssistantMessage)
			if err1 != nil || err2 != nil {
				continue
			}
			ex := exs[len(exs)-1]
			promptUnits, _ := commonPrefix(prompt, ex)
			turnEnd := trainedEnd(ex)
			if !endsWithStop(ex[:turnEnd.seg], ex[turnEnd.seg], turnEnd.off, stop) {
				t.Errorf("%s %s: the trained turn does not end with a stop sequence %+v: %s", name, c.Name, stop, annotate(ex))
				continue
			}
			stream := append(completionPieces(ex, promptUnits), completionPieces(next, 0)...)
			sampled, units, stopped := sampleUntilStop(stream, stop)
			if want := unitsBefore(ex, turnEnd) - promptUnits; !stopped || units != want {
				t.Errorf("%s %s: sampling stopped=%v after %d units, want a stop after the trained turn's %d units", name, c.Name, stopped, units, want)
				continue
			}
			if _, term := r.ParseResponse(sampled); term != TerminatedStop {
				t.Errorf("%s %s: the sampled turn parses as %s, want %s", name, c.Name, term, TerminatedStop)
			}
			checked++
		}
		if checked < 8 {
			t.Errorf("%s: only %d conversations checked", name, checked)
		}
	}
}

// position is a unit position in segments: segment seg, byte off of a
// text segment (0 for a special one), just after the unit.
type position struct{ seg, off int }

// trainedEnd returns the position just after the last weighted unit.
func trainedEnd(segs []Segment) position {
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].Weight > 0 {
			if segs[i].Special {
				return position{i, 1}
			}
			return position{i, len(segs[i].Text)}
		}
	}
	return position{}
}

// unitsBefore counts the units (special tokens, text bytes) before p.
func unitsBefore(segs []Segment, p position) int {
	n := 0
	for _, s := range segs[:p.seg] {
		if s.Special {
			n++
		} else {
			n += len(s.Text)
		}
	}
	return n + p.off
}

// endsWithStop reports whether the rendering that ends at byte off of
// last (after the segments before) ends with a stop token or string.
func endsWithStop(before []Segment, last Segment, off int, stop Stop) bool {
	if last.Special {
		return slices.Contains(stop.Tokens, last.Text)
	}
	var text strings.Builder
	for _, s := range before {
		if !s.Special {
			text.WriteString(s.Text)
		}
	}
	text.WriteString(last.Text[:off])
	for _, s := range stop.Strings {
		if strings.HasSuffix(text.String(), s) {
			return true
		}
	}
	return false
}

// sampleUntilStop plays a sampler on a fixed stream of tokens (special
// pieces are one token, text is one token per byte): it stops after a
// stop token, or once the text so far ends with a stop string. It
// returns what it produced, how many units that is, and whether it
// stopped before the stream ran out.
func sampleUntilStop(stream []tokenizer.Piece, stop Stop) ([]tokenizer.Piece, int, bool) {
	var out []tokenizer.Piece
	var text strings.Builder
	units := 0
	for _, p := range stream {
		if p.Special {
			out = append(out, p)
			units++
			if slices.Contains(stop.Tokens, p.Text) {
				return out, units, true
			}
			continue
		}
		for i := 0; i < len(p.Text); i++ {
			text.WriteByte(p.Text[i])
			units++
			for _, s := range stop.Strings {
				if strings.HasSuffix(text.String(), s) {
					return append(out, tokenizer.Piece{Text: p.Text[:i+1]}), units, true
				}
			}
		}
		out = append(out, p)
	}
	return out, units, false
}
