package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// Tensor describes one named parameter inside a ParamSet's flat storage.
type Tensor struct {
	Name  string
	Shape []int
	Off   int
	// Decay says whether AdamW's weight decay applies (matrices yes,
	// LayerNorm gains no).
	Decay bool
}

// Size is the number of elements.
func (t Tensor) Size() int {
	n := 1
	for _, s := range t.Shape {
		n *= s
	}
	return n
}

// ParamSet is a list of tensors stored in one flat slice, with a
// gradient slice of the same layout (nil when the set is frozen).
type ParamSet[T kern.Float] struct {
	Tensors []Tensor
	Data    []T
	Grad    []T
	index   map[string]int
}

func (p *ParamSet[T]) add(name string, decay bool, shape ...int) {
	if p.index == nil {
		p.index = map[string]int{}
	}
	t := Tensor{Name: name, Shape: shape, Decay: decay}
	if len(p.Tensors) > 0 {
		last := p.Tensors[len(p.Tensors)-1]
		t.Off = last.Off + last.Size()
	}
	p.index[name] = len(p.Tensors)
	p.Tensors = append(p.Tensors, t)
}

func (p *ParamSet[T]) size() int {
	if len(p.Tensors) == 0 {
		return 0
	}
	last := p.Tensors[len(p.Tensors)-1]
	return last.Off + last.Size()
}

func (p *ParamSet[T]) alloc(withGrad bool) {
	p.Data = make([]T, p.size())
	if withGrad {
		p.Grad = make([]T, p.size())
	}
}

// Lookup returns a tensor by name.
func (p *ParamSet[T]) Lookup(name string) (Tensor, bool) {
	i, ok := p.index[name]
	if !ok {
		return Tensor{}, false
	}
	return p.Tensors[i], true
}

func (p *ParamSet[T]) data(name string) []T {
	t, ok := p.Lookup(name)
	if !ok {
		panic(fmt.Sprintf("engine: no tensor %q", name))
	}
	return p.Data[t.Off : t.Off+t.Size()]
}

func (p *ParamSet[T]) grad(name string) []T {
	if p.Grad == nil {
		return nil
	}
	t, _ := p.Lookup(name)
	return p.Grad[t.Off : t.Off+t.Size()]
}

// Tensor names of the base model; weights are stored in×out (y = x·W).
func layerName(l int, s string) string { return fmt.Sprintf("h.%d.%s", l, s) }

const (
	nameWTE  = "wte"
	nameWPE  = "wpe"
	nameLNF  = "ln_f.weight"
	nameHead = "lm_head"
)

// projections lists the projections of a layer that can carry LoRA, with
// their group (attn or mlp).
var projections = []struct{ name, group string }{
	{"attn.qkv", "attn"}, {"attn.proj", "attn"}, {"mlp.fc", "mlp"}, {"mlp.proj", "mlp"},
}

func (c Config) projShape(proj string) (in, out int) {
	switch proj {
	case "attn.qkv":
		return c.Dim, 3 * c.Dim
	case "attn.proj":
		return c.Dim, c.Dim
	case "mlp.fc":
		return c.Dim, c.Hidden
	default: // mlp.proj
		return c.Hidden, c.Dim
	}
}

func baseLayout[T kern.Float](c Config) *ParamSet[T] {
	p := &ParamSet[T]{}
	p.add(nameWTE, true, c.Vocab, c.Dim)
	p.add(nameWPE, true, c.Context, c.Dim)
	for l := 0; l < c.Layers; l++ {
		p.add(layerName(l, "ln1.weight"), false, c.Dim)
		for i, pr := range projections {
			in, out := c.projShape(pr.name)
			if i == 2 {
				p.add(layerName(l, "ln2.weight"), false, c.Dim)
			}
			p.add(layerName(l, pr.name+".weight"), true, in, out)
		}
	}
	p.add(nameLNF, false, c.Dim)
	return p
}

// initBase fills the base weights as nanoGPT does: N(0, 0.02) for
// embeddings and projections, 0.02/sqrt(2L) for the residual output
// projections, ones for LayerNorm gains.
func initBase[T kern.Float](c Config, p *ParamSet[T]) {
	r := newRNG(c.Seed, "base")
	for _, t := range p.Tensors {
		d := p.Data[t.Off : t.Off+t.Size()]
		if len(t.Shape) == 1 {
			for i := range d {
				d[i] = 1
			}
			continue
		}
		std := 0.02
		if strings.HasSuffix(t.Name, "attn.proj.weight") || strings.HasSuffix(t.Name, "mlp.proj.weight") {
			std = 0.02 / math.Sqrt(2*float64(c.Layers))
		}
		for i := range d {
			d[i] = T(std * r.normal())
		}
	}
}

// LoRA configures low-rank adapters. Rank 0 means full fine-tuning.
type LoRA struct {
	Rank  int     `json:"rank"`
	Alpha float64 `json:"alpha"`
	Seed  uint64  `json:"seed"`
	// Attn, MLP and Unembed choose where adapters go.
	Attn    bool `json:"train_attn"`
	MLP     bool `json:"train_mlp"`
	Unembed bool `json:"train_unembed"`
}

// Scale is alpha/rank.
func (l LoRA) Scale() float64 {
	if l.Rank == 0 {
		return 0
	}
	return l.Alpha / float64(l.Rank)
}

func (l LoRA) covers(group string) bool {
	switch group {
	case "attn":
		return l.Attn
	case "mlp":
		return l.MLP
	default:
		return l.Unembed
	}
}

func loraLayout[T kern.Float](c Config, l LoRA) *ParamSet[T] {
	p := &ParamSet[T]{}
	if l.Rank == 0 {
		return p
	}
	for layer := 0; layer < c.Layers; layer++ {
		for _, pr := range projections {
			if !l.covers(pr.group) {
				continue
			}
			in, out := c.projShape(pr.name)
			p.add(layerName(layer, pr.name+".lora_a"), true, in, l.Rank)
			p.add(layerName(layer, pr.name+".lora_b"), true, l.Rank, out)
		}
	}
	if l.Unembed {
		p.add(nameHead+".lora_a", true, c.Dim, l.Rank)
		p.add(nameHead+".lora_b", true, l.Rank, c.Vocab)
	}
	return p
}

// initLoRA draws A uniformly in ±1/sqrt(in) and sets B to zero, so a new
// adapter leaves the model's outputs unchanged.
func initLoRA[T kern.Float](l LoRA, p *ParamSet[T]) {
	r := newRNG(l.Seed, "lora")
	for _, t := range p.Tensors {
		d := p.Data[t.Off : t.Off+t.Size()]
		if !strings.HasSuffix(t.Name, "lora_a") {
			clear(d)
			continue
		}
		bound := 1 / math.Sqrt(float64(t.Shape[0]))
		for i := range d {
			d[i] = T(bound * (2*r.float64() - 1))
		}
	}
}
