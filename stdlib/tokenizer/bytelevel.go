package tokenizer

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// ByteLevel is the tokenizer of the local backend: ids 0-255 are the bytes
// of the text, ids 256, 257, ... are the renderer's special tokens in the
// order the renderer lists them (ports.ByteTokenizerID). Every byte string,
// valid UTF-8 or not, round-trips exactly.
type ByteLevel struct {
	specials []string
	ids      map[string]int
}

// NewByteLevel returns a byte-level tokenizer whose special tokens get ids
// 256, 257, ... in order. At most ports.ByteVocabSize-256 specials fit; an
// empty or repeated special is an error.
func NewByteLevel(specials []string) (*ByteLevel, error) {
	if len(specials) > ports.ByteVocabSize-256 {
		return nil, fmt.Errorf("byte-level tokenizer: %d special tokens, at most %d fit", len(specials), ports.ByteVocabSize-256)
	}
	b := &ByteLevel{specials: append([]string(nil), specials...), ids: make(map[string]int, len(specials))}
	for i, s := range specials {
		if s == "" {
			return nil, fmt.Errorf("byte-level tokenizer: special token %d is empty", i)
		}
		if _, dup := b.ids[s]; dup {
			return nil, fmt.Errorf("byte-level tokenizer: special token %q listed twice", s)
		}
		b.ids[s] = 256 + i
	}
	return b, nil
}

// ID implements Tokenizer.
func (b *ByteLevel) ID() string { return ports.ByteTokenizerID }

// VocabSize implements Tokenizer: always ports.ByteVocabSize, so a model's
// embedding table does not depend on the renderer.
func (b *ByteLevel) VocabSize() int { return ports.ByteVocabSize }

// Encode implements Tokenizer: one id per byte.
func (b *ByteLevel) Encode(text string) []int {
	ids := make([]int, len(text))
	for i := 0; i < len(text); i++ {
		ids[i] = int(text[i])
	}
	return ids
}

// EncodePrefix implements PrefixEncoder: one id per byte, so the first n
// ids are those of the first n bytes.
func (b *ByteLevel) EncodePrefix(text string, n int) []int {
	return b.Encode(text[:min(n, len(text))])
}

// SpecialID implements Tokenizer.
func (b *ByteLevel) SpecialID(token string) (int, bool) {
	id, ok := b.ids[token]
	return id, ok
}

// IsSpecial implements Tokenizer.
func (b *ByteLevel) IsSpecial(id int) bool { return id >= 256 && id < 256+len(b.specials) }

// Specials returns the special tokens in id order.
func (b *ByteLevel) Specials() []string { return append([]string(nil), b.specials...) }

// Decode implements Tokenizer. Ids that are neither bytes nor known
// specials (possible when sampling from an untrained model) are skipped.
func (b *ByteLevel) Decode(ids []int) string {
	var sb strings.Builder
	for _, p := range b.DecodePieces(ids) {
		sb.WriteString(p.Text)
	}
	return sb.String()
}

// DecodePieces implements Tokenizer. Consecutive bytes form one piece,
// which may hold invalid UTF-8 when the ids do.
func (b *ByteLevel) DecodePieces(ids []int) []Piece {
	var pieces []Piece
	var buf []byte
	flush := func() {
		if len(buf) > 0 {
			pieces = append(pieces, Piece{Text: string(buf)})
			buf = buf[:0]
		}
	}
	for _, id := range ids {
		switch {
		case id >= 0 && id < 256:
			buf = append(buf, byte(id))
		case b.IsSpecial(id):
			flush()
			pieces = append(pieces, Piece{Text: b.specials[id-256], Special: true})
		}
	}
	flush()
	return pieces
}
