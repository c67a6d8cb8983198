package hf

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

// The Hugging Face hub cache, as huggingface_hub and transformers lay it
// out (../shared/reference/formats.md §1):
//
//	<cache>/CACHEDIR.TAG
//	<cache>/.locks/models--ORG--NAME/<etag>.lock
//	<cache>/models--ORG--NAME/refs/<revision>            40-hex commit, no newline
//	<cache>/models--ORG--NAME/blobs/<etag>               file contents
//	<cache>/models--ORG--NAME/snapshots/<commit>/<path>  relative symlink to the blob
//	<cache>/models--ORG--NAME/.no_exist/<commit>/<path>  empty: the file is not in that commit
//
// Dataset repositories use datasets--ORG--NAME.

// commitPattern is a full commit hash (formats.md §1.4: lowercase only).
var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

func isCommit(rev string) bool { return commitPattern.MatchString(rev) }

// cacheDirTag marks the cache for backup tools (formats.md §1.3).
const cacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n" +
	"# This file is a cache directory tag created by cookbookc (the Hugging Face hub cache layout).\n" +
	"# For information about cache directory tags, see https://bford.info/cachedir/\n"

// CacheDir returns the hub cache huggingface_hub uses (formats.md §1.1):
// HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else
// $HF_HOME/hub, where HF_HOME is HF_HOME, else
// $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. "~" and
// $VARIABLES are expanded.
func CacheDir(getenv func(string) string) (string, error) {
	expand := func(p string) (string, error) {
		p = os.Expand(p, getenv)
		if p == "~" || strings.HasPrefix(p, "~/") {
			home := getenv("HOME")
			if home == "" {
				h, err := os.UserHomeDir()
				if err != nil {
					return "", err
				}
				home = h
			}
			p = filepath.Join(home, p[1:])
		}
		return p, nil
	}
	for _, name := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if v := getenv(name); v != "" {
			return expand(v)
		}
	}
	home := getenv("HF_HOME")
	if home == "" {
		if xdg := getenv("XDG_CACHE_HOME"); xdg != "" {
			home = filepath.Join(xdg, "huggingface")
		} else {
			home = "~/.cache/huggingface"
		}
	}
	home, err := expand(home)
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "hub"), nil
}

// IsTrue reports whether an environment value is one of huggingface_hub's
// true values: 1, ON, YES, TRUE, in any case (formats.md §1.1).
func IsTrue(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// Offline reports whether the environment asks for offline mode:
// HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE true. Unlike huggingface_hub,
// a set but false HF_HUB_OFFLINE does not hide TRANSFORMERS_OFFLINE
// (formats.md §1.1 lists that as an observed quirk): either one asking
// for offline is enough.
func Offline(getenv func(string) string) bool {
	return IsTrue(getenv("HF_HUB_OFFLINE")) || IsTrue(getenv("TRANSFORMERS_OFFLINE"))
}

// repoCache is one repository's folder in the cache.
type repoCache struct {
	root   string // the hub cache
	folder string // e.g. "models--org--name"
	dir    string // root/folder
}

// repoFolderName maps "org/name" to models--org--name and
// "datasets/org/name" to datasets--org--name (formats.md §1.2).
func repoFolderName(repo string) string {
	kind := "models"
	if name, ok := strings.CutPrefix(repo, DatasetPrefix); ok {
		kind, repo = "datasets", name
	}
	return kind + "--" + strings.ReplaceAll(repo, "/", "--")
}

func newRepoCache(root, repo string) repoCache {
	f := repoFolderName(repo)
	return repoCache{root: root, folder: f, dir: filepath.Join(root, f)}
}

func (rc repoCache) refPath(revision string) string {
	return filepath.Join(rc.dir, "refs", filepath.FromSlash(revision))
}

func (rc repoCache) snapshotPath(commit, file string) string {
	return filepath.Join(rc.dir, "snapshots", commit, filepath.FromSlash(file))
}

func (rc repoCache) noExistPath(commit, file string) string {
	return filepath.Join(rc.dir, ".no_exist", commit, filepath.FromSlash(file))
}

func (rc repoCache) blobPath(etag string) string {
	return filepath.Join(rc.dir, "blobs", etag)
}

func (rc repoCache) lockPath(etag string) string {
	return filepath.Join(rc.root, ".locks", rc.folder, etag+".lock")
}

// commitFor resolves a revision without the network: a full commit is
// itself; a ref name reads refs/<revision>. ok is false when the ref is
// not cached or does not hold a commit.
func (rc repoCache) commitFor(revision string) (string, bool) {
	if isCommit(revision) {
		return revision, true
	}
	data, err := os.ReadFile(rc.refPath(revision))
	if err != nil {
		return "", false
	}
	// huggingface_hub writes the bare hash; tolerate surrounding space
	// written by hand, but nothing that is not a commit.
	c := strings.TrimSpace(string(data))
	return c, isCommit(c)
}

// cacheState is what the cache knows about one file at one commit.
type cacheState int

const (
	notCached    cacheState = iota
	cached                  // snapshots/<commit>/<file> is a readable file
	knownMissing            // .no_exist/<commit>/<file> says the file is not in the commit
)

// lookup returns the file's state at commit and its snapshot path.
func (rc repoCache) lookup(commit, file string) (cacheState, string) {
	p := rc.snapshotPath(commit, file)
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
		return cached, p
	}
	if _, err := os.Lstat(rc.noExistPath(commit, file)); err == nil {
		return knownMissing, p
	}
	return notCached, p
}

