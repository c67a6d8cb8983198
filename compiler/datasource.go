package compiler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/filesource"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// A dataset's source is read by the adapter bound to dataset_store, so
// what can be checked before a run depends on that binding: whether the
// store reads the source's scheme at all (an hf:// source on the local
// store failed when the stage started, leaving a failed run directory),
// and, for a store that reads local files, whether the file is there and
// usable. The file is found exactly as the store finds it (filesource.LocalPath,
// with the store's root config), and only looked at: its size and type,
// and whether it opens. Rows are read by the run.

// sourceCheck says how to check dataset sources.
type sourceCheck struct {
	cat     *catalog.Catalog
	baseDir string
	store   Binding
	// chosen is set when a manifest was chosen (--manifest, --port, or a
	// run): a source the store cannot read is then an error. Without one
	// the default manifest's store is assumed for local files only, since
	// a recipe meant for another manifest may name hub datasets.
	chosen bool
	// required is set for a run, which needs its data now: a missing file
	// is an error (E702) instead of warning W102.
	required bool
}

// problem returns the diagnostic for ds at rng, or nil.
func (s sourceCheck) problem(ds ir.Dataset, rng hcl.Range) *hcl.Diagnostic {
	schema, ok := s.cat.Adapter(schema.PortDatasetStore, s.store.Adapter)
	if !ok {
		return nil // an unknown adapter is reported with the bindings
	}
	scheme := filesource.SourceScheme(ds.Source)
	if !schema.ReadsSource(scheme) {
		if !s.chosen {
			return nil
		}
		return diag.New(diag.DatasetSource, rng, "dataset_store cannot read "+scheme+" sources",
			fmt.Sprintf("Dataset %q reads %s, but dataset_store is bound to %q (%s), which reads only %s sources.%s",
				ds.Name, ds.Source, s.store.Adapter, s.store.Origin, strings.Join(schema.Sources, " and "), s.readers(scheme)))
	}
	if len(schema.Sources) == 0 || scheme != "file" {
		return nil // a fake reads nothing; hub datasets are read by the run
	}
	root, known := s.root()
	if !known {
		return nil // root comes from env(): only the run knows the file
	}
	path, ok := filesource.LocalPath(ds.Source, s.baseDir, root)
	if !ok {
		return nil // "names no file" is reported with the dataset
	}
	where := "relative paths resolve against the recipe directory " + s.baseDir
	if root != "" {
		where = "relative paths resolve against the dataset_store's root " + root
	}
	file := strings.TrimPrefix(ds.Source, filesource.FileScheme)
	bad := func(summary, format string, args ...any) *hcl.Diagnostic {
		return diag.New(diag.DataFile, rng, summary, fmt.Sprintf(format, args...))
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !s.required:
		return diag.Warning(diag.DataFileMissing, rng, "Dataset file not found",
			fmt.Sprintf("%s does not exist (%s). The check goes on; a run refuses to start unless the file appears.", file, where))
	case errors.Is(err, fs.ErrNotExist):
		return bad("Dataset file not found", "%s does not exist (%s).", file, where)
	case err != nil:
		return bad("Cannot read dataset file", "%s: %v.", file, unwrapPath(err))
	case info.IsDir():
		return bad("Dataset source is a directory", "%s is a directory; name a data file in it (JSONL, JSON, CSV or Parquet).", file)
	case !info.Mode().IsRegular():
		// A pipe or a device: opening it could block, and its size says
		// nothing. The run reads it.
		return nil
	case info.Size() == 0:
		return bad("Dataset file is empty", "%s is empty: a dataset needs at least one row.", file)
	}
	f, err := os.Open(path)
	if err != nil {
		return bad("Cannot read dataset file", "%s: %v.", file, unwrapPath(err))
	}
	f.Close()
	if _, err := filesource.FileFormat(path, ds.FileFormat); err != nil {
		return diag.New(diag.InvalidValue, rng, "Unknown dataset file format", upperFirst(err.Error())+".")
	}
	return nil
}

