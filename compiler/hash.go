package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cookbookc/cookbookc/compiler/ir"
)

// stageHash is the hex SHA-256 of a stage's kind and canonical inputs.
// References are replaced by what they denote: a dataset's definition, a
// custom renderer's definition (a built-in renderer by its name), an
// upstream stage's hash; secrets by where they come from, never their
// value. Source ranges are left out, so moving a block does not change a
// hash, while any change upstream changes every hash downstream (a Merkle
// DAG). Stages named in depends_on contribute their hashes too.
//
// The canonical form is JSON with sorted keys:
//
//	{"after":[HASH...],"inputs":{NAME:VALUE,...},"kind":KIND}
//
// written straight into the hash, since check hashes every stage.
func (c *compiler) stageHash(e *experiment, s *stage) string {
	var after []string
	for name := range s.explicit {
		if up := e.byName[name]; up != nil {
			after = append(after, up.hash)
		}
	}
	sort.Strings(after)
	h := sha256.New()
	write(h, `{"after":`)
	writeJSON(h, after)
	write(h, `,"inputs":{`)
	for i, name := range slices.Sorted(maps.Keys(s.inputs)) {
		if i > 0 {
			write(h, ",")
		}
		writeJSON(h, name)
		write(h, ":")
		h.Write(c.canonical(e, s.inputs[name]))
	}
	write(h, `},"kind":`)
	writeJSON(h, s.kindName)
	write(h, "}")
	return hex.EncodeToString(h.Sum(nil))
}

func write(h hash.Hash, s string) { h.Write([]byte(s)) }

func writeJSON(h hash.Hash, v any) {
	data, _ := json.Marshal(v) // strings and string slices always marshal
	h.Write(data)
}

// canonical returns the canonical JSON of one input value.
func (c *compiler) canonical(e *experiment, v ir.Value) []byte {
	switch {
	case v.Secret != nil:
		return mustJSON(map[string]any{"type": v.Type, "secret": v.Secret})
	case v.IsRef(rootDataset), v.IsRef(rootRenderer):
		return c.definition(v.Ref)
	case v.IsRef(rootStage):
		id, out, _ := v.StageRef()
		hash := ""
		if up := e.byName[id]; up != nil {
			hash = up.hash
		}
		return mustJSON(map[string]string{"stage": hash, "output": out})
	}
	buf := make([]byte, 0, len(v.Type)+len(v.Value)+20)
	buf = append(buf, `{"type":`...)
	buf = append(buf, mustJSON(v.Type)...)
	buf = append(buf, `,"value":`...)
	buf = append(buf, v.Value...)
	return append(buf, '}')
}

// definition returns, once per compilation, the canonical JSON of what a
// dataset or renderer reference denotes.
func (c *compiler) definition(ref string) []byte {
	if data, ok := c.defs[ref]; ok {
		return data
	}
	root, name, _ := strings.Cut(ref, ".")
	var doc any = map[string]string{root: name} // a built-in renderer
	if d, ok := c.datasets[name]; ok && root == rootDataset {
		def := d.ir
		def.Range = ir.Range{}
		doc = map[string]any{rootDataset: def}
	} else if r, ok := c.renderers[name]; ok && root == rootRenderer {
		doc = map[string]any{rootRenderer: canonicalRenderer(r.ir)}
	}
	data := mustJSON(doc)
	c.defs[ref] = data
	return data
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		// Only strings, IR structs and literal JSON reach here.
		return []byte("null")
	}
	return data
}

// canonicalRenderer drops positions, which do not change what a renderer
// produces.
func canonicalRenderer(r ir.Renderer) ir.Renderer {
	r.Range = ir.Range{}
	r.GenerationPrefix.Start = ir.Pos{}
	msgs := make(map[string]ir.MessageTemplate, len(r.Messages))
	for role, m := range r.Messages {
		m.Header.Start, m.Output.Start = ir.Pos{}, ir.Pos{}
		msgs[role] = m
	}
	r.Messages = msgs
	return r
}
