package renderers

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// sp is a special-token segment, tx an ordinary text segment.
func sp(token string) Segment { return Segment{Text: token, Special: true} }
func tx(text string) Segment  { return Segment{Text: text} }

func withWeight(segs []Segment, w float32) []Segment {
	out := make([]Segment, len(segs))
	for i, s := range segs {
		s.Weight = w
		out[i] = s
	}
	return out
}

// clean drops empty text segments and merges adjacent text segments of
// equal weight, so that text is tokenized in the largest runs (as the
// models' own templates do, which tokenize the whole rendered string).
func clean(segs []Segment) []Segment {
	out := make([]Segment, 0, len(segs))
	for _, s := range segs {
		if s.Text == "" {
			continue
		}
		if n := len(out); n > 0 && !s.Special && !out[n-1].Special && out[n-1].Weight == s.Weight {
			out[n-1].Text += s.Text
			continue
		}
		out = append(out, s)
	}
	return out
}

// Text returns the rendered string: special tokens written literally.
func Text(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Encode tokenizes segments: a special segment is exactly one id (an error
// when tok lacks it), text goes through tok.Encode, which never produces
// special tokens. Each id gets its segment's weight.
func Encode(tok tokenizer.Tokenizer, segs []Segment) (ids []int, weights []float32, err error) {
	return EncodeFirst(tok, segs, 0)
}

// EncodeFirst is Encode keeping only the first max tokens (all when max
// is 0), for callers that truncate to max anyway (a datum's max_length):
// a conversation of millions of tokens then costs memory for max of them,
// not for all (a 7 MB message took 500 MB of growing id and weight
// slices). Text is encoded only as far as needed when the tokenizer can
// (tokenizer.PrefixEncoder).
func EncodeFirst(tok tokenizer.Tokenizer, segs []Segment, max int) (ids []int, weights []float32, err error) {
	full := func() bool { return max > 0 && len(ids) >= max }
	for _, s := range clean(segs) {
		if full() {
			break
		}
		if s.Special {
			id, ok := tok.SpecialID(s.Text)
			if !ok {
				return nil, nil, fmt.Errorf("tokenizer %s has no special token %q", tok.ID(), s.Text)
			}
			ids = append(ids, id)
			weights = append(weights, s.Weight)
			continue
		}
		var text []int
		if p, ok := tok.(tokenizer.PrefixEncoder); ok && max > 0 {
			text = p.EncodePrefix(s.Text, max-len(ids))
		} else {
			text = tok.Encode(s.Text)
		}
		if max > 0 && len(text) > max-len(ids) {
			text = text[:max-len(ids)]
		}
		for _, id := range text {
			ids = append(ids, id)
			weights = append(weights, s.Weight)
		}
	}
	return ids, weights, nil
}

// walker steps through a segment sequence one unit at a time: a special
// segment is one unit, text is one unit per byte.
type walker struct {
	segs []Segment
	i, o int // segment index, byte offset in a text segment
}

func (w *walker) done() bool {
	for w.i < len(w.segs) && !w.segs[w.i].Special && w.o >= len(w.segs[w.i].Text) {
		w.i, w.o = w.i+1, 0
	}
	return w.i >= len(w.segs)
}

// IsPrefix reports whether prefix renders to the first units of segs: the
// same text and the same special tokens in the same places (weights
// ignored). It is how the extension property is checked.
func IsPrefix(prefix, segs []Segment) bool {
	_, ok := commonPrefix(prefix, segs)
	return ok
}

// commonPrefix walks prefix against segs and returns how many units of
// segs match, and whether all of prefix matched.
func commonPrefix(prefix, segs []Segment) (units int, all bool) {
	p, s := &walker{segs: prefix}, &walker{segs: segs}
	for {
		if p.done() {
			return units, true
		}
		if s.done() {
			return units, false
		}
		ps, ss := p.segs[p.i], s.segs[s.i]
		switch {
		case ps.Special || ss.Special:
			if ps.Special != ss.Special || ps.Text != ss.Text {
				return units, false
			}
			p.i, s.i = p.i+1, s.i+1
			units++
		default:
			if ps.Text[p.o] != ss.Text[s.o] {
				return units, false
			}
			p.o, s.o = p.o+1, s.o+1
			units++
		}
	}
}

// zeroPrefix sets the weight of the units of segs that match prompt to 0,
// splitting a text segment when the prompt ends inside it.
func zeroPrefix(segs, prompt []Segment) []Segment {
	units, _ := commonPrefix(prompt, segs)
	out := make([]Segment, 0, len(segs)+1)
	for _, s := range segs {
		n := 1
		if !s.Special {
			n = len(s.Text)
		}
		switch {
		case units >= n:
			s.Weight = 0
			units -= n
			out = append(out, s)
		case units > 0:
			out = append(out, Segment{Text: s.Text[:units]}, Segment{Text: s.Text[units:], Weight: s.Weight})
			units = 0
		default:
			out = append(out, s)
		}
	}
	return clean(out)
}
