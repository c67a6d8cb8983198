package lang

import "github.com/hashicorp/hcl/v2"

// Block type names of the language.
const (
	BlockVariable   = "variable"
	BlockValidation = "validation"
	BlockLocals     = "locals"
	BlockDataset    = "dataset"
	BlockRenderer   = "renderer"
	BlockMessage    = "message"
	BlockExperiment = "experiment"
	BlockStage      = "stage"
	BlockManifest   = "manifest"
	BlockPort       = "port"
	BlockConfig     = "config"
)

// TopSchema is the schema of a recipe file's top level.
var TopSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: BlockVariable, LabelNames: []string{"name"}},
		{Type: BlockLocals},
		{Type: BlockDataset, LabelNames: []string{"name"}},
		{Type: BlockRenderer, LabelNames: []string{"name"}},
		{Type: BlockExperiment, LabelNames: []string{"name"}},
		{Type: BlockManifest, LabelNames: []string{"name"}},
	},
}

// VariableSchema is the schema of a `variable` block.
var VariableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "type"}, {Name: "default"}, {Name: "description"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: BlockValidation}},
}

// ValidationSchema is the schema of a variable's `validation` block.
var ValidationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

// RendererSchema is the schema of a `renderer` block.
var RendererSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"}, {Name: "bos"}, {Name: "generation_prefix"},
		{Name: "stop", Required: true}, {Name: "special_tokens"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: BlockMessage, LabelNames: []string{"role"}}},
}

// MessageSchema is the schema of a renderer's `message` block: either
// template, or header and output.
var MessageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "template"}, {Name: "header"}, {Name: "output"}},
}

// ExperimentSchema is the schema of an `experiment` block.
var ExperimentSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "description"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: BlockStage, LabelNames: []string{"kind", "name"}}},
}

// ManifestSchema is the schema of a `manifest` block.
var ManifestSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "description"}, {Name: "extends"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: BlockPort, LabelNames: []string{"name"}}},
}

// PortSchema is the schema of a manifest's `port` block.
var PortSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "adapter", Required: true}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: BlockConfig}},
}

// DependsOn is the meta-argument of a stage that lists extra dependencies.
const DependsOn = "depends_on"

// FieldSchema returns a body schema with one optional attribute per name
// plus extra, for blocks whose attributes come from the catalog (dataset,
// stage, adapter config). Required fields are checked by the compiler so
// it can word the diagnostic.
func FieldSchema(names []string, extra ...string) *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, n := range append(names, extra...) {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	return s
}