// writeRef records revision -> commit (formats.md §1.4): no trailing
// newline, written only when it changes, through a temporary file and a
// rename. The snapshot folder is created first, so that no ref ever
// points to a missing snapshot (the cache scanner calls that corrupt),
// even when the download that follows fails or the file does not exist.
func (rc repoCache) writeRef(revision, commit string) error {
	if err := os.MkdirAll(filepath.Join(rc.dir, "snapshots", commit), 0o755); err != nil {
		return err
	}
	if revision == commit {
		return nil
	}
	p := rc.refPath(revision)
	if old, err := os.ReadFile(p); err == nil && string(old) == commit {
		return nil
	}
	return writeFileAtomic(p, []byte(commit))
}

// markMissing touches .no_exist/<commit>/<file> (formats.md §1.3).
func (rc repoCache) markMissing(commit, file string) error {
	p := rc.noExistPath(commit, file)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return err
	}
	return f.Close()
}

// link makes snapshots/<commit>/<file> point at blobs/<etag> with a
// relative symlink (so the cache can be moved), replacing whatever was
// there atomically. With copy set (symlinks unsupported or disabled) the
// blob's bytes are copied there instead.
func (rc repoCache) link(commit, file, etag string, copy bool) (string, error) {
	dst := rc.snapshotPath(commit, file)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	blob := rc.blobPath(etag)
	if copy {
		return dst, copyFileAtomic(blob, dst)
	}
	rel, err := filepath.Rel(filepath.Dir(dst), blob)
	if err != nil {
		rel = blob
	}
	tmp := dst + ".tmp-" + randHex(4)
	if err := os.Symlink(rel, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return dst, nil
}

// ensureTag writes CACHEDIR.TAG at the cache root if it is missing.
func ensureTag(root string) {
	p := filepath.Join(root, "CACHEDIR.TAG")
	if _, err := os.Stat(p); err == nil {
		return
	}
	_ = writeFileAtomic(p, []byte(cacheDirTag)) // a marker only: failing to write it changes nothing
}

// writeFileAtomic writes data to path (lang/atomicfile), with the umask's
// permissions as huggingface_hub does, creating its directory.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o666)
}

// copyFileAtomic copies src to dst the same way.
func copyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFrom(dst, in, 0o666)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// symlinksWork probes once whether dir's filesystem accepts symlinks
// (huggingface_hub's are_symlinks_supported).
func symlinksWork(dir string) bool {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return true // the real write will report the problem
	}
	probe := filepath.Join(dir, ".symlink-probe-"+randHex(4))
	defer os.Remove(probe)
	return os.Symlink("target", probe) == nil
}
