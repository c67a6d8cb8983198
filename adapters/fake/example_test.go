package fake_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/fake"
	"github.com/cookbookc/cookbookc/adapters/ports"
)

// The fake trainer (a test double: it keeps a step count and a
// fingerprint of the applied updates, not weights) behaves like a real
// training client: futures, optimizer steps, saved states that load back,
// and failures injected by name.
func ExampleTrainer() {
	ctx := context.Background()
	tr := fake.NewTrainer(0, "optim_step", 2) // the 2nd optim_step fails
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "fake/tiny", LoRA: ports.DefaultLoRA(4, 0)})
	if err != nil {
		panic(err)
	}
	batch := []ports.Datum{{
		ModelInput: ports.TokensInput([]int{1, 2, 3}),
		LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor([]int64{2, 3, 4}),
			"weights":       ports.FloatTensor([]float32{0, 1, 1}),
		},
	}}
	fb, err := tc.ForwardBackward(ctx, batch, ports.LossCrossEntropy, nil).Await(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("logprobs per target:", len(fb.LossFnOutputs[0]["logprobs"].Floats))
	if _, err := tc.OptimStep(ctx, ports.AdamParams{LearningRate: 1e-3}).Await(ctx); err != nil {
		panic(err)
	}
	path, err := tc.SaveState(ctx, "step1", ports.SaveOptions{}).Await(ctx)
	if err != nil {
		panic(err)
	}
	loaded, err := tr.LoadModel(ctx, ports.LoadModelRequest{Path: path, WithOptimizer: true})
	if err != nil {
		panic(err)
	}
	info, _ := loaded.Info(ctx)
	fmt.Println("loaded:", info.BaseModel)
	_, err = loaded.OptimStep(ctx, ports.AdamParams{LearningRate: 1e-3}).Await(ctx)
	fmt.Println("second optim_step injected failure:", errors.Is(err, fake.ErrInjected))
	// Output:
	// logprobs per target: 3
	// loaded: fake/tiny
	// second optim_step injected failure: true
}
