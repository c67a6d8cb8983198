package hfdata

import (
	"errors"
	"fmt"
	"github.com/cookbookc/cookbookc/lang/hubsource"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/files"
)

// splitWords are the words that name the usual splits in file and folder
// names, grouped by the split they mean (the first of each group). They
// are the names hub datasets use by convention.
var splitWords = [][]string{
	{"train", "training"},
	{"validation", "valid", "val", "dev"},
	{"test", "testing", "eval", "evaluation"},
}

// canonicalSplit returns the split a word names ("training" -> "train"),
// or "" when the word names none. Case is ignored.
func canonicalSplit(word string) string {
	word = strings.ToLower(word)
	for _, group := range splitWords {
		if slices.Contains(group, word) {
			return group[0]
		}
	}
	return ""
}

// formatOrder is the preference among formats when the files of one split
// come in several (a repository that keeps its original JSON files beside
// the hub's Parquet conversion of them): the first present wins.
var formatOrder = []string{"parquet", "jsonl", "json", "csv"}

// metadataFiles are JSON files that describe a dataset rather than hold
// its rows.
var metadataFiles = []string{"dataset_info.json", "dataset_infos.json", "dataset_dict.json", "state.json"}

// shardSuffix matches what sharded files append to the split's name:
// "-00000-of-00002", "_3", "-00000-of-00001-a09b74b3ef9c3b56".
var shardSuffix = regexp.MustCompile(`(?:[-_.][0-9]+)+(?:-of-[0-9]+)?(?:[-_][0-9a-f]{8,})?$`)

// letters splits a name into its words (runs of ASCII letters), so that
// "gsm8k-train" holds "train" and "partial-train" does too.
var letters = regexp.MustCompile(`[A-Za-z]+`)

// dataFile is a readable file of the repository and what its path says
// about its split.
type dataFile struct {
	path   string // path in the repository
	format string // files.FileFormat of the path
	// parts are the path's segments below the subset folder (when one
	// was chosen); the last is the file's name without its extension
	// and shard suffix.
	parts []string
	// label is the innermost part that holds a split word ("train",
	// "train_sft", "partial-train", "gsm8k-test"), labelAt its index in
	// parts, or "" and -1 when no part holds one.
	label   string
	labelAt int
}

// newDataFile describes p, or returns false when p is not a file this
// store reads (another format, a hidden or metadata file).
func newDataFile(p, subset, fileFormat string) (dataFile, bool) {
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "__") {
			return dataFile{}, false
		}
	}
	if slices.Contains(metadataFiles, segs[len(segs)-1]) {
		return dataFile{}, false
	}
	format, err := files.FileFormat(p, "auto")
	if err != nil || (fileFormat != "" && fileFormat != "auto" && format != fileFormat) {
		return dataFile{}, false
	}
	if subset != "" {
		if len(segs) < 2 || segs[0] != subset {
			return dataFile{}, false
		}
		segs = segs[1:]
	}
	parts := slices.Clone(segs)
	last := parts[len(parts)-1]
	last = strings.TrimSuffix(last, path.Ext(last))
	parts[len(parts)-1] = shardSuffix.ReplaceAllString(last, "")
	f := dataFile{path: p, format: format, parts: parts, labelAt: -1}
	for i := len(parts) - 1; i >= 0; i-- {
		if lastSplitWord(parts[i]) != "" {
			f.label, f.labelAt = parts[i], i
			break
		}
	}
	return f, true
}

// lastSplitWord returns the split named by the last split word of name
// ("oo-method-test-split-train" -> "train"), or "". The last one counts
// because names put the split last: "{dataset}-{split}".
func lastSplitWord(name string) string {
	words := letters.FindAllString(name, -1)
	for i := len(words) - 1; i >= 0; i-- {
		if s := canonicalSplit(words[i]); s != "" {
			return s
		}
	}
	return ""
}

// selection is what selectFiles needs to know about the request, plus
// how to name the dataset in messages.
type selection struct {
	name       string // the source without #SUBSET, for messages
	repo       string // ORG/NAME
	subset     string
	split      string
	fileFormat string
}

