package tokenizer

import (
	"container/heap"
	"sync"
)

// byteToRune is GPT-2's reversible map from bytes to printable runes,
// which byte-level BPE vocabularies are written in: printable Latin-1
// bytes map to themselves, the others to U+0100 onwards.
var byteToRune, runeToByte = func() ([256]rune, map[rune]byte) {
	var b2r [256]rune
	r2b := make(map[rune]byte, 256)
	n := 0
	for b := 0; b < 256; b++ {
		printable := b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF
		if printable {
			b2r[b] = rune(b)
		} else {
			b2r[b] = rune(256 + n)
			n++
		}
		r2b[b2r[b]] = byte(b)
	}
	return b2r, r2b
}()

// bpe is a byte-level BPE model: the byte ids, the merge table and a
// cache of encoded pre-tokens (words repeat a lot in real text).
type bpe struct {
	vocab        map[string]int
	byteIDs      [256]int32
	merges       map[uint64]merge // (left id, right id) -> rank and result
	ignoreMerges bool             // a pre-token that is a vocab entry is one token

	mu    sync.RWMutex
	cache map[string][]int
}

type merge struct {
	rank int32
	id   int32
}

const maxCacheEntries = 1 << 17

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// encodeWord encodes one pre-token (raw bytes).
func (m *bpe) encodeWord(word string, dst []int) []int {
	m.mu.RLock()
	ids, ok := m.cache[word]
	m.mu.RUnlock()
	if ok {
		return append(dst, ids...)
	}
	ids = m.merge(word)
	m.mu.Lock()
	if len(m.cache) >= maxCacheEntries {
		m.cache = make(map[string][]int)
	}
	m.cache[word] = ids
	m.mu.Unlock()
	return append(dst, ids...)
}

// symbol is a node of the doubly linked list of a word's current tokens.
type symbol struct {
	id         int32
	prev, next int // -1 at the ends
	dead       bool
}

// candidate is a possible merge of the symbol at pos with its successor.
type candidate struct {
	rank        int32
	pos         int
	left, right int32
	id          int32
}

type candidates []candidate

func (c candidates) Len() int { return len(c) }
func (c candidates) Less(i, j int) bool {
	if c[i].rank != c[j].rank {
		return c[i].rank < c[j].rank
	}
	return c[i].pos < c[j].pos
}
func (c candidates) Swap(i, j int) { c[i], c[j] = c[j], c[i] }
func (c *candidates) Push(x any)   { *c = append(*c, x.(candidate)) }
func (c *candidates) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}

// merge applies the merges in rank order (lowest first, leftmost among
// equal ranks), as Hugging Face's BPE does.
func (m *bpe) merge(word string) []int {
	if word == "" {
		return nil
	}
	if m.ignoreMerges {
		var mapped []rune
		for i := 0; i < len(word); i++ {
			mapped = append(mapped, byteToRune[word[i]])
		}
		if id, ok := m.vocab[string(mapped)]; ok {
			return []int{id}
		}
	}
	syms := make([]symbol, len(word))
	for i := 0; i < len(word); i++ {
		syms[i] = symbol{id: m.byteIDs[word[i]], prev: i - 1, next: i + 1}
	}
	syms[len(syms)-1].next = -1
	var h candidates
	push := func(pos int) {
		nx := syms[pos].next
		if nx < 0 {
			return
		}
		if mg, ok := m.merges[pairKey(syms[pos].id, syms[nx].id)]; ok {
			heap.Push(&h, candidate{rank: mg.rank, pos: pos, left: syms[pos].id, right: syms[nx].id, id: mg.id})
		}
	}
	for i := range syms {
		push(i)
	}
	for h.Len() > 0 {
		c := heap.Pop(&h).(candidate)
		s := &syms[c.pos]
		if s.dead || s.id != c.left || s.next < 0 || syms[s.next].id != c.right {
			continue // stale: one side merged since
		}
		nx := s.next
		s.id = c.id
		syms[nx].dead = true
		s.next = syms[nx].next
		if s.next >= 0 {
			syms[s.next].prev = c.pos
		}
		if s.prev >= 0 {
			push(s.prev)
		}
		push(c.pos)
	}
	var ids []int
	for i := 0; i >= 0; i = syms[i].next {
		ids = append(ids, int(syms[i].id))
	}
	return ids
}
