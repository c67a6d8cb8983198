package compiler_test

import (
	"fmt"
	"path/filepath"

	_ "github.com/cookbookc/cookbookc/adapters/all" // every adapter, for the manifest check
	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/interp"
	_ "github.com/cookbookc/cookbookc/stdlib/all" // every stage kind
)

// Compile checks a recipe against the catalog of this build and lowers
// its experiment to a plan: every input typed, defaults filled in,
// references resolved. With Manifest set it also resolves the port
// bindings the plan needs.
func ExampleCompile() {
	res, diags := compiler.Compile(filepath.Join("testdata", "valid", "sl_basic.hcl"), compiler.Options{
		Catalog:  interp.Catalog(),
		Vars:     map[string]string{"model": "local/tiny"},
		Manifest: "default",
	})
	if diags.HasErrors() {
		fmt.Println(diags.Error())
		return
	}
	st := res.Plan.Stages[0]
	fmt.Println(res.Plan.Experiment, st.ID, st.Kind)
	for _, name := range []string{"model", "learning_rate", "num_epochs", "renderer"} {
		v := st.Inputs[name]
		fmt.Printf("%s (%s): %s%s\n", name, v.Type, v.Value, v.Ref)
	}
	fmt.Println("ports:", st.Ports)
	fmt.Println("training_client:", res.Bindings["training_client"].Adapter)
	// Output:
	// sl_basic train supervised_train
	// model (string): "local/tiny"
	// learning_rate (number): 0.0002
	// num_epochs (int): 1
	// renderer (renderer): renderer.role_colon
	// ports: [dataset_store hub_client sampling_client training_client]
	// training_client: local
}
