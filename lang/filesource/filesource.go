// Package filesource is the one rule for local dataset sources: which
// sources are local files (file:// URIs and plain paths), which file a
// source names (relative to a store's root, else the recipe directory),
// and which file format its extension means. The local and hf dataset
// stores read files with it and the checker looks at files with it, so
// they always agree on the file.
package filesource

import (
	"fmt"
	"path/filepath"
	"strings"
)

// FileScheme is the URI scheme of local dataset sources; a source
// without a scheme is a local path too.
const FileScheme = "file://"

// SourceScheme returns the scheme of a dataset source: "file" for a
// file:// URI or a plain path, else what comes before "://".
func SourceScheme(source string) string {
	scheme, _, ok := strings.Cut(source, "://")
	if !ok {
		return "file"
	}
	return scheme
}

// LocalPath returns the file a local dataset source (a file:// URI or a
// plain path) names: relative paths are joined to root when it is set,
// else to base (the recipe directory). Every dataset store that reads
// local files resolves them with it, and so does the checker, so both
// look at the same file. ok is false for other schemes and for a source
// that names no file.
func LocalPath(source, base, root string) (path string, ok bool) {
	if SourceScheme(source) != "file" {
		return "", false
	}
	p := strings.TrimPrefix(source, FileScheme)
	if p == "" {
		return "", false
	}
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		if root != "" {
			base = root
		}
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p), true
}

// FileFormats maps file extensions to the file formats a local dataset
// store reads, for file_format = "auto".
var FileFormats = map[string]string{
	".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet",
}

// FileFormat returns the file format of path: format itself unless it is
// "auto" or empty, else the one its extension names (FileFormats).
func FileFormat(path, format string) (string, error) {
	if format != "" && format != "auto" {
		switch format {
		case "jsonl", "json", "csv", "parquet":
			return format, nil
		}
		return "", fmt.Errorf("unknown file format %q (want jsonl, json, csv or parquet)", format)
	}
	if f, ok := FileFormats[strings.ToLower(filepath.Ext(path))]; ok {
		return f, nil
	}
	return "", fmt.Errorf("cannot tell the file format of %s from its extension; set file_format to jsonl, json, csv or parquet", path)
}
