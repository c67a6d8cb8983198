package compiler

import (
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/hubsource"
)

// dataset is a `dataset` block.
type dataset struct {
	name  string
	block *hcl.Block
	ir    ir.Dataset
	// sourceRange is the range of a valid source, which checks of the
	// data it names point at; nil when the source has errors.
	sourceRange *hcl.Range
}

func (c *compiler) declareDatasets(blocks []*hcl.Block) {
	seen := map[string]*hcl.Block{}
	for _, b := range blocks {
		if c.declared(b, "dataset", seen) {
			c.datasets[b.Labels[0]] = &dataset{name: b.Labels[0], block: b}
		}
	}
}

// checkDataset decodes a dataset block against the catalog's dataset
// schema. A dataset with errors stays declared so references to it do not
// cascade.
func (c *compiler) checkDataset(d *dataset) {
	fields := c.cat.DatasetFields
	content, diags := d.block.Body.Content(lang.FieldSchema(fieldNames(fields), "description"))
	c.addAll(diag.Classify(diags, diag.UnknownAttribute))
	values := map[string]any{}
	for i := range fields {
		f := &fields[i]
		a, ok := content.Attributes[f.Name]
		if !ok {
			if f.Required {
				c.errorf(diag.MissingAttribute, d.block.DefRange, "Missing "+f.Name,
					"Dataset %q needs %s: %s", d.name, f.Name, f.Doc)
			} else if f.Default != nil {
				values[f.Name] = f.Default
			}
			continue
		}
		val, ok := c.evalValue(a.Expr, "a dataset")
		if !ok {
			continue
		}
		if isSecret(val) {
			c.errorf(diag.InvalidValue, a.Expr.Range(), "Secret in a dataset",
				"Dataset attributes are recorded in plans and cannot come from env().")
			continue
		}
		got, more := fieldValue(f, val, a.Expr.Range(), "Dataset attribute")
		c.addAll(more)
		if got != nil && !more.HasErrors() {
			values[f.Name] = got
		}
	}
	_, hasFraction := content.Attributes["test_fraction"]
	if a, hasSize := content.Attributes["test_size"]; hasSize && hasFraction {
		c.errorf(diag.Constraint, a.NameRange, "Conflicting test split",
			"Set test_fraction or test_size, not both.")
	}
	d.ir = ir.Dataset{
		Name:        d.name,
		Format:      str(values["format"]),
		FileFormat:  str(values["file_format"]),
		Split:       str(values["split"]),
		ShuffleSeed: i64(values["shuffle_seed"]),
		Limit:       int(i64(values["limit"])),
		TestSize:    int(i64(values["test_size"])),
		SkipBadRows: values["skip_bad_rows"] == true,
		MaxRowBytes: int(i64(values["max_row_bytes"])),
		Range:       c.irRange(d.block.DefRange),
	}
	if f, ok := values["test_fraction"].(float64); ok {
		d.ir.TestFraction = f
	}
	if src, ok := values["source"].(string); ok {
		rng := content.Attributes["source"].Expr.Range()
		var good bool
		d.ir.Source, good = c.checkSource(src, rng)
		if good {
			d.sourceRange = &rng
		}
	}
}

// checkSource normalises a dataset source to a URI and checks its form;
// good is false when it reported a problem. Whether the data is there is
// checked against the dataset_store that reads it (datasource.go).
func (c *compiler) checkSource(src string, rng hcl.Range) (uri string, good bool) {
	scheme, rest, hasScheme := strings.Cut(src, "://")
	if !hasScheme {
		scheme, rest = "file", src
	}
	switch scheme {
	case "hf":
		if _, err := hubsource.Parse("hf://" + rest); err != nil {
			c.errorf(diag.InvalidValue, rng, "Invalid dataset source", "The %s.", err)
			return "hf://" + rest, false
		}
		return "hf://" + rest, true
	case "file":
		if rest == "" {
			c.errorf(diag.InvalidValue, rng, "Invalid dataset source", "The source names no file.")
			return src, false
		}
		return "file://" + rest, true
	}
	c.errorf(diag.InvalidValue, rng, "Invalid dataset source",
		"Unknown source scheme %q: use a path, file://PATH or hf://ORG/NAME.%s", scheme, diag.DidYouMean(scheme, []string{"file", "hf"}))
	return src, false
}

func str(v any) string { s, _ := v.(string); return s }

func i64(v any) int64 { n, _ := v.(int64); return n }
