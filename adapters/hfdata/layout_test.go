package hfdata

import (
	"slices"
	"strings"
	"testing"
)

func TestSelectFiles(t *testing.T) {
	noRobots := []string{".gitattributes", "README.md", "data/train-00000-of-00001.parquet", "data/test-00000-of-00001.parquet"}
	gsm8k := []string{"README.md", "main/train-00000-of-00001.parquet", "main/test-00000-of-00001.parquet",
		"socratic/train-00000-of-00001.parquet", "socratic/test-00000-of-00001.parquet"}
	ultrachat := []string{"data/train_sft-00000-of-00002-a3ecf92756993583.parquet", "data/train_sft-00001-of-00002-0a1804bcb6ae68c6.parquet",
		"data/train_gen-00000-of-00001-3d4cd8309148a71f.parquet", "data/test_sft-00000-of-00001-f7dfac4afe5b93f4.parquet"}
	tests := []struct {
		name    string
		listing []string
		subset  string
		split   string
		format  string
		want    []string
		err     string
	}{
		{name: "default split is train", listing: noRobots, want: []string{"data/train-00000-of-00001.parquet"}},
		{name: "test split", listing: noRobots, split: "test", want: []string{"data/test-00000-of-00001.parquet"}},
		{name: "missing split lists the splits", listing: noRobots, split: "validation",
			err: `no files for split "validation"; splits found: test, train`},
		{name: "shards in numeric order", listing: []string{"data/train-10.jsonl", "data/train-2.jsonl", "data/train-1.jsonl", "data/test-1.jsonl"},
			want: []string{"data/train-1.jsonl", "data/train-2.jsonl", "data/train-10.jsonl"}},
		{name: "padded shards", listing: []string{"data/train-00001-of-00003.parquet", "data/train-00002-of-00003.parquet", "data/train-00000-of-00003.parquet"},
			want: []string{"data/train-00000-of-00003.parquet", "data/train-00001-of-00003.parquet", "data/train-00002-of-00003.parquet"}},
		{name: "files at the root", listing: []string{"train.jsonl", "test.jsonl", "dev.jsonl"}, split: "validation", want: []string{"dev.jsonl"}},
		{name: "synonym asked", listing: []string{"train.csv", "validation.csv"}, split: "val", want: []string{"validation.csv"}},
		{name: "split folders", listing: []string{"train/0000.jsonl", "train/0001.jsonl", "test/0000.jsonl"}, want: []string{"train/0000.jsonl", "train/0001.jsonl"}},
		{name: "several subsets need one named", listing: gsm8k,
			err: `split "train" has files in several subsets (top-level folders): main, socratic; name one, e.g. hf://org/ds#main`},
		{name: "subset named", listing: gsm8k, subset: "socratic", split: "test", want: []string{"socratic/test-00000-of-00001.parquet"}},
		{name: "unknown subset", listing: gsm8k, subset: "nope", err: `has no folder "nope" to use as the subset; its top-level folders: main, socratic`},
		{name: "parquet conversion", listing: []string{"default/train/0000.parquet", "default/train/0001.parquet", "default/test/0000.parquet"},
			want: []string{"default/train/0000.parquet", "default/train/0001.parquet"}},
		{name: "parquet conversion, several configs", listing: []string{"a/train/0000.parquet", "b/train/0000.parquet"},
			err: "several subsets (top-level folders): a, b"},
		{name: "partial conversion", listing: []string{"default/partial-train/0000.parquet", "default/partial-train/0001.parquet"},
			want: []string{"default/partial-train/0000.parquet", "default/partial-train/0001.parquet"}},
		{name: "old conversion layout", listing: []string{"plain_text/imdb-train.parquet", "plain_text/imdb-test.parquet", "plain_text/imdb-unsupervised.parquet"},
			want: []string{"plain_text/imdb-train.parquet"}},
		{name: "last split word counts", listing: []string{"byrow/oo-method-test-split-train-00000-of-00002.parquet", "byrow/oo-method-test-split-test-00000-of-00001.parquet"},
			split: "test", want: []string{"byrow/oo-method-test-split-test-00000-of-00001.parquet"}},
		{name: "train_sft and train_gen are ambiguous", listing: ultrachat,
			err: `split "train" is ambiguous: files of the splits train_gen, train_sft all name it`},
		{name: "a named custom split", listing: ultrachat, split: "train_sft",
			want: []string{"data/train_sft-00000-of-00002-a3ecf92756993583.parquet", "data/train_sft-00001-of-00002-0a1804bcb6ae68c6.parquet"}},
		{name: "custom split folder", listing: []string{"wiki/0000.parquet", "books/0000.parquet"}, split: "wiki", want: []string{"wiki/0000.parquet"}},
		{name: "no split words: all is train", listing: []string{"README.md", "alpaca_data.json", "dataset_info.json"}, want: []string{"alpaca_data.json"}},
		{name: "no split words: no test", listing: []string{"alpaca_data.json"}, split: "test",
			err: "no file or folder name says which split it holds, so every file is the train split"},
		{name: "parquet preferred over its sources", listing: []string{"train.json", "data/train-00000-of-00001.parquet"},
			want: []string{"data/train-00000-of-00001.parquet"}},
		{name: "file_format chooses", listing: []string{"train.json", "data/train-00000-of-00001.parquet"}, format: "json", want: []string{"train.json"}},
		{name: "hidden and private folders skipped", listing: []string{".cache/train.jsonl", "__pycache__/train.json", "train.jsonl"}, want: []string{"train.jsonl"}},
		{name: "unreadable files of the split are named", listing: []string{"train.jsonl.gz", "test.jsonl"},
			err: `no files for split "train"; splits found: test (files of a format this store cannot read: train.jsonl.gz)`},
		{name: "script-only repository", listing: []string{"README.md", "gsm8k.py"},
			err: "hf://org/ds has no Parquet, JSONL, JSON or CSV data files (it holds: README.md, gsm8k.py); a dataset built by a loading script can be read from the hub's Parquet conversion: hf://org/ds@refs%2Fconvert%2Fparquet"},
		{name: "no files of the asked format", listing: []string{"train.jsonl"}, format: "csv", err: "has no csv data files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := selectFiles(tc.listing, selection{name: "hf://org/ds", repo: "org/ds", subset: tc.subset, split: tc.split, fileFormat: tc.format})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, f := range got {
				paths = append(paths, f.path)
			}
			if !slices.Equal(paths, tc.want) {
				t.Fatalf("got %v, want %v", paths, tc.want)
			}
		})
	}
}

