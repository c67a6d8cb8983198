// Package files is the `local` dataset_store adapter: it reads datasets
// from files on this machine (JSONL, JSON, CSV and Parquet), named by a
// file:// URI or a path relative to the recipe's directory.
//
// Rows are yielded in file order as ports.Record values that carry the
// file and the line (JSONL, CSV, JSON) or 1-based row number (Parquet)
// they came from, so that a bad row can be reported precisely. A row that
// cannot be decoded is yielded with Record.Err set and iteration goes on;
// the caller decides whether to skip it or fail.
package files

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/filesource"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// AdapterName is the name the adapter registers under.
const AdapterName = "local"

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port:    schema.PortDatasetStore,
			Name:    AdapterName,
			Summary: "Reads JSONL, JSON, CSV and Parquet files from this machine (file:// URIs or paths relative to the recipe).",
			Config: []schema.Field{
				{Name: "root", Type: schema.String, Doc: "Directory that relative dataset paths are resolved against instead of the recipe's directory."},
			},
			Sources: []string{"file"},
		},
		New: func(_ context.Context, cfg registry.Config, _ registry.Env) (any, error) {
			return &Store{Root: cfg.String("root")}, nil
		},
	})
}

// Store is the local dataset store.
type Store struct {
	// Root, when set, replaces DatasetRef.BaseDir for relative paths.
	Root string
}

// errScheme is returned for sources this adapter cannot read.
var errScheme = errors.New("the local dataset store reads file:// URIs and plain paths only")

// Resolve returns the absolute path a DatasetRef names (filesource.LocalPath,
// the rule the checker uses too).
func (s *Store) Resolve(ref ports.DatasetRef) (string, error) {
	src := ref.Source
	if src == "" {
		return "", errors.New("dataset source is empty")
	}
	switch scheme := filesource.SourceScheme(src); scheme {
	case "file":
	case "hf":
		return "", fmt.Errorf("%w; got a hf:// source %q: the \"hf\" dataset_store reads hub datasets (run with --port dataset_store=hf, or --manifest dev or prod, which bind it)", errScheme, src)
	default:
		return "", fmt.Errorf("%w; got a %s:// source %q (bind dataset_store to an adapter that reads it)", errScheme, scheme, src)
	}
	path, ok := filesource.LocalPath(src, ref.BaseDir, s.Root)
	if !ok {
		return "", fmt.Errorf("dataset source %q names no file", ref.Source)
	}
	return path, nil
}

// FileFormat returns the file format of path: format itself unless it is
// "auto" or empty, else the one the extension names (filesource.FileFormat, which
// the checker uses too).
func FileFormat(path, format string) (string, error) { return filesource.FileFormat(path, format) }

// Open implements ports.DatasetStore.
func (s *Store) Open(ctx context.Context, ref ports.DatasetRef) (iter.Seq2[ports.Record, error], error) {
	path, err := s.Resolve(ref)
	if err != nil {
		return nil, err
	}
	format, err := FileFormat(path, ref.FileFormat)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", ref.Source, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("dataset %s: %s is a directory, not a file", ref.Source, path)
	}
	return ReadFile(ctx, path, displayPath(path, ref.BaseDir), format, ref.RowLimit())
}

// ReadFile returns the rows of one file on this machine in format
// ("jsonl", "json", "csv" or "parquet", as FileFormat returns), each
// record naming the file as display. It is how other dataset stores
// (adapters/hfdata) decode the files they fetch, so rows are decoded, and
// bad rows reported as file:line, the same way wherever a file came from.
// The file is opened when the sequence is iterated; a missing or
// unreadable file is then yielded as the error that ends it. A row larger
// than maxRowBytes is a bad row.
func ReadFile(ctx context.Context, path, display, format string, maxRowBytes int) (iter.Seq2[ports.Record, error], error) {
	var read func(ctx context.Context, f file, yield func(ports.Record, error) bool)
	switch format {
	case "jsonl":
		read = readJSONL
	case "json":
		read = readJSON
	case "csv":
		read = readCSV
	case "parquet":
		read = readParquet
	default:
		return nil, fmt.Errorf("unknown file format %q (want jsonl, json, csv or parquet)", format)
	}
	if maxRowBytes <= 0 {
		maxRowBytes = ports.DefaultMaxRowBytes
	}
	f := file{path: path, display: display, maxRow: maxRowBytes}
	return func(yield func(ports.Record, error) bool) {
		read(ctx, f, yield)
	}, nil
}

// displayPath names a file relative to the recipe's directory when it is
// inside it, so messages stay short and stable across machines.
func displayPath(path, base string) string {
	if base != "" {
		if rel, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}
