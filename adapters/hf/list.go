package hf

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// ListFiles implements ports.HubClient. Model repositories are listed
// through the model info API (its "siblings"); dataset repositories
// ("datasets/owner/name") through the recursive tree API, following its
// pagination, because dataset repositories often hold many shards.
// Offline, the listing comes from the cache's trees/<commit>.json (which
// huggingface_hub's snapshot_download writes), or fails: a folder of
// cached files is no proof that it holds every file.
func (c *Client) ListFiles(ctx context.Context, repo, revision string) ([]string, error) {
	if revision == "" {
		revision = "main"
	}
	wrap := func(err error) error {
		return ports.Wrap(schema.PortHubClient, AdapterName, "list_files", fmt.Errorf("%s@%s: %w", repo, revision, err))
	}
	if err := checkRepo(repo); err != nil {
		return nil, wrap(err)
	}
	if err := checkPath("revision", revision); err != nil {
		return nil, wrap(err)
	}
	if c.offline {
		files, err := cachedListing(newRepoCache(c.cacheDir, repo), revision)
		if err != nil {
			return nil, wrap(err)
		}
		return files, nil
	}
	var files []string
	var err error
	if name, ok := strings.CutPrefix(repo, DatasetPrefix); ok {
		files, err = c.listTree(ctx, name, revision)
	} else {
		files, err = c.listSiblings(ctx, repo, revision)
	}
	if err != nil {
		return nil, wrap(err)
	}
	return files, nil
}

// listSiblings lists a model repository through
// /api/models/{repo}/revision/{revision}.
func (c *Client) listSiblings(ctx context.Context, repo, revision string) ([]string, error) {
	segs := append([]string{"api", "models"}, strings.Split(repo, "/")...)
	segs = append(segs, "revision", revision)
	resp, err := c.get(ctx, c.endpoint.String()+escapedPath(segs...))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var info struct {
		Siblings []struct {
			Name string `json:"rfilename"`
		} `json:"siblings"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("bad model info: %w", err)
	}
	files := make([]string, 0, len(info.Siblings))
	for _, s := range info.Siblings {
		files = append(files, s.Name)
	}
	return files, nil
}

// maxTreePages bounds the pages of one tree listing, so a server that
// keeps answering with new next links cannot keep a run busy forever.
const maxTreePages = 1000

// listTree lists the files of a dataset repository through
// /api/datasets/{owner/name}/tree/{revision}?recursive=true, following
// the Link rel="next" headers of its pages. Next links must stay on the
// endpoint's scheme and host: the token is sent with every page.
func (c *Client) listTree(ctx context.Context, name, revision string) ([]string, error) {
	segs := append([]string{"api", "datasets"}, strings.Split(name, "/")...)
	segs = append(segs, "tree", revision)
	next := c.endpoint.String() + escapedPath(segs...) + "?recursive=true"
	seen := map[string]bool{}
	var files []string
	for page := 1; next != ""; page++ {
		if seen[next] {
			return nil, fmt.Errorf("tree listing: page %d links back to an earlier page", page-1)
		}
		if page > maxTreePages {
			return nil, fmt.Errorf("tree listing did not end after %d pages", maxTreePages)
		}
		seen[next] = true
		resp, err := c.get(ctx, next)
		if err != nil {
			return nil, err
		}
		var entries []struct {
			Type string `json:"type"`
			Path string `json:"path"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&entries)
		link := resp.Header.Get("Link")
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("bad tree listing (page %d): %w", page, err)
		}
		for _, e := range entries {
			if e.Type == "file" {
				files = append(files, e.Path)
			}
		}
		if next, err = c.nextLink(link); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// nextLink returns the rel="next" target of a Link header ("" when there
// is none), refusing one that leaves the endpoint's scheme and host.
func (c *Client) nextLink(header string) (string, error) {
	for _, part := range strings.Split(header, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		isNext := false
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			isNext = isNext || (strings.EqualFold(k, "rel") && strings.Trim(v, `"`) == "next")
		}
		if !isNext {
			continue
		}
		u, err := c.endpoint.Parse(target[1 : len(target)-1])
		if err != nil || u.Scheme != c.endpoint.Scheme || u.Host != c.endpoint.Host {
			return "", fmt.Errorf("tree listing: refusing a next page outside %s://%s", c.endpoint.Scheme, c.endpoint.Host)
		}
		return u.String(), nil
	}
	return "", nil
}

// cachedListing reads the file list of a revision from
// trees/<commit>.json (formats.md §1.3: {"format_version": 1, "files":
// {"<path>": {...}}}).
func cachedListing(rc repoCache, revision string) ([]string, error) {
	commit, ok := rc.commitFor(revision)
	if !ok {
		return nil, fmt.Errorf("offline (HF_HUB_OFFLINE is set) and the Hugging Face cache %s does not know which commit %s is: %w", rc.root, revision, errOffline)
	}
	p := filepath.Join(rc.dir, "trees", commit+".json")
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("offline (HF_HUB_OFFLINE is set) and the Hugging Face cache has no file listing of commit %s (%s, written by `hf download` of the whole repository); "+
			"list it while online or unset HF_HUB_OFFLINE: %w", commit, p, errOffline)
	}
	var tree struct {
		Version int                        `json:"format_version"`
		Files   map[string]json.RawMessage `json:"files"`
	}
	if err := json.Unmarshal(data, &tree); err != nil || tree.Version != 1 {
		return nil, fmt.Errorf("%s: not a format_version 1 file listing", p)
	}
	files := make([]string, 0, len(tree.Files))
	for f := range tree.Files {
		files = append(files, f)
	}
	slices.Sort(files)
	return files, nil
}
