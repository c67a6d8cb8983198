package hubsource

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		src  string
		want Source
		err  string
	}{
		{src: "hf://openai/gsm8k", want: Source{Repo: "openai/gsm8k", Base: "hf://openai/gsm8k"}},
		{src: "hf://openai/gsm8k#main", want: Source{Repo: "openai/gsm8k", Subset: "main", Base: "hf://openai/gsm8k"}},
		{src: "hf://org/name@v1.0", want: Source{Repo: "org/name", Revision: "v1.0", Base: "hf://org/name@v1.0"}},
		{src: "hf://org/name@refs%2Fconvert%2Fparquet#default", want: Source{
			Repo: "org/name", Revision: "refs/convert/parquet", Subset: "default", Base: "hf://org/name@refs%2Fconvert%2Fparquet"}},
		{src: "hf://Org-1/Na_me.v2@0123abcd", want: Source{Repo: "Org-1/Na_me.v2", Revision: "0123abcd", Base: "hf://Org-1/Na_me.v2@0123abcd"}},
		{src: "file://x.jsonl", err: "not an hf:// source"},
		{src: "hf://gsm8k", err: "must be ORG/NAME"},
		{src: "hf://org/name/extra", err: "must be ORG/NAME"},
		{src: "hf:///name", err: "must be ORG/NAME"},
		{src: "hf://org/na me", err: `"na me" is not a valid`},
		{src: "hf://../name", err: `".." is not a valid`},
		{src: "hf://org/name@", err: "revision after '@' is empty"},
		{src: "hf://org/name@%zz", err: "badly escaped"},
		{src: "hf://org/name@refs%2F..%2Fx", err: `invalid part ".."`},
		{src: "hf://org/name#", err: "one folder name"},
		{src: "hf://org/name#a%2Fb", err: "one folder name"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.src)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.src, got, err, tc.want)
		}
	}
}

// FuzzParse checks that no source makes parsing panic and that an
// accepted source names a repository and revision the hub client accepts.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"hf://a/b", "hf://a/b@refs%2Fpr%2F1#x", "hf://a/b@", "hf://a/b#", "hf://%/%", "hf://a/b@%2e%2e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
		if err != nil {
			return
		}
		for _, p := range append(strings.Split(s.Repo, "/"), strings.Split(s.Revision, "/")...) {
			if p == "." || p == ".." {
				t.Fatalf("%q accepted with %+v", src, s)
			}
		}
		if len(strings.Split(s.Repo, "/")) != 2 || strings.Contains(s.Subset, "/") {
			t.Fatalf("%q accepted with %+v", src, s)
		}
	})
}
