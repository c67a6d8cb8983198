package renderers

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/stdlib/chat"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

type conversation struct {
	Name     string         `json:"name"`
	Messages []chat.Message `json:"messages"`
}

func loadConversations(t *testing.T) []conversation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "conversations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var convs []conversation
	if err := json.Unmarshal(data, &convs); err != nil {
		t.Fatal(err)
	}
	return convs
}

// fixedClock pins the gpt-oss preamble date so goldens are stable.
func fixedClock(t *testing.T) {
	old := now
	now = func() time.Time { return time.Date(2026, 8, 17, 12, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = old })
}

// annotate writes segments as one line: special tokens in «», trained
// runs in ⟦⟧, everything else verbatim (then quoted by the caller).
func annotate(segs []Segment) string {
	var b strings.Builder
	trained := false
	for _, s := range segs {
		if on := s.Weight > 0; on != trained {
			if on {
				b.WriteString("⟦")
			} else {
				b.WriteString("⟧")
			}
			trained = on
		}
		if s.Special {
			b.WriteString("«" + s.Text + "»")
		} else {
			b.WriteString(s.Text)
		}
	}
	if trained {
		b.WriteString("⟧")
	}
	return b.String()
}

// quote is JSON quoting that keeps non-ASCII readable.
func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// renderGolden renders every conversation in every train_on mode plus the
// generation prompt of each conversation minus its last message, and
// counts the conversations rendered without error.
func renderGolden(r Renderer, convs []conversation) (string, int) {
	var b strings.Builder
	ok := 0
	fmt.Fprintf(&b, "# renderer %s; «special» tokens, ⟦trained⟧ text (weight 1)\n", r.Name())
	for _, c := range convs {
		fmt.Fprintf(&b, "\n== %s\n", c.Name)
		rendered := false
		for _, mode := range TrainOnModes() {
			examples, err := r.Supervised(c.Messages, mode)
			if err != nil {
				fmt.Fprintf(&b, "%s: error: %v\n", mode, err)
				continue
			}
			rendered = true
			for i, ex := range examples {
				label := string(mode)
				if len(examples) > 1 {
					label += fmt.Sprintf("[%d]", i)
				}
				fmt.Fprintf(&b, "%s: %s\n", label, quote(annotate(ex)))
			}
		}
		if gp, err := r.GenerationPrompt(c.Messages[:len(c.Messages)-1]); err != nil {
			fmt.Fprintf(&b, "generation_prompt: error: %v\n", err)
		} else {
			fmt.Fprintf(&b, "generation_prompt: %s\n", quote(annotate(gp)))
		}
		if rendered {
			ok++
		}
	}
	return b.String(), ok
}

// TestGolden checks every renderer's text and weights on the shared
// conversations against testdata/golden/<renderer>.golden (-update
// rewrites them) and that each renderer renders at least 10 of them.
func TestGolden(t *testing.T) {
	fixedClock(t)
	convs := loadConversations(t)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			r, err := Get(name)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := renderGolden(r, convs)
			if ok < 10 {
				t.Errorf("only %d conversations rendered", ok)
			}
			t.Logf("%s: %d conversations rendered", name, ok)
			path := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("rendering differs from %s (run go test -update and review the diff):\n%s", path, firstDiff(string(want), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want %s\n got  %s", i+1, w, g)
		}
	}
	return ""
}
