package compiler

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// largeRecipe generates a recipe with n stages: alternating
// supervised_train and evaluate stages, each evaluation reading the
// checkpoint of the training stage before it, each training stage after
// the first starting from the previous checkpoint.
func largeRecipe(n int) []byte {
	var b strings.Builder
	b.WriteString(`variable "model" {
  type    = string
  default = "meta-llama/Llama-3.2-1B"
}

variable "learning_rate" {
  type    = number
  default = 2e-4
}

dataset "chat" {
  source        = "chat.jsonl"
  format        = "messages"
  test_fraction = 0.1
}

renderer "chatml" {
  message "user" {
    template = "<|im_start|>user\n{{ content }}<|im_end|>\n"
  }
  message "assistant" {
    template = "<|im_start|>assistant\n{{ content }}<|im_end|>\n"
  }
  stop = ["<|im_end|>"]
}

experiment "large" {
  description = "generated"
`)
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, `
  stage "supervised_train" "s%d" {
    model         = var.model
    dataset       = dataset.chat
    renderer      = renderer.chatml
    learning_rate = var.learning_rate
    lr_schedule   = "cosine"
    batch_size    = 64
    lora_rank     = 16
    save_every    = 10
`, i)
			if i > 0 {
				fmt.Fprintf(&b, "    load_checkpoint = stage.s%d.final_checkpoint\n", i-2)
			}
			b.WriteString("  }\n")
			continue
		}
		fmt.Fprintf(&b, `
  stage "evaluate" "s%d" {
    checkpoint  = stage.s%d.final_checkpoint
    dataset     = dataset.chat
    scorer      = "exact_match"
    num_samples = 2
  }
`, i, i-1)
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// BenchmarkParseLarge is the reference: the raw hclsyntax parse of a
// 1,000-stage recipe.
func BenchmarkParseLarge(b *testing.B) {
	src := largeRecipe(1000)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, diags := hclsyntax.ParseConfig(src, "large.hcl", hcl.InitialPos); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkCheckLarge is the full check of the same recipe: parse, decode,
// references, types, the DAG, lowering and hashing.
func BenchmarkCheckLarge(b *testing.B) {
	src := largeRecipe(1000)
	dir, err := filepath.Abs(filepath.Join("testdata", "valid"))
	if err != nil {
		b.Fatal(err)
	}
	cat := testCatalog()
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, diags := CompileSource(dir, map[string][]byte{"large.hcl": src}, Options{Catalog: cat}, true)
		if len(diags) > 0 {
			b.Fatal(diags)
		}
		if len(res.Plan.Stages) != 1000 {
			b.Fatalf("%d stages", len(res.Plan.Stages))
		}
	}
}

func TestLargeRecipeChecks(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "valid"))
	res, diags := CompileSource(dir, map[string][]byte{"large.hcl": largeRecipe(100)}, Options{Catalog: testCatalog()}, true)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if got := len(res.Plan.Stages); got != 100 {
		t.Fatalf("%d stages", got)
	}
	if deps := res.Plan.Stages[99].DependsOn; len(deps) != 1 || deps[0] != "s98" {
		t.Fatalf("s99 depends on %v", deps)
	}
}
