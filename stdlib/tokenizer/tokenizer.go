// Package tokenizer turns text into token ids and back: a byte-level
// tokenizer for the local backend (256 byte tokens plus the renderer's
// special tokens) and a loader for Hugging Face tokenizer.json files.
package tokenizer

// Piece is a run of decoded text. A Special piece is exactly one special
// token written as its text.
type Piece struct {
	Text    string
	Special bool
}

// PrefixEncoder is implemented by tokenizers that can encode the start of
// a text without the rest: EncodePrefix(text, n) returns the first n ids
// of Encode(text) (all of them when there are fewer).
type PrefixEncoder interface {
	EncodePrefix(text string, n int) []int
}

// Tokenizer encodes and decodes text.
type Tokenizer interface {
	// ID identifies the tokenizer (a hub repo id, or
	// ports.ByteTokenizerID).
	ID() string
	// VocabSize is the number of ids, special tokens included.
	VocabSize() int
	// Encode encodes ordinary text. Text that looks like a special token
	// is encoded as ordinary text, never as the special token.
	Encode(text string) []int
	// SpecialID returns the id of a special token.
	SpecialID(token string) (int, bool)
	// IsSpecial reports whether id is a special token.
	IsSpecial(id int) bool
	// Decode decodes ids; special tokens are written as their text.
	Decode(ids []int) string
	// DecodePieces decodes ids into pieces, each special token its own
	// Special piece, so callers can tell a special token from text that
	// merely looks like one.
	DecodePieces(ids []int) []Piece
}
