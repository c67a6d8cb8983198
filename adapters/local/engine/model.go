package engine

import (
	"fmt"
	"math"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// linear is a projection y = x·W (+ scale·(x·A)·B with LoRA). W is in×out;
// dw is nil when the base is frozen; a, b are nil without an adapter.
type linear[T kern.Float] struct {
	in, out int
	w, dw   []T
	rank    int
	scale   T
	a, b    []T
	da, db  []T
}

type block[T kern.Float] struct {
	ln1, dln1, ln2, dln2 []T
	proj                 [4]linear[T] // attn.qkv, attn.proj, mlp.fc, mlp.proj
}

// Model is a transformer with its trainable state. It is not safe for
// concurrent use: the adapters drive each model from one goroutine.
type Model[T kern.Float] struct {
	Cfg  Config
	LoRA LoRA
	// Base holds the base weights; Adapter the LoRA weights (empty for
	// full fine-tuning). Trainable is the set the optimizer updates.
	Base, Adapter *ParamSet[T]

	pool   *kern.Pool
	blocks []block[T]
	wte    []T
	dwte   []T
	wpe    []T
	dwpe   []T
	lnf    []T
	dlnf   []T
	head   linear[T] // LoRA of the unembedding (no base matrix of its own)

	opt adamState[T]
	ws  workspace[T]

	// MaxChunkTokens bounds the tokens of one forward/backward pass; a
	// batch is processed in chunks of whole sequences of at most this many
	// tokens (one longer sequence is a chunk of its own), accumulating
	// gradients, to bound activation memory.
	MaxChunkTokens int
}

// New builds a model with freshly initialised weights: base weights from
// cfg.Seed, LoRA adapters (if lora.Rank > 0) from lora.Seed. The pool runs
// the heavy kernels; it may be nil for float64 models (tests).
func New[T kern.Float](cfg Config, lora LoRA, pool *kern.Pool) (*Model[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if lora.Rank < 0 {
		return nil, fmt.Errorf("lora rank %d is negative", lora.Rank)
	}
	if lora.Rank > 0 && !lora.Attn && !lora.MLP && !lora.Unembed {
		return nil, fmt.Errorf("lora rank %d with no target (attn, mlp, unembed all off)", lora.Rank)
	}
	if lora.Rank > 0 && lora.Alpha == 0 {
		lora.Alpha = 32
	}
	if pool == nil {
		pool = kern.NewPool(1)
	}
	m := &Model[T]{Cfg: cfg, LoRA: lora, pool: pool}
	m.Base = baseLayout[T](cfg)
	m.Base.alloc(lora.Rank == 0)
	initBase(cfg, m.Base)
	m.Adapter = loraLayout[T](cfg, lora)
	m.Adapter.alloc(true)
	initLoRA(lora, m.Adapter)
	m.bind()
	m.opt.init(m.Trainable())
	// About 256 MiB of activations per chunk.
	perToken := (16*cfg.Dim + 2*cfg.Hidden) * cfg.Layers
	perToken += 4*cfg.Dim + cfg.Vocab
	m.MaxChunkTokens = max(cfg.Context, (256<<20)/(perToken*sizeOf[T]()))
	return m, nil
}

func sizeOf[T kern.Float]() int {
	var z T
	switch any(z).(type) {
	case float32:
		return 4
	}
	return 8
}

// Trainable returns the parameter set the optimizer updates: the
// adapter, or the base for full fine-tuning.
func (m *Model[T]) Trainable() *ParamSet[T] {
	if m.LoRA.Rank > 0 {
		return m.Adapter
	}
	return m.Base
}

// bind points the layer views at the parameter storage.
func (m *Model[T]) bind() {
	c, b, a := m.Cfg, m.Base, m.Adapter
	m.wte, m.dwte = b.data(nameWTE), b.grad(nameWTE)
	m.wpe, m.dwpe = b.data(nameWPE), b.grad(nameWPE)
	m.lnf, m.dlnf = b.data(nameLNF), b.grad(nameLNF)
	m.blocks = make([]block[T], c.Layers)
	scale := T(m.LoRA.Scale())
	for l := range m.blocks {
		bl := &m.blocks[l]
		bl.ln1, bl.dln1 = b.data(layerName(l, "ln1.weight")), b.grad(layerName(l, "ln1.weight"))
		bl.ln2, bl.dln2 = b.data(layerName(l, "ln2.weight")), b.grad(layerName(l, "ln2.weight"))
		for i, pr := range projections {
			in, out := c.projShape(pr.name)
			wn := layerName(l, pr.name+".weight")
			lin := linear[T]{in: in, out: out, w: b.data(wn), dw: b.grad(wn)}
			if _, ok := a.Lookup(layerName(l, pr.name+".lora_a")); ok {
				an, bn := layerName(l, pr.name+".lora_a"), layerName(l, pr.name+".lora_b")
				lin.rank, lin.scale = m.LoRA.Rank, scale
				lin.a, lin.b, lin.da, lin.db = a.data(an), a.data(bn), a.grad(an), a.grad(bn)
			}
			bl.proj[i] = lin
		}
	}
	m.head = linear[T]{in: c.Dim, out: c.Vocab}
	if _, ok := a.Lookup(nameHead + ".lora_a"); ok {
		an, bn := nameHead+".lora_a", nameHead+".lora_b"
		m.head.rank, m.head.scale = m.LoRA.Rank, scale
		m.head.a, m.head.b, m.head.da, m.head.db = a.data(an), a.data(bn), a.grad(an), a.grad(bn)
	}
}

// Clone returns a copy of the model's weights (no optimizer state, no
// gradients) sharing pool, for sampling from a snapshot.
func (m *Model[T]) Clone(pool *kern.Pool) *Model[T] {
	c := &Model[T]{Cfg: m.Cfg, LoRA: m.LoRA, pool: pool, MaxChunkTokens: m.MaxChunkTokens}
	c.Base = &ParamSet[T]{Tensors: m.Base.Tensors, index: m.Base.index, Data: append([]T(nil), m.Base.Data...)}
	c.Adapter = &ParamSet[T]{Tensors: m.Adapter.Tensors, index: m.Adapter.index, Data: append([]T(nil), m.Adapter.Data...)}
	c.bind()
	return c
}

// Pool returns the worker pool of the model.
func (m *Model[T]) Pool() *kern.Pool { return m.pool }

// Step returns the number of optimizer steps taken.
func (m *Model[T]) Step() int { return m.opt.step }

// Fingerprint is a hash of the base weights; LoRA checkpoints record it
// to refuse an adapter saved over different base weights.
func (m *Model[T]) Fingerprint() string {
	var h uint64 = 14695981039346656037
	for _, v := range m.Base.Data {
		bits := math.Float64bits(float64(v))
		for i := 0; i < 8; i++ {
			h ^= bits & 0xff
			h *= 1099511628211
			bits >>= 8
		}
	}
	return fmt.Sprintf("%016x", h)
}
