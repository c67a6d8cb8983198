package interp_test

import (
	"context"
	"fmt"
	"os"

	_ "github.com/cookbookc/cookbookc/adapters/fake" // the test manifest's adapters
	_ "github.com/cookbookc/cookbookc/adapters/metrics/none"
	"github.com/cookbookc/cookbookc/interp"
	_ "github.com/cookbookc/cookbookc/stdlib/stages/noop"
)

// Load compiles a recipe (or reads a plan.json) and resolves its manifest;
// Run executes the plan in a new run directory and says how each stage
// ended. Resuming the directory later (Options.ResumeDir) reuses what
// finished.
func ExampleRun() {
	loaded, diags := interp.Load("testdata/two.hcl", nil, interp.LoadOptions{
		Catalog: interp.Catalog(), Manifest: "test", Vars: map[string]string{"greeting": "hi"},
	})
	if diags.HasErrors() {
		fmt.Println(diags.Error())
		return
	}
	runs, err := os.MkdirTemp("", "cookbookc-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(runs)
	res, err := interp.Run(context.Background(), interp.Options{
		Plan: loaded.Plan, Bindings: loaded.Bindings, Manifest: loaded.Manifest, RunsDir: runs,
	})
	if err != nil {
		fmt.Println(err) // nothing ran: a problem with the plan, bindings or secrets
		return
	}
	fmt.Println("run:", res.Status)
	for _, st := range res.Stages {
		fmt.Printf("%s (%s): %s %s\n", st.ID, st.Kind, st.Status, st.Outputs["value"])
	}
	// Output:
	// run: ok
	// first (noop): ok "hi"
	// second (noop): ok "hi"
}
