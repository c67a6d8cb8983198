package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// Format returns the canonical formatting of HCL native-syntax source.
// Source with syntax errors is not formatted: the errors are returned
// instead, because hclwrite would otherwise rearrange broken tokens.
// Formatting is idempotent: Format(Format(x)) == Format(x).
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if deep := CheckNesting(src, filename, hcl.InitialPos); deep != nil {
		return nil, hcl.Diagnostics{deep}
	}
	_, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diag.Default(diags, diag.Syntax)
	}
	return hclwrite.Format(src), nil
}
