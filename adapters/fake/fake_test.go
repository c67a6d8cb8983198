package fake_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/fake"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/data"
)

// The `test` manifest binds a fake to every port; each must be registered,
// labelled as a fake, and construct an instance of the port's interface.
func TestEveryPortHasAFake(t *testing.T) {
	ctx := context.Background()
	env := registry.Env{RunDir: t.TempDir()}
	for _, port := range schema.Ports {
		a, ok := registry.Lookup(port, fake.Name)
		require.True(t, ok, "no fake for %s", port)
		require.True(t, a.Schema.Fake, "%s fake must be labelled Fake", port)
		require.Contains(t, a.Schema.Summary, "Test fake")
		cfg := registry.Config{}
		for _, f := range a.Schema.Config {
			if f.Default != nil {
				cfg[f.Name] = f.Default
			}
		}
		v, err := registry.New(ctx, port, fake.Name, cfg, env)
		require.NoError(t, err, port)
		want, _ := registry.Interface(port)
		require.True(t, reflect.TypeOf(v).Implements(want))
	}
	m, ok := registry.Manifest("test")
	require.True(t, ok)
	for port, b := range m.Ports {
		_, ok := registry.Lookup(port, b.Adapter)
		if b.Adapter == fake.Name {
			require.True(t, ok, "test manifest binds %s to an unregistered fake", port)
		}
	}
}

func datum(tokens ...int) ports.Datum {
	targets := make([]int64, len(tokens))
	weights := make([]float32, len(tokens))
	for i, tok := range tokens {
		targets[i] = int64(tok)
		weights[i] = 1
	}
	return ports.Datum{
		ModelInput:   ports.TokensInput(tokens),
		LossFnInputs: map[string]ports.TensorData{"target_tokens": ports.IntTensor(targets), "weights": ports.FloatTensor(weights)},
	}
}

// trainSteps runs n steps over fixed batches and returns the losses and
// the final state path.
func trainSteps(t *testing.T, m ports.TrainingClient, from, n int) ([]float64, string) {
	ctx := context.Background()
	var losses []float64
	for s := from; s < from+n; s++ {
		batch := []ports.Datum{datum(s, s+1, s+2), datum(7, 8)}
		fb := m.ForwardBackward(ctx, batch, ports.LossCrossEntropy, nil)
		opt := m.OptimStep(ctx, ports.AdamParams{LearningRate: 1e-4})
		out, err := fb.Await(ctx)
		require.NoError(t, err)
		_, err = opt.Await(ctx)
		require.NoError(t, err)
		require.Len(t, out.LossFnOutputs, 2)
		require.Equal(t, 3, out.LossFnOutputs[0]["logprobs"].Len(), "one logprob per target token")
		require.Equal(t, 2, out.LossFnOutputs[1]["logprobs"].Len())
		losses = append(losses, out.Metrics["loss:sum"])
	}
	path, err := m.SaveState(ctx, "ckpt", ports.SaveOptions{}).Await(ctx)
	require.NoError(t, err)
	return losses, path
}

func TestTrainerIsDeterministicAndResumable(t *testing.T) {
	ctx := context.Background()
	tr := fake.NewTrainer(0, "", 1)
	req := ports.CreateModelRequest{BaseModel: "fake/tiny", LoRA: ports.DefaultLoRA(8, 0)}

	a, err := tr.CreateModel(ctx, req)
	require.NoError(t, err)
	lossA, pathA := trainSteps(t, a, 0, 6)
	for _, l := range lossA {
		require.Greater(t, l, 0.0)
	}

	b, err := tr.CreateModel(ctx, req)
	require.NoError(t, err)
	lossB, pathB := trainSteps(t, b, 0, 6)
	require.Equal(t, lossA, lossB, "same calls, same results")
	require.Equal(t, pathA, pathB)

	// Train 3 steps, save, reload in a "new process", train 3 more: the
	// same final weights as 6 uninterrupted steps.
	c, err := tr.CreateModel(ctx, req)
	require.NoError(t, err)
	_, mid := trainSteps(t, c, 0, 3)
	d, err := fake.NewTrainer(0, "", 1).LoadModel(ctx, ports.LoadModelRequest{Path: mid, WithOptimizer: true})
	require.NoError(t, err)
	_, pathD := trainSteps(t, d, 3, 3)
	require.Equal(t, pathA, pathD)

	// Replaying a batch changes the fingerprint: a crash test would notice.
	e, err := tr.CreateModel(ctx, req)
	require.NoError(t, err)
	trainSteps(t, e, 0, 3)
	_, pathE := trainSteps(t, e, 2, 4)
	require.NotEqual(t, pathA, pathE)

	_, err = tr.LoadModel(ctx, ports.LoadModelRequest{Path: "tinker://nope"})
	require.ErrorContains(t, err, "training_client (fake): load_model")
}

