package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// HF is a Hugging Face tokenizer.json tokenizer: byte-level BPE with the
// Llama 3, Qwen2/Qwen3 or GPT-2 split pattern, an optional NFC
// normaliser, and added (special) tokens. Other tokenizer.json features
// are rejected when loading rather than silently mis-encoded.
type HF struct {
	id        string
	model     *bpe
	nfc       bool
	split     splitter // nil: the whole text is one pre-token
	prefix    bool     // ByteLevel add_prefix_space
	added     []addedToken
	addedIDs  map[string]int
	idToBytes [][]byte // vocabulary ids -> bytes; added tokens -> content
	isAdded   []bool
	vocabSize int
	bos       string // beginning-of-sequence token, "" if none (bos.go)
}

type addedToken struct {
	ID      int    `json:"id"`
	Content string `json:"content"`
	Special bool   `json:"special"`
	LStrip  bool   `json:"lstrip"`
	RStrip  bool   `json:"rstrip"`
}

type fileJSON struct {
	AddedTokens   []addedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         modelJSON       `json:"model"`
	PostProcessor json.RawMessage `json:"post_processor"`
}

type modelJSON struct {
	Type                    string            `json:"type"`
	Vocab                   map[string]int    `json:"vocab"`
	Merges                  []json.RawMessage `json:"merges"`
	IgnoreMerges            bool              `json:"ignore_merges"`
	ByteFallback            bool              `json:"byte_fallback"`
	ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
	Dropout                 *float64          `json:"dropout"`
}

type componentJSON struct {
	Type           string            `json:"type"`
	Normalizers    []json.RawMessage `json:"normalizers"`
	Pretokenizers  []json.RawMessage `json:"pretokenizers"`
	Pattern        map[string]string `json:"pattern"`
	Behavior       string            `json:"behavior"`
	Invert         bool              `json:"invert"`
	AddPrefixSpace bool              `json:"add_prefix_space"`
	UseRegex       bool              `json:"use_regex"`
}

// LoadFile reads a tokenizer.json file; id names the tokenizer (usually
// its hub repo).
func LoadFile(path, id string) (*HF, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", id, err)
	}
	t, err := Parse(data, id)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s (%s): %w", id, path, err)
	}
	return t, nil
}

// Parse builds a tokenizer from the contents of a tokenizer.json file.
func Parse(data []byte, id string) (*HF, error) {
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not a tokenizer.json: %w", err)
	}
	t := &HF{id: id, addedIDs: map[string]int{}}
	if err := t.setNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if err := t.setPreTokenizer(f.PreTokenizer, true); err != nil {
		return nil, err
	}
	if err := t.setModel(&f.Model); err != nil {
		return nil, err
	}
	for _, a := range f.AddedTokens {
		if a.Content == "" || a.ID < 0 {
			return nil, fmt.Errorf("added token %d has no content", a.ID)
		}
		t.added = append(t.added, a)
		t.addedIDs[a.Content] = a.ID
	}
	// Longest first, so that matching prefers "<|im_start|>" over a
	// shorter token that is its prefix.
	sort.SliceStable(t.added, func(i, j int) bool { return len(t.added[i].Content) > len(t.added[j].Content) })
	t.buildDecodeTable()
	bos, err := templateBOS(f.PostProcessor)
	if err != nil {
		return nil, err
	}
	if _, ok := t.addedIDs[bos]; bos != "" && !ok {
		return nil, fmt.Errorf("post_processor: BOS %q is not an added token", bos)
	}
	t.bos = bos
	return t, nil
}

func (t *HF) setNormalizer(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var c componentJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("normalizer: %w", err)
	}
	switch c.Type {
	case "NFC":
		t.nfc = true
	case "Sequence":
		for _, n := range c.Normalizers {
			if err := t.setNormalizer(n); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported normalizer %q (supported: NFC)", c.Type)
	}
	return nil
}

