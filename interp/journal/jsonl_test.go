package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadLinesTornAndCorrupt(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    []string
		torn    bool
		corrupt int // line number, 0 = no corruption
	}{
		{"empty", "", nil, false, 0},
		{"two records", "{\"a\":1}\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}, false, 0},
		{"torn tail", "{\"a\":1}\n{\"b\":", []string{`{"a":1}`}, true, 0},
		{"complete json without newline is torn", "{\"a\":1}\n{\"b\":2}", []string{`{"a":1}`}, true, 0},
		{"blank lines ignored", "\n{\"a\":1}\n\n", []string{`{"a":1}`}, false, 0},
		{"corrupt middle", "{\"a\":1}\n{\"b\":\n{\"c\":3}\n", nil, false, 2},
		{"not an object", "[1,2]\n", nil, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			lines, torn, err := ReadLines(path)
			if tc.corrupt > 0 {
				var ce *CorruptError
				require.True(t, errors.As(err, &ce), "want CorruptError, got %v", err)
				require.Equal(t, tc.corrupt, ce.Line)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.torn, torn)
			var got []string
			for _, l := range lines {
				got = append(got, string(l))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestOpenLogCutsTornTailBeforeAppending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("{\"n\":1}\n{\"n\":2,\"x\""), 0o644))
	l, existing, err := OpenLog(path, "test", SyncEach)
	require.NoError(t, err)
	require.Len(t, existing, 1)
	require.NoError(t, l.Append(map[string]int{"n": 3}))
	require.NoError(t, l.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "{\"n\":1}\n{\"n\":3}\n", string(data))
}

func TestLogConcurrentAppendsNeverInterleave(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncNever, SyncEach, SyncBackground} {
		t.Run(fmt.Sprint(policy), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.jsonl")
			l, _, err := OpenLog(path, "test", policy)
			require.NoError(t, err)
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 50; i++ {
						require.NoError(t, l.Append(map[string]any{"w": w, "i": i, "pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}))
					}
				}()
			}
			wg.Wait()
			require.NoError(t, l.Close())
			require.Error(t, l.Append(map[string]int{}), "append after close must fail")
			lines, torn, err := ReadLines(path)
			require.NoError(t, err)
			require.False(t, torn)
			require.Len(t, lines, 400)
			seen := map[[2]int]bool{}
			for _, line := range lines {
				var rec struct{ W, I int }
				require.NoError(t, json.Unmarshal(line, &rec))
				seen[[2]int{rec.W, rec.I}] = true
			}
			require.Len(t, seen, 400)
		})
	}
}
