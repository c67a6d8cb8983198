package hf

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// This file checks caches against what huggingface_hub and transformers
// expect, written from ../shared/reference/formats.md §1.3, §1.8 and
// §1.9 and independent of the client's own code.

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

// checkLayout fails t where the cache at dir breaks the layout: the
// cache scanner's CorruptedCacheException conditions (§1.3), the writer
// checklist (§1.9) and leftovers of interrupted writes.
func checkLayout(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == ".locks":
			continue
		case name == "CACHEDIR.TAG":
			if data, _ := os.ReadFile(filepath.Join(dir, name)); !strings.HasPrefix(string(data), "Signature: 8a477f597d28d172789f06886806bc55") {
				t.Errorf("CACHEDIR.TAG lacks the signature: %q", data)
			}
			continue
		}
		kind, _, ok := strings.Cut(name, "--")
		if !ok || !e.IsDir() || (kind != "models" && kind != "datasets" && kind != "spaces") {
			t.Errorf("%s: not a repository folder (<type>s--<id>)", name)
			continue
		}
		checkRepoFolder(t, filepath.Join(dir, name))
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(p, ".incomplete") || strings.HasSuffix(p, ".tmp") || strings.Contains(d.Name(), ".tmp-")) {
			t.Errorf("leftover of an interrupted write: %s", p)
		}
		return nil
	})
}

func checkRepoFolder(t *testing.T, repo string) {
	t.Helper()
	snaps := filepath.Join(repo, "snapshots")
	if st, err := os.Stat(snaps); err != nil || !st.IsDir() {
		t.Errorf("%s: no snapshots folder", repo)
		return
	}
	if st, err := os.Stat(filepath.Join(repo, "refs")); err == nil && !st.IsDir() {
		t.Errorf("%s: refs is a file", repo)
	}
	// Refs: a bare 40-hex commit, no newline, naming an existing snapshot.
	filepath.WalkDir(filepath.Join(repo, "refs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(p)
		if !hex40.Match(data) {
			t.Errorf("%s: content %q is not a bare commit hash", p, data)
		} else if _, err := os.Stat(filepath.Join(snaps, string(data))); err != nil {
			t.Errorf("%s points to a missing snapshot %s", p, data)
		}
		return nil
	})
	commits, _ := os.ReadDir(snaps)
	for _, c := range commits {
		if !c.IsDir() {
			t.Errorf("%s: a file directly in snapshots/", c.Name())
			continue
		}
		if !hex40.MatchString(c.Name()) {
			t.Errorf("snapshot %s is not named by a commit", c.Name())
		}
		root := filepath.Join(snaps, c.Name())
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			st, _ := os.Lstat(p)
			if st.Mode().IsRegular() {
				return nil // the no-symlink layout
			}
			if st.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s: neither a file nor a symlink", p)
				return nil
			}
			target, _ := os.Readlink(p)
			if filepath.IsAbs(target) {
				t.Errorf("%s -> %s: the link is absolute", p, target)
			}
			resolved := filepath.Clean(filepath.Join(filepath.Dir(p), target))
			if filepath.Dir(resolved) != filepath.Join(repo, "blobs") {
				t.Errorf("%s -> %s: does not point into blobs/", p, target)
			}
			if _, err := os.Stat(resolved); err != nil {
				t.Errorf("%s: broken symlink", p)
			}
			return nil
		})
	}
	// Blobs are named by their etag: the git blob SHA-1 or the SHA-256.
	blobs, _ := os.ReadDir(filepath.Join(repo, "blobs"))
	for _, b := range blobs {
		data, err := os.ReadFile(filepath.Join(repo, "blobs", b.Name()))
		if err != nil {
			t.Error(err)
			continue
		}
		var sum string
		switch len(b.Name()) {
		case 40:
			h := sha1.New()
			fmt.Fprintf(h, "blob %d\x00", len(data))
			h.Write(data)
			sum = hex.EncodeToString(h.Sum(nil))
		case 64:
			s := sha256.Sum256(data)
			sum = hex.EncodeToString(s[:])
		}
		if sum != b.Name() {
			t.Errorf("blob %s: content hash %s", b.Name(), sum)
		}
	}
	// .no_exist entries are empty files under a commit.
	filepath.WalkDir(filepath.Join(repo, ".no_exist"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if st, _ := os.Stat(p); st.Size() != 0 {
				t.Errorf("%s is not empty", p)
			}
		}
		return nil
	})
}

// tryToLoadFromCache is huggingface_hub's reader (formats.md §1.8):
// repository folder, refs/<revision> read whole and unstripped,
// .no_exist, snapshots/<commit> listed, the file followed through links.
func tryToLoadFromCache(cache, repo, file, revision string) (string, bool) {
	kind := "models"
	if rest, ok := strings.CutPrefix(repo, "datasets/"); ok {
		kind, repo = "datasets", rest
	}
	folder := filepath.Join(cache, kind+"--"+strings.ReplaceAll(repo, "/", "--"))
	if _, err := os.Stat(folder); err != nil {
		return "", false
	}
	if data, err := os.ReadFile(filepath.Join(folder, "refs", revision)); err == nil {
		revision = string(data)
	}
	if _, err := os.Stat(filepath.Join(folder, ".no_exist", revision, file)); err == nil {
		return "", false
	}
	snaps, _ := os.ReadDir(filepath.Join(folder, "snapshots"))
	found := false
	for _, s := range snaps {
		found = found || s.Name() == revision
	}
	if !found {
		return "", false
	}
	p := filepath.Join(folder, "snapshots", revision, file)
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	return p, true
}

// extractCommitHash is transformers' extract_commit_hash: the snapshot
// folder of a resolved path, kept only when it is a commit.
func extractCommitHash(p string) string {
	m := regexp.MustCompile(`snapshots/([^/]+)/`).FindStringSubmatch(filepath.ToSlash(p))
	if m == nil || !hex40.MatchString(m[1]) {
		return ""
	}
	return m[1]
}