func (t *HF) setPreTokenizer(raw json.RawMessage, top bool) error {
	if len(raw) == 0 || string(raw) == "null" {
		if top {
			return errors.New("no pre_tokenizer: only byte-level BPE tokenizers are supported")
		}
		return nil
	}
	var c componentJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("pre_tokenizer: %w", err)
	}
	switch c.Type {
	case "Sequence":
		sawByteLevel := false
		for _, p := range c.Pretokenizers {
			var inner componentJSON
			_ = json.Unmarshal(p, &inner)
			if inner.Type == "ByteLevel" {
				sawByteLevel = true
			}
			if err := t.setPreTokenizer(p, false); err != nil {
				return err
			}
		}
		if !sawByteLevel {
			return errors.New("pre_tokenizer: only byte-level BPE tokenizers are supported (no ByteLevel step)")
		}
	case "Split":
		if t.split != nil {
			return errors.New("pre_tokenizer: more than one Split step is not supported")
		}
		if c.Behavior != "Isolated" || c.Invert {
			return fmt.Errorf("pre_tokenizer: Split with behavior %q invert=%v is not supported", c.Behavior, c.Invert)
		}
		s, ok := splitterFor(c.Pattern["Regex"])
		if !ok {
			return fmt.Errorf("pre_tokenizer: unsupported split pattern %q", c.Pattern["Regex"]+c.Pattern["String"])
		}
		t.split = s
	case "ByteLevel":
		t.prefix = c.AddPrefixSpace
		if c.UseRegex {
			if t.split != nil {
				return errors.New("pre_tokenizer: ByteLevel use_regex after a Split is not supported")
			}
			t.split = splitGPT2
		}
		if top && !c.UseRegex {
			t.split = nil
		}
	default:
		return fmt.Errorf("unsupported pre_tokenizer %q", c.Type)
	}
	return nil
}

func (t *HF) setModel(m *modelJSON) error {
	if m.Type != "BPE" {
		return fmt.Errorf("unsupported model %q (supported: BPE)", m.Type)
	}
	if m.ByteFallback || m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" ||
		m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" || m.Dropout != nil && *m.Dropout != 0 {
		return errors.New("unsupported BPE options (byte_fallback, subword prefix/suffix or dropout)")
	}
	b := &bpe{vocab: m.Vocab, merges: make(map[uint64]merge, len(m.Merges)), ignoreMerges: m.IgnoreMerges, cache: map[string][]int{}}
	for c := 0; c < 256; c++ {
		id, ok := m.Vocab[string(byteToRune[c])]
		if !ok {
			return fmt.Errorf("vocabulary lacks the byte-level token for byte %#02x", c)
		}
		b.byteIDs[c] = int32(id)
	}
	for rank, raw := range m.Merges {
		var left, right string
		var pair []string
		if err := json.Unmarshal(raw, &pair); err == nil && len(pair) == 2 {
			left, right = pair[0], pair[1]
		} else {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("merge %d: %w", rank, err)
			}
			var found bool
			left, right, found = strings.Cut(s, " ")
			if !found {
				return fmt.Errorf("merge %d %q: want two tokens", rank, s)
			}
		}
		l, lok := m.Vocab[left]
		r, rok := m.Vocab[right]
		res, resok := m.Vocab[left+right]
		if !lok || !rok || !resok {
			return fmt.Errorf("merge %d (%q %q) names tokens missing from the vocabulary", rank, left, right)
		}
		k := pairKey(int32(l), int32(r))
		if _, dup := b.merges[k]; !dup {
			b.merges[k] = merge{rank: int32(rank), id: int32(res)}
		}
	}
	t.model = b
	return nil
}

func (t *HF) buildDecodeTable() {
	size := 0
	for _, id := range t.model.vocab {
		size = max(size, id+1)
	}
	for _, a := range t.added {
		size = max(size, a.ID+1)
	}
	t.vocabSize = size
	t.idToBytes = make([][]byte, size)
	t.isAdded = make([]bool, size)
	for tok, id := range t.model.vocab {
		var b []byte
		for _, r := range tok {
			if c, ok := runeToByte[r]; ok {
				b = append(b, c)
			} else {
				b = append(b, string(r)...)
			}
		}
		t.idToBytes[id] = b
	}
	for _, a := range t.added {
		t.idToBytes[a.ID] = []byte(a.Content)
		t.isAdded[a.ID] = true
	}
}

