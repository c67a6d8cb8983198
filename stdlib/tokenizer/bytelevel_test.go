package tokenizer

import (
	"bytes"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

func TestByteLevelRoundTrip(t *testing.T) {
	tok, err := NewByteLevel([]string{"<|im_start|>", "<|im_end|>"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID() != ports.ByteTokenizerID || tok.VocabSize() != ports.ByteVocabSize {
		t.Fatalf("id %q size %d", tok.ID(), tok.VocabSize())
	}
	cases := []string{"", "hello", "héllo wörld 😀", "<|im_start|>", "\x00\x01\xff", "\xc3\x28 invalid \xe2\x82", "\xed\xa0\x80 surrogate"}
	for _, s := range cases {
		ids := tok.Encode(s)
		if len(ids) != len(s) {
			t.Errorf("%q: %d ids for %d bytes", s, len(ids), len(s))
		}
		for _, id := range ids {
			if tok.IsSpecial(id) {
				t.Errorf("%q: ordinary text produced special id %d", s, id)
			}
		}
		if got := tok.Decode(ids); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
}

func TestByteLevelSpecials(t *testing.T) {
	tok, err := NewByteLevel([]string{"<a>", "<b>"})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := tok.SpecialID("<b>"); !ok || id != 257 {
		t.Fatalf("SpecialID(<b>) = %d, %v", id, ok)
	}
	if _, ok := tok.SpecialID("<c>"); ok {
		t.Fatal("unknown special found")
	}
	ids := append(append([]int{256}, tok.Encode("<b>x\xff")...), 257, 300)
	pieces := tok.DecodePieces(ids)
	want := []Piece{{Text: "<a>", Special: true}, {Text: "<b>x\xff"}, {Text: "<b>", Special: true}}
	if len(pieces) != len(want) {
		t.Fatalf("pieces %#v", pieces)
	}
	for i := range want {
		if pieces[i] != want[i] {
			t.Errorf("piece %d = %#v, want %#v", i, pieces[i], want[i])
		}
	}
	if !bytes.Equal([]byte(tok.Decode(ids)), []byte("<a><b>x\xff<b>")) {
		t.Errorf("Decode = %q", tok.Decode(ids))
	}
}

func TestByteLevelRejects(t *testing.T) {
	many := make([]string, 257)
	for i := range many {
		many[i] = string(rune('a'+i%26)) + string(rune(0x100+i))
	}
	for name, specials := range map[string][]string{
		"too many": many,
		"empty":    {"<a>", ""},
		"repeated": {"<a>", "<a>"},
	} {
		if _, err := NewByteLevel(specials); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