func TestNaturalLess(t *testing.T) {
	in := []string{"b", "a10", "a2", "a02", "a1", "a", "a1b", "a01"}
	slices.SortFunc(in, func(x, y string) int {
		if naturalLess(x, y) {
			return -1
		}
		if naturalLess(y, x) {
			return 1
		}
		return 0
	})
	want := []string{"a", "a01", "a1", "a1b", "a02", "a2", "a10", "b"}
	if !slices.Equal(in, want) {
		t.Fatalf("got %v, want %v", in, want)
	}
}

// FuzzSelectFiles checks that no listing, subset or split makes the
// selection panic, and that what it picks comes from the listing, in one
// format, without repeats.
func FuzzSelectFiles(f *testing.F) {
	f.Add("data/train-00000-of-00002.parquet\ndata/train-00001-of-00002.parquet\ndata/test-0.jsonl", "", "train", "auto")
	f.Add("main/train-0.parquet\nsocratic/train-0.parquet", "main", "test", "")
	f.Add("default/partial-train/0000.parquet\n/\n\n.x/train.json\n__a/b.csv", "default", "valid", "parquet")
	f.Add("a.py\nREADME.md", "", "train_sft", "json")
	f.Fuzz(func(t *testing.T, listing, subset, split, format string) {
		paths := strings.Split(listing, "\n")
		got, err := selectFiles(paths, selection{name: "hf://o/n", repo: "o/n", subset: subset, split: split, fileFormat: format})
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("files %v with error %v", got, err)
			}
			return
		}
		if len(got) == 0 {
			t.Fatal("no files and no error")
		}
		seen := map[string]bool{}
		for _, f := range got {
			if !slices.Contains(paths, f.path) || seen[f.path] {
				t.Fatalf("picked %q (listing %q)", f.path, paths)
			}
			seen[f.path] = true
			if f.format != got[0].format {
				t.Fatalf("mixed formats: %v", got)
			}
		}
	})
}