func TestTrainerInjectedFailureNamesPortAndAdapter(t *testing.T) {
	ctx := context.Background()
	tr := fake.NewTrainer(0, "optim_step", 2)
	m, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "x"})
	require.NoError(t, err)
	_, err = m.OptimStep(ctx, ports.AdamParams{}).Await(ctx)
	require.NoError(t, err)
	_, err = m.OptimStep(ctx, ports.AdamParams{}).Await(ctx)
	require.ErrorIs(t, err, fake.ErrInjected)
	require.ErrorContains(t, err, "training_client (fake): optim_step")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = fake.NewTrainer(1e9, "", 1).CreateModel(cancelled, ports.CreateModelRequest{})
	require.ErrorIs(t, err, context.Canceled)
}

// Every operation fail_op accepts really fails when named: the enum the
// checker enforces matches what the trainer counts.
func TestEveryTrainerOpCanBeMadeToFail(t *testing.T) {
	ctx := context.Background()
	datum := []ports.Datum{{ModelInput: ports.TokensInput([]int{1, 2}), LossFnInputs: map[string]ports.TensorData{
		"target_tokens": ports.IntTensor([]int64{2, 3}), "weights": ports.FloatTensor([]float32{1, 1})}}}
	// exercise calls every operation once, stopping at the first error.
	exercise := func(tr *fake.Trainer) error {
		if _, err := tr.Capabilities(ctx); err != nil {
			return err
		}
		m, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "fake/tiny"})
		if err != nil {
			return err
		}
		if _, err := m.Forward(ctx, datum, ports.LossCrossEntropy, nil).Await(ctx); err != nil {
			return err
		}
		if _, err := m.ForwardBackward(ctx, datum, ports.LossCrossEntropy, nil).Await(ctx); err != nil {
			return err
		}
		if _, err := m.OptimStep(ctx, ports.AdamParams{LearningRate: 1e-3}).Await(ctx); err != nil {
			return err
		}
		path, err := m.SaveState(ctx, "s", ports.SaveOptions{}).Await(ctx)
		if err != nil {
			return err
		}
		if _, err := m.SaveSamplerWeights(ctx, "w", ports.SaveOptions{}).Await(ctx); err != nil {
			return err
		}
		if _, err := m.LoadState(ctx, path, false).Await(ctx); err != nil {
			return err
		}
		if _, err := m.Sampler(ctx); err != nil {
			return err
		}
		_, err = tr.LoadModel(ctx, ports.LoadModelRequest{Path: path})
		return err
	}
	for _, op := range fake.TrainerOps {
		err := exercise(fake.NewTrainer(0, op, 1))
		if op == "" {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, fake.ErrInjected, op)
		require.ErrorContains(t, err, "training_client (fake): "+op+":", op)
	}
}

