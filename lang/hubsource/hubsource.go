// Package hubsource is the grammar of hub dataset sources,
// hf://ORG/NAME[@REVISION][#SUBSET] (SPEC.md §15): the compiler checks a
// dataset block's source with it and the hub dataset store (adapters/
// hfdata) reads sources with it, so both agree on the syntax. It is part
// of the language, on the lowest floor, so that adapters need not import
// the compiler.
package hubsource

import (
	"fmt"
	"net/url"
	"strings"
)

// Scheme is the URI scheme of hub dataset sources.
const Scheme = "hf://"

// Source is a parsed hub dataset source (a Dataset.Source with the
// hf:// scheme):
//
//	hf://ORG/NAME[@REVISION][#SUBSET]
//
// REVISION is a branch, tag or commit id (default "main"); a revision
// holding slashes is written percent-encoded, as the hub writes it in
// URLs (refs/convert/parquet, the branch of the hub's Parquet conversion,
// is "refs%2Fconvert%2Fparquet"), because a recipe's hf:// source has
// exactly one slash. SUBSET (the hub's "config") names a top-level folder
// of the repository: only the files under it are read.
type Source struct {
	// Repo is "ORG/NAME".
	Repo string
	// Revision is the decoded revision; "" means "main".
	Revision string
	// Subset is the folder named after '#'; "" when absent.
	Subset string
	// Base is the source as written, without the #SUBSET part; records
	// name their files under it (Base + "/" + path in the repository).
	Base string
}

// Parse parses an hf:// source. Names are checked here, not only by the
// hub client, so that a malformed source gets a message about the source
// rather than about a URL.
func Parse(src string) (Source, error) {
	rest, ok := strings.CutPrefix(src, Scheme)
	if !ok {
		return Source{}, fmt.Errorf("%q is not an hf:// source", src)
	}
	bad := func(format string, args ...any) (Source, error) {
		return Source{}, fmt.Errorf("dataset source %q: %s (want hf://ORG/NAME[@REVISION][#SUBSET])", src, fmt.Sprintf(format, args...))
	}
	rest, subset, hasSubset := strings.Cut(rest, "#")
	repo, rawRev, hasRev := strings.Cut(rest, "@")
	out := Source{Repo: repo, Subset: subset, Base: Scheme + rest}
	parts := strings.Split(repo, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return bad("the repository must be ORG/NAME")
	}
	for _, p := range parts {
		if !safeName(p) {
			return bad("%q is not a valid repository name part (letters, digits, '-', '_' and '.')", p)
		}
	}
	if hasRev {
		rev, err := url.PathUnescape(rawRev)
		if err != nil || rev == "" {
			return bad("the revision after '@' is empty or badly escaped")
		}
		for _, seg := range strings.Split(rev, "/") {
			if !safeName(seg) {
				return bad("revision %q has an invalid part %q", rev, seg)
			}
		}
		out.Revision = rev
	}
	if hasSubset && !safeName(subset) {
		return bad("the subset after '#' must be one folder name")
	}
	return out, nil
}

// safeName accepts the characters hub repository, branch and folder names
// use, and rejects "." and "..", so nothing built from a source can point
// outside the repository (or the local cache).
func safeName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}