// selectFiles picks the files of a split from a repository listing, in
// reading order. The rules, first match wins:
//
//  1. files whose label is the split or a synonym of it ("train",
//     "training"; "validation", "valid", "val", "dev"; "test", "testing",
//     "eval", "evaluation"), or, for another split name, files with a
//     folder or name equal to it;
//  2. files whose label's last split word names the split ("partial-train",
//     "gsm8k-train"), provided they all share one label: "train_sft" and
//     "train_gen" together are ambiguous and the split must be named;
//  3. for the train split, every file when no file names any split (a
//     repository holding just "data.jsonl").
//
// Without a subset, the chosen files must lie in one top-level folder
// (not counting "data" or a folder named after the split): a repository
// with several subsets (main/ and socratic/) needs #SUBSET. Of several
// formats the first of formatOrder is read. Files are ordered by path
// with digit runs compared as numbers, so shard 10 follows shard 9.
func selectFiles(listing []string, sel selection) ([]dataFile, error) {
	split := sel.split
	if split == "" {
		split = "train"
	}
	var all []dataFile
	var folders []string // top-level folders, for messages
	for _, p := range listing {
		if top, _, ok := strings.Cut(p, "/"); ok && !slices.Contains(folders, top) && !strings.HasPrefix(top, ".") {
			folders = append(folders, top)
		}
		if f, ok := newDataFile(p, sel.subset, sel.fileFormat); ok {
			all = append(all, f)
		}
	}
	if len(all) == 0 {
		return nil, noDataError(listing, folders, sel)
	}

	want := canonicalSplit(split)
	var picked []dataFile
	for _, f := range all { // rule 1
		if want != "" && canonicalSplit(f.label) == want {
			picked = append(picked, f)
		} else if want == "" && slices.ContainsFunc(f.parts, func(p string) bool { return strings.EqualFold(p, split) }) {
			picked = append(picked, f)
		}
	}
	if len(picked) == 0 && want != "" { // rule 2
		labels := map[string]bool{}
		for _, f := range all {
			if f.label != "" && lastSplitWord(f.label) == want {
				picked = append(picked, f)
				labels[f.label] = true
			}
		}
		if len(labels) > 1 {
			return nil, fmt.Errorf("%s: split %q is ambiguous: files of the splits %s all name it; set the dataset's split to one of them",
				sel.name, split, strings.Join(slices.Sorted(maps.Keys(labels)), ", "))
		}
	}
	if len(picked) == 0 && want == "train" && !slices.ContainsFunc(all, func(f dataFile) bool { return f.label != "" }) { // rule 3
		picked = all
	}
	if len(picked) == 0 {
		return nil, noSplitError(listing, all, sel, split)
	}

	if sel.subset == "" {
		bySubset := map[string]bool{}
		for _, f := range picked {
			bySubset[subsetOf(f)] = true
		}
		if len(bySubset) > 1 {
			names := slices.Sorted(maps.Keys(bySubset))
			for i, n := range names {
				if n == "" {
					names[i] = "(files outside any folder)"
				}
			}
			example := names[0]
			if bySubset[""] {
				example = names[1]
			}
			return nil, fmt.Errorf("%s: split %q has files in several subsets (top-level folders): %s; name one, e.g. %s#%s",
				sel.name, split, strings.Join(names, ", "), sel.name, example)
		}
	}

	for _, format := range formatOrder {
		if slices.ContainsFunc(picked, func(f dataFile) bool { return f.format == format }) {
			picked = slices.DeleteFunc(picked, func(f dataFile) bool { return f.format != format })
			break
		}
	}
	sort.SliceStable(picked, func(i, j int) bool { return naturalLess(picked[i].path, picked[j].path) })
	return picked, nil
}

// subsetOf returns the top-level folder a file is in when that folder can
// be a subset: not "data" (where single-subset repositories keep their
// files) and not the folder that names the split ("train/0000.jsonl").
func subsetOf(f dataFile) string {
	segs := strings.Split(f.path, "/")
	if len(segs) < 2 || segs[0] == "data" || f.labelAt == 0 {
		return ""
	}
	return segs[0]
}

// noDataError explains a listing (or subset) without any readable file.
func noDataError(listing, folders []string, sel selection) error {
	where := sel.name
	if sel.subset != "" {
		if !slices.Contains(folders, sel.subset) {
			slices.Sort(folders)
			return fmt.Errorf("%s has no folder %q to use as the subset; its top-level folders: %s",
				sel.name, sel.subset, listOrNone(folders))
		}
		where += "#" + sel.subset
	}
	kinds := "Parquet, JSONL, JSON or CSV"
	if sel.fileFormat != "" && sel.fileFormat != "auto" {
		kinds = sel.fileFormat
	}
	msg := fmt.Sprintf("%s has no %s data files (it holds: %s)", where, kinds, sample(listing, 8))
	if slices.ContainsFunc(listing, func(p string) bool { return strings.HasSuffix(p, ".py") }) {
		msg += "; a dataset built by a loading script can be read from the hub's Parquet conversion: " +
			hubsource.Scheme + sel.repo + "@refs%2Fconvert%2Fparquet"
	}
	return errors.New(msg)
}

// noSplitError explains a split without files: the splits there are, and
// files of the split this store cannot read (compressed, Arrow, ...).
func noSplitError(listing []string, all []dataFile, sel selection, split string) error {
	labels := map[string]bool{}
	for _, f := range all {
		if f.label != "" {
			labels[f.label] = true
		}
	}
	found := "no file or folder name says which split it holds, so every file is the train split"
	if len(labels) > 0 {
		found = "splits found: " + strings.Join(slices.Sorted(maps.Keys(labels)), ", ")
	}
	where := sel.name
	if sel.subset != "" {
		where += "#" + sel.subset
	}
	msg := fmt.Sprintf("%s: no files for split %q; %s", where, split, found)
	var unreadable []string
	want := canonicalSplit(split)
	for _, p := range listing {
		if _, err := files.FileFormat(p, "auto"); err == nil {
			continue
		}
		base := path.Base(p)
		if (want != "" && lastSplitWord(base) == want) || strings.Contains(strings.ToLower(base), strings.ToLower(split)) {
			unreadable = append(unreadable, p)
		}
	}
	if len(unreadable) > 0 {
		msg += fmt.Sprintf(" (files of a format this store cannot read: %s)", sample(unreadable, 3))
	}
	return errors.New(msg)
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// sample lists up to n names, saying how many more there are.
func sample(names []string, n int) string {
	if len(names) == 0 {
		return "no files"
	}
	s := slices.Clone(names)
	slices.Sort(s)
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:n], ", "), len(s)-n)
}

// naturalLess orders strings with runs of digits compared by value
// ("train-2" before "train-10"); equal values fall back to plain order so
// the order is total.
func naturalLess(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			continue
		}
		if ca != cb {
			return ca < cb
		}
		i++
		j++
	}
	if len(a)-i != len(b)-j {
		return len(a)-i < len(b)-j
	}
	return a < b
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