// root returns the store's root config; known is false when it is a
// secret (from env()).
func (s sourceCheck) root() (root string, known bool) {
	v, ok := s.store.Config["root"]
	if !ok {
		return "", true
	}
	if v.Secret != nil {
		return "", false
	}
	if json.Unmarshal(v.Value, &root) != nil {
		return "", false
	}
	if root != "" && !filepath.IsAbs(root) {
		// The store joins a relative root to the working directory.
		abs, err := filepath.Abs(root)
		if err != nil {
			return "", false
		}
		root = abs
	}
	return root, true
}

// readers says which dataset_store adapters, and which built-in
// manifests, read sources of scheme.
func (s sourceCheck) readers(scheme string) string {
	var adapters, manifests []string
	for _, name := range s.cat.AdapterNames(schema.PortDatasetStore) {
		a, _ := s.cat.Adapter(schema.PortDatasetStore, name)
		if len(a.Sources) > 0 && a.ReadsSource(scheme) {
			adapters = append(adapters, name)
		}
	}
	for _, name := range s.cat.ManifestNames() {
		b, ok := s.cat.Manifests[name].Ports[schema.PortDatasetStore]
		if a, known := s.cat.Adapter(schema.PortDatasetStore, b.Adapter); ok && known && len(a.Sources) > 0 && a.ReadsSource(scheme) {
			manifests = append(manifests, name)
		}
	}
	if len(adapters) == 0 {
		return ""
	}
	out := fmt.Sprintf(" Run with --port dataset_store=%s", adapters[0])
	if len(manifests) > 0 {
		out += ", or --manifest " + strings.Join(manifests, " or ") + ", which bind a store that reads them"
	}
	return out + "."
}

// defaultDatasetStore returns the default manifest's dataset_store
// binding, which a check without a manifest assumes for local files.
func defaultDatasetStore(cat *catalog.Catalog) (Binding, bool) {
	m, ok := cat.Manifests[schema.DefaultManifest]
	if !ok {
		return Binding{}, false
	}
	b, ok := m.Ports[schema.PortDatasetStore]
	if !ok {
		return Binding{}, false
	}
	r := &resolver{cat: cat}
	return Binding{Port: schema.PortDatasetStore, Adapter: b.Adapter, Config: r.builtinConfig(schema.PortDatasetStore, b),
		Origin: `manifest "default" (built-in)`}, true
}

// checkDatasetSources checks the datasets the plans' stages read against
// bindings (nil when no manifest was resolved), with diagnostics at each
// source. A dataset no stage reads is not checked: a run never opens it.
func (c *compiler) checkDatasetSources(bindings map[string]Binding, plans []*ir.Plan) {
	check := sourceCheck{cat: c.cat, baseDir: c.rec.Dir, required: c.opts.RequireData}
	if bindings != nil {
		store, ok := bindings[schema.PortDatasetStore]
		if !ok {
			return // unbound: E504 where a stage needs it
		}
		check.store, check.chosen = store, true
	} else {
		store, ok := defaultDatasetStore(c.cat)
		if !ok {
			return
		}
		check.store = store
	}
	used := map[string]bool{}
	for _, p := range plans {
		for name := range p.Datasets {
			used[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(used)) {
		d := c.datasets[name]
		if d == nil || d.sourceRange == nil || d.ir.Source == "" {
			continue // the dataset has errors of its own
		}
		if p := check.problem(d.ir, *d.sourceRange); p != nil {
			c.add(p)
		}
	}
}

// CheckPlanDatasets checks the datasets of a compiled plan (a plan.json
// about to run) against the resolved bindings, as the checker checks a
// recipe's: a source the dataset_store cannot read, and local files that
// are empty, directories or unreadable, are errors, and so is a missing
// file when requireData is set (else it is warning W102). Diagnostics
// point at the dataset blocks the plan records.
func CheckPlanDatasets(cat *catalog.Catalog, plan *ir.Plan, bindings map[string]Binding, requireData bool) hcl.Diagnostics {
	store, ok := bindings[schema.PortDatasetStore]
	if !ok {
		return nil
	}
	check := sourceCheck{cat: cat, baseDir: plan.BaseDir, store: store, chosen: true, required: requireData}
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(plan.Datasets)) {
		ds := plan.Datasets[name]
		if p := check.problem(ds, fromIRRange(ds.Range)); p != nil {
			diags = append(diags, p)
		}
	}
	return diags
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