// ID implements Tokenizer.
func (t *HF) ID() string { return t.id }

// VocabSize implements Tokenizer (largest id + 1).
func (t *HF) VocabSize() int { return t.vocabSize }

// Encode implements Tokenizer: normalise, split, byte-level BPE. Added
// tokens are never matched, so "<|im_end|>" in a message is ordinary text
// (Hugging Face's split_special_tokens=True behaviour).
func (t *HF) Encode(text string) []int {
	return t.encodeOrdinary(text, nil)
}

func (t *HF) encodeOrdinary(text string, dst []int) []int {
	if text == "" {
		return dst
	}
	if t.nfc {
		text = norm.NFC.String(text)
	}
	if t.prefix && !startsWithSpace(text) {
		text = " " + text
	}
	if t.split == nil {
		return t.model.encodeWord(text, dst)
	}
	for _, w := range t.split(text) {
		dst = t.model.encodeWord(w, dst)
	}
	return dst
}

func startsWithSpace(s string) bool {
	for _, r := range s {
		return unicode.IsSpace(r)
	}
	return false
}

// EncodeWithAddedTokens encodes text the way Hugging Face's encode does by
// default: occurrences of added tokens (special or not) become their ids,
// the text between them is encoded ordinarily. Renderers never use it for
// message content; it exists for parity checks and for text the user
// wrote as a prompt template.
func (t *HF) EncodeWithAddedTokens(text string) []int {
	var ids []int
	for len(text) > 0 {
		pos, tok := t.nextAdded(text)
		if tok == nil {
			return t.encodeOrdinary(text, ids)
		}
		before, after := text[:pos], text[pos+len(tok.Content):]
		if tok.LStrip {
			before = strings.TrimRightFunc(before, unicode.IsSpace)
		}
		if tok.RStrip {
			after = strings.TrimLeftFunc(after, unicode.IsSpace)
		}
		ids = t.encodeOrdinary(before, ids)
		ids = append(ids, tok.ID)
		text = after
	}
	return ids
}

// nextAdded finds the leftmost added token in text, longest at equal
// positions.
func (t *HF) nextAdded(text string) (int, *addedToken) {
	best, bestPos := -1, len(text)+1
	for i := range t.added {
		if p := strings.Index(text[:min(len(text), bestPos+len(t.added[i].Content))], t.added[i].Content); p >= 0 && p < bestPos {
			best, bestPos = i, p
		}
	}
	if best < 0 {
		return 0, nil
	}
	return bestPos, &t.added[best]
}

// SpecialID implements Tokenizer: the id of an added token.
func (t *HF) SpecialID(token string) (int, bool) {
	id, ok := t.addedIDs[token]
	return id, ok
}

// IsSpecial implements Tokenizer. Every added token counts as special,
// including those tokenizer.json marks special=false (Qwen3's <think>):
// renderers emit them as single tokens and parse them back as such.
func (t *HF) IsSpecial(id int) bool { return id >= 0 && id < len(t.isAdded) && t.isAdded[id] }

// Decode implements Tokenizer. Unknown ids are skipped; byte sequences
// that are not valid UTF-8 are kept as they are.
func (t *HF) Decode(ids []int) string {
	var b []byte
	for _, id := range ids {
		if id >= 0 && id < len(t.idToBytes) {
			b = append(b, t.idToBytes[id]...)
		}
	}
	return string(b)
}

// DecodePieces implements Tokenizer.
func (t *HF) DecodePieces(ids []int) []Piece {
	var pieces []Piece
	var buf []byte
	for _, id := range ids {
		if id < 0 || id >= len(t.idToBytes) {
			continue
		}
		if t.isAdded[id] {
			if len(buf) > 0 {
				pieces = append(pieces, Piece{Text: string(buf)})
				buf = nil
			}
			pieces = append(pieces, Piece{Text: string(t.idToBytes[id]), Special: true})
			continue
		}
		buf = append(buf, t.idToBytes[id]...)
	}
	if len(buf) > 0 {
		pieces = append(pieces, Piece{Text: string(buf)})
	}
	return pieces
}
