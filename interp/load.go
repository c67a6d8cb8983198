package interp

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// LoadOptions says what to load and under which manifest.
type LoadOptions struct {
	Catalog *catalog.Catalog
	// Vars are --var values (recipes only).
	Vars map[string]string
	// Experiment selects one experiment of a recipe with several.
	Experiment string
	// Manifest names the manifest ("" means schema.DefaultManifest);
	// Ports are --port overrides.
	Manifest string
	Ports    map[string]string
	// Resume is set when the plan continues a run directory: stages that
	// finished are reused, so a dataset file may be gone without harm. A
	// missing file is then warning W102 (the stage that reads it fails if
	// it runs again) instead of an error.
	Resume bool
}

// Loaded is a plan ready to run and its port bindings.
type Loaded struct {
	Plan *ir.Plan
	// Manifest is the manifest the bindings were resolved under (the
	// default's name when none was given); Run records it in run.json.
	Manifest string
	Bindings map[string]compiler.Binding
	// Sources are the recipe bytes by file name, for diagnostic snippets
	// (empty for plan.json).
	Sources diag.Sources
}

// IsPlanFile reports whether path names a compiled plan (a .json file
// that is not an HCL-in-JSON recipe).
func IsPlanFile(path string) bool {
	return strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".hcl.json")
}

// Load compiles a recipe (compiler.Compile, which also resolves the
// manifest) or reads a plan.json (path == "" means plan must be given) and
// resolves the manifest for it (compiler.ResolveManifest): the one path
// from a recipe, a plan and a manifest name to the bindings a run uses.
// It checks the datasets' sources against the bound dataset_store (a
// missing local file is an error: the run needs it; a resume only warns).
// Every problem is a diagnostic; the result is usable only when the
// diagnostics have no errors.
func Load(path string, plan *ir.Plan, opts LoadOptions) (*Loaded, hcl.Diagnostics) {
	manifest := cmp.Or(opts.Manifest, schema.DefaultManifest)
	out := &Loaded{Manifest: manifest, Sources: diag.Sources{}}
	var diags hcl.Diagnostics
	var bindings map[string]compiler.Binding
	switch {
	case plan != nil:
	case IsPlanFile(path):
		if len(opts.Vars) > 0 {
			return out, hcl.Diagnostics{planDiag(path, "--var applies to recipes; "+path+" is an already compiled plan")}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is already in the message
			}
			return out, hcl.Diagnostics{planDiag(path, err.Error())}
		}
		if plan, err = ir.Decode(data); err != nil {
			return out, hcl.Diagnostics{planDiag(path, err.Error())}
		}
	default:
		// RequireData: a run needs its data now, so a missing dataset
		// file is an error before anything is created.
		res, ds := compiler.Compile(path, compiler.Options{Catalog: opts.Catalog, Vars: opts.Vars,
			Experiment: opts.Experiment, Manifest: manifest, Ports: opts.Ports, RequireData: !opts.Resume})
		diags = append(diags, ds...)
		if res != nil {
			out.Sources, plan, bindings = res.Sources, res.Plan, res.Bindings
		}
	}
	if plan == nil || diags.HasErrors() {
		return out, diags
	}
	if bindings == nil {
		// A plan: its manifest and its datasets are checked as the
		// compiler checks a recipe's.
		b, ds := compiler.ResolveManifest(opts.Catalog, plan, manifest, opts.Ports)
		diags = append(diags, ds...)
		bindings = b
		if !ds.HasErrors() {
			diags = append(diags, compiler.CheckPlanDatasets(opts.Catalog, plan, bindings, !opts.Resume)...)
		}
	}
	out.Plan, out.Bindings = plan, bindings
	return out, diags
}

// planDiag is a plan.json that cannot be read or decoded: a FileRead
// diagnostic at the start of the file, like a recipe that cannot be read.
func planDiag(path, msg string) *hcl.Diagnostic {
	at := hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}
	return diag.New(diag.FileRead, at, "Cannot read plan", fmt.Sprintf("%s: %s.", path, msg))
}