func TestSamplerDeterministicShapes(t *testing.T) {
	ctx := context.Background()
	svc := fake.NewSamplingService(0)
	s, err := svc.NewSampler(ctx, ports.SamplerSpec{BaseModel: "fake/tiny"})
	require.NoError(t, err)
	seed := int64(3)
	req := ports.SampleRequest{Prompt: ports.TokensInput([]int{1, 2, 3}), NumSamples: 4, PromptLogprobs: true,
		Params: ports.SamplingParams{MaxTokens: 12, Seed: &seed, StopTokens: []int{300}}}
	r1, err := s.Sample(ctx, req).Await(ctx)
	require.NoError(t, err)
	r2, err := s.Sample(ctx, req).Await(ctx)
	require.NoError(t, err)
	require.Len(t, r1.Sequences, 4)
	require.Equal(t, len(r1.Sequences), len(r2.Sequences))
	for i, seq := range r1.Sequences {
		require.Equal(t, seq.Tokens, r2.Sequences[i].Tokens)
		require.Equal(t, len(seq.Tokens), len(seq.Logprobs))
		require.LessOrEqual(t, len(seq.Tokens), 13)
		if seq.StopReason == ports.StopReasonStop {
			require.Equal(t, 300, seq.Tokens[len(seq.Tokens)-1])
		} else {
			require.Len(t, seq.Tokens, 12)
		}
	}
	require.Len(t, r1.PromptLogprobs, 3)
	require.True(t, math.IsNaN(float64(r1.PromptLogprobs[0])))
	lps, err := ports.ComputeLogprobs(ctx, s, ports.TokensInput([]int{5, 6, 7, 8}))
	require.NoError(t, err)
	require.Len(t, lps, 4)

	// Trained weights sample differently from the base model.
	m, err := fake.NewTrainer(0, "", 1).CreateModel(ctx, ports.CreateModelRequest{BaseModel: "fake/tiny"})
	require.NoError(t, err)
	_, path := trainSteps(t, m, 0, 2)
	trained, err := svc.NewSampler(ctx, ports.SamplerSpec{ModelPath: path})
	require.NoError(t, err)
	r3, err := trained.Sample(ctx, req).Await(ctx)
	require.NoError(t, err)
	require.NotEqual(t, r1.Sequences, r3.Sequences)
}

func TestDatasetRowsParseInEveryFormat(t *testing.T) {
	ctx := context.Background()
	for _, format := range fake.RowFormats {
		store := &fake.DatasetStore{Rows: 10, Format: format, BadEvery: 4}
		rows, err := store.Open(ctx, ports.DatasetRef{Source: "file://x.jsonl", Split: "train"})
		require.NoError(t, err)
		n, bad := 0, 0
		for rec, err := range rows {
			require.NoError(t, err)
			n++
			if rec.Err != nil {
				bad++
				continue
			}
			got, ok := data.Detect(rec.Fields, false)
			require.True(t, ok, "%s row not detected: %v", format, rec.Fields)
			require.Equal(t, format, got)
			msgs, err := data.ToMessages(format, rec.Fields, data.Options{})
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(msgs), 2)
			require.Equal(t, "assistant", msgs[len(msgs)-1].Role)
		}
		require.Equal(t, 10, n)
		require.Equal(t, 2, bad)
	}
	// stdlib/data loads the fake rows end to end: see
	// stdlib/data's TestFakeStoreRowsLoad.
}

func TestInMemoryStores(t *testing.T) {
	ctx := context.Background()
	b := fake.NewBlobStore()
	require.NoError(t, b.Put(ctx, "a/1", strings.NewReader("one")))
	require.NoError(t, b.Put(ctx, "b/2", bytes.NewReader([]byte("two"))))
	keys, err := b.List(ctx, "a/")
	require.NoError(t, err)
	require.Equal(t, []string{"a/1"}, keys)
	r, err := b.Get(ctx, "a/1")
	require.NoError(t, err)
	got, _ := io.ReadAll(r)
	require.Equal(t, "one", string(got))
	require.NoError(t, b.Delete(ctx, "a/1"))
	ok, _ := b.Exists(ctx, "a/1")
	require.False(t, ok)
	_, err = b.Get(ctx, "a/1")
	require.Error(t, err)

	emb := fake.EmbeddingClient{Dim: 4}
	vs, err := emb.Embed(ctx, "m", []string{"cat", "dog", "cat"})
	require.NoError(t, err)
	require.Equal(t, vs[0], vs[2])
	require.NotEqual(t, vs[0], vs[1])
	store := fake.NewVectorStore()
	require.NoError(t, store.Upsert(ctx, "c", []ports.VectorItem{{ID: "cat", Vector: vs[0]}, {ID: "dog", Vector: vs[1]}}))
	matches, err := store.Query(ctx, "c", vs[0], 1)
	require.NoError(t, err)
	require.Equal(t, "cat", matches[0].ID)
	require.InDelta(t, 1.0, matches[0].Score, 1e-5)

	resp, err := fake.LLMClient{}.Chat(ctx, ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
	require.NoError(t, err)
	require.Contains(t, resp.Content, "to: hi")

	hub := &fake.HubClient{Dir: t.TempDir()}
	path, err := hub.Download(ctx, "org/repo", "data.jsonl", "")
	require.NoError(t, err)
	require.FileExists(t, path)
	_, err = hub.Download(ctx, "org/repo", "missing", "")
	require.Error(t, err)
}
