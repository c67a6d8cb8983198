package engine

import (
	"fmt"
	"hash/fnv"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Config is a model architecture: a decoder-only transformer with learned
// positions, pre-norm LayerNorm (gain only), multi-head causal attention,
// a GELU MLP and an unembedding tied to the token embedding. There are no
// biases (as nanoGPT with bias=False).
type Config struct {
	// Name is the model name, e.g. "local/tiny".
	Name string `json:"name"`
	// Vocab is the vocabulary size (ports.ByteVocabSize for named models).
	Vocab int `json:"vocab"`
	// Context is the context window in tokens (learned positions).
	Context int `json:"context"`
	Dim     int `json:"dim"`
	Layers  int `json:"layers"`
	Heads   int `json:"heads"`
	// Hidden is the MLP width (4×Dim for named models).
	Hidden int `json:"hidden"`
	// Seed initialises the base weights deterministically.
	Seed uint64 `json:"seed"`
}

// Validate checks the shape constraints of the architecture.
func (c Config) Validate() error {
	switch {
	case c.Vocab < 2 || c.Context < 1 || c.Dim < 1 || c.Layers < 1 || c.Heads < 1 || c.Hidden < 1:
		return fmt.Errorf("model %q: every size must be positive (vocab>=2): %+v", c.Name, c)
	case c.Dim%c.Heads != 0:
		return fmt.Errorf("model %q: dim %d is not a multiple of heads %d", c.Name, c.Dim, c.Heads)
	case max(c.Vocab, c.Context, c.Dim, c.Layers, c.Heads, c.Hidden) > maxSize || c.NumParams() > maxParams:
		// A checkpoint's config is read from its file: bound it before
		// New allocates it.
		return fmt.Errorf("model %q is too large for the local backend (%+v; at most %d parameters)", c.Name, c, maxParams)
	}
	return nil
}

// Size limits of a local model (local/small has 11M parameters).
const (
	maxSize   = 1 << 20
	maxParams = 1 << 30
)

// HeadDim is the width of one attention head.
func (c Config) HeadDim() int { return c.Dim / c.Heads }

// NumParams is the number of base parameters.
func (c Config) NumParams() int {
	d := c.Dim
	perLayer := 2*d + d*3*d + d*d + d*c.Hidden + c.Hidden*d
	return c.Vocab*d + c.Context*d + c.Layers*perLayer + d
}

// FLOPsPerToken estimates the training cost of one token (forward and
// backward): 6N for the weights plus 12·L·T·d for attention, with T the
// sequence length.
func (c Config) FLOPsPerToken(seqLen int) float64 {
	return 6*float64(c.NumParams()) + 12*float64(c.Layers*seqLen*c.Dim)
}

func seedFor(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Named model configurations. All use the byte-level vocabulary.
var named = map[string]Config{
	"local/tiny":  {Name: "local/tiny", Vocab: ports.ByteVocabSize, Context: 512, Dim: 128, Layers: 4, Heads: 4, Hidden: 512},
	"local/small": {Name: "local/small", Vocab: ports.ByteVocabSize, Context: 1024, Dim: 384, Layers: 6, Heads: 6, Hidden: 1536},
}

// Names returns the names of the built-in model configurations.
func Names() []string {
	return slices.Sorted(maps.Keys(named))
}

// standInBoundary is the remote size (in billions of parameters) from
// which a remote model runs on local/small rather than local/tiny.
const standInBoundary = 7.0

var sizeRE = regexp.MustCompile(`(?i)(?:^|[-_/])(\d+(?:\.\d+)?)([bm])(?:$|[-_.])`)

// remoteSize returns a remote model's parameter count in billions, read
// from its name ("Llama-3.2-1B", "Qwen3-30B-A3B" -> 30), or 0.
func remoteSize(name string) float64 {
	m := sizeRE.FindStringSubmatch(name)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0
	}
	if strings.EqualFold(m[2], "m") {
		v /= 1000
	}
	return v
}

// Resolve returns the configuration that runs model name locally. A
// built-in name ("local/tiny") runs as itself and standIn is empty. Any
// other name is a remote model: it runs on the built-in model of the
// closest size class (local/tiny below 7B parameters, local/small from
// 7B; names without a size run on local/tiny), and standIn is a sentence
// saying so.
func Resolve(name string) (cfg Config, standIn string, err error) {
	if name == "" {
		return Config{}, "", fmt.Errorf("no model name given")
	}
	if c, ok := named[name]; ok {
		c.Seed = seedFor(c.Name)
		return c, "", nil
	}
	if strings.HasPrefix(name, "local/") {
		return Config{}, "", fmt.Errorf("unknown local model %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	size := remoteSize(name)
	pick := "local/tiny"
	if size >= standInBoundary {
		pick = "local/small"
	}
	c := named[pick]
	c.Seed = seedFor(c.Name)
	sizeText := "of unknown size"
	if size > 0 {
		sizeText = fmt.Sprintf("(about %gB parameters)", size)
	}
	standIn = fmt.Sprintf("%s %s is not available on the local backend; running the stand-in %s (%.2fM parameters, byte-level vocabulary, context %d) with randomly initialised base weights instead",
		name, sizeText, pick, float64(c.NumParams())/1e6, c.Context)
	return c, standIn, nil
}
