// Package lang reads recipe source: it parses a recipe file in HCL native
// syntax (.hcl) or HCL JSON syntax (.hcl.json, or any .json file named
// explicitly), expands directories to their recipe files, declares the
// block schemas of the
// language, maps string literals back to source positions, and formats
// files with hclwrite. It knows nothing about stage kinds or adapters; the
// compiler checks meaning.
package lang

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// Source is one parsed recipe file.
type Source struct {
	// Name is the file name as diagnostics show it (the path the user
	// gave, or DIR/file for a directory holding one recipe).
	Name string
	// Rel is the path relative to the recipe directory.
	Rel  string
	Data []byte
	File *hcl.File
}

// Recipe is the parsed source of one recipe. Load reads one file; Parse
// also merges several in-memory files into one body.
type Recipe struct {
	// Dir is the absolute recipe directory; relative paths in the recipe
	// resolve against it.
	Dir string
	// Sources are the files in name order.
	Sources []*Source
	// Body is the merged body of all files.
	Body hcl.Body
}

// Files returns the parsed files by name, for diagnostic snippets.
func (r *Recipe) Files() map[string]*hcl.File {
	out := make(map[string]*hcl.File, len(r.Sources))
	for _, s := range r.Sources {
		out[s.Name] = s.File
	}
	return out
}

// Bytes returns the source bytes by file name, for diagnostic snippets.
func (r *Recipe) Bytes() diag.Sources {
	out := make(diag.Sources, len(r.Sources))
	for _, s := range r.Sources {
		out[s.Name] = s.Data
	}
	return out
}

// IsRecipeFile reports whether a directory entry is a recipe file: *.hcl
// or *.hcl.json.
func IsRecipeFile(name string) bool {
	return strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".hcl.json")
}

// isJSON reports whether a file uses the JSON syntax.
func isJSON(name string) bool { return strings.HasSuffix(name, ".json") }

// RecipeFiles expands a path given on the command line to recipe files:
// a file is itself; a directory stands for the recipe files directly in
// it (*.hcl and *.hcl.json, not subdirectories and not other .json files
// such as data), in name order, each its own recipe (SPEC.md §1). A
// directory without recipe files, or a path that cannot be read, is
// E106.
func RecipeFiles(path string) ([]string, hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fileError(path, "Cannot read recipe", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fileError(path, "Cannot read recipe directory", err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && IsRecipeFile(e.Name()) {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fileError(path, "No recipe files", fmt.Errorf("the directory holds no *.hcl or *.hcl.json files"))
	}
	return files, nil
}

// Load parses the recipe at path: a recipe file, or a directory holding
// exactly one (RecipeFiles). A directory of several recipes is E106:
// commands that take one recipe need the file named. Syntax errors are
// returned as diagnostics with code E100; a file that cannot be read
// gives E106. Load never returns a nil Recipe.
func Load(path string) (*Recipe, hcl.Diagnostics) {
	files, diags := RecipeFiles(path)
	if diags.HasErrors() {
		return emptyRecipe(path), diags
	}
	if len(files) > 1 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = filepath.Base(f)
		}
		return emptyRecipe(path), fileError(path, "Several recipes",
			fmt.Errorf("the directory holds %d recipe files (%s), each its own recipe; name the one to use (check and fmt take the directory and process each)", len(files), strings.Join(names, ", ")))
	}
	file := files[0]
	abs, err := filepath.Abs(file)
	if err != nil {
		return emptyRecipe(path), fileError(file, "Cannot resolve the recipe path", err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return emptyRecipe(filepath.Dir(abs)), fileError(file, "Cannot read recipe file", err)
	}
	return Parse(filepath.Dir(abs), map[string][]byte{file: data})
}

// Parse parses in-memory recipe files (name -> bytes) that live in dir.
// Names ending in .json use the JSON syntax. Tests and the fuzzer use it.
func Parse(dir string, files map[string][]byte) (*Recipe, hcl.Diagnostics) {
	r := emptyRecipe(dir)
	names := slices.Sorted(maps.Keys(files))
	p := hclparse.NewParser()
	var diags hcl.Diagnostics
	var hclFiles []*hcl.File
	for _, n := range names {
		data := files[n]
		var f *hcl.File
		var d hcl.Diagnostics
		switch {
		case len(data) > MaxFileBytes:
			d = fileError(n, "Recipe file too large", fmt.Errorf("the file has %d bytes; a recipe file may have at most %d (recipes hold settings; read long text with file() and data with a dataset)", len(data), MaxFileBytes))
		case isJSON(n):
			if deep := checkJSONNesting(data, n); deep != nil {
				d = hcl.Diagnostics{deep}
			} else {
				f, d = p.ParseJSON(data, n)
			}
		default:
			if deep := CheckNesting(data, n, hcl.InitialPos); deep != nil {
				d = hcl.Diagnostics{deep}
			} else {
				f, d = p.ParseHCL(data, n)
				d = unterminatedString(d, data, n)
			}
		}
		for _, x := range d {
			if x.Summary == "Attribute redefined" {
				diag.WithCode(x, diag.Duplicate) // a parse-time check, but not a syntax error
			}
		}
		diags = append(diags, dedupe(diag.Default(d, diag.Syntax))...)
		if f == nil {
			f = &hcl.File{Body: hcl.EmptyBody(), Bytes: data}
		}
		rel := n
		if filepath.IsAbs(n) {
			if x, err := filepath.Rel(dir, n); err == nil {
				rel = x
			}
		} else {
			rel = filepath.Base(n)
		}
		r.Sources = append(r.Sources, &Source{Name: n, Rel: filepath.ToSlash(rel), Data: data, File: f})
		hclFiles = append(hclFiles, f)
	}
	r.Body = hcl.MergeFiles(hclFiles)
	return r, diags
}

func emptyRecipe(dir string) *Recipe {
	return &Recipe{Dir: dir, Body: hcl.EmptyBody()}
}

func fileError(path, summary string, err error) hcl.Diagnostics {
	r := hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}
	return hcl.Diagnostics{diag.New(diag.FileRead, r, summary, fmt.Sprintf("%s: %v.", path, unwrapPathError(err)))}
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// dedupe drops syntax diagnostics that start where an earlier one does:
// the HCL parser often reports one bad token twice ("Invalid character",
// then "Invalid expression").
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[hcl.Pos]bool{}
	out := diags[:0]
	for _, d := range diags {
		if d.Subject != nil {
			if seen[d.Subject.Start] {
				continue
			}
			seen[d.Subject.Start] = true
		}
		out = append(out, d)
	}
	return out
}
