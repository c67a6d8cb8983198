package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/cookbookc/cookbookc/compiler/ir"
)

// stageHash is the hex SHA-256 of a stage's kind and canonical inputs.
// References are replaced by what they denote: a dataset's definition, a
// custom renderer's definition (a built-in renderer by its name), an
// upstream stage's hash; secrets by where they come from, never their
// value. Source ranges are left out, so moving a block does not change a
// hash, while any change upstream changes every hash downstream (a Merkle
// DAG). Stages named in depends_on contribute their hashes too.
func (c *compiler) stageHash(e *experiment, s *stage) string {
	inputs := make(map[string]any, len(s.inputs))
	for name, v := range s.inputs {
		inputs[name] = c.canonical(e, v)
	}
	var after []string
	for name := range s.explicit {
		if up := e.byName[name]; up != nil {
			after = append(after, up.hash)
		}
	}
	sort.Strings(after)
	doc := map[string]any{"kind": s.kindName, "inputs": inputs, "after": after}
	data, err := json.Marshal(doc)
	if err != nil {
		return "" // only plain data and IR structs reach here
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (c *compiler) canonical(e *experiment, v ir.Value) any {
	switch {
	case v.Secret != nil:
		return map[string]any{"type": v.Type, "secret": v.Secret}
	case v.IsRef(rootDataset):
		if d, ok := c.datasets[v.RefName()]; ok {
			def := d.ir
			def.Range = ir.Range{}
			return map[string]any{"dataset": def}
		}
	case v.IsRef(rootRenderer):
		if r, ok := c.renderers[v.RefName()]; ok {
			return map[string]any{"renderer": canonicalRenderer(r.ir)}
		}
		return map[string]any{"renderer": v.RefName()}
	case v.IsRef(rootStage):
		id, out, _ := v.StageRef()
		hash := ""
		if up := e.byName[id]; up != nil {
			hash = up.hash
		}
		return map[string]any{"stage": hash, "output": out}
	}
	return map[string]any{"type": v.Type, "value": v.Value}
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
