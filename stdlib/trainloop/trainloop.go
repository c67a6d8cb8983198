// Package trainloop is the supervised training loop of supervised_train
// (../shared/reference/cookbook-semantics.md §3.3) over already-built
// datums: batches in a per-epoch shuffled order, pipelined
// forward_backward + optim_step submission, NLL evaluation before the step
// (EvalNLL, which evaluate shares), metrics.jsonl lines with
// tinker-cookbook's keys, periodic and final checkpoints, and resume.
//
// Resume never replays a batch (unlike tinker-cookbook issue #935): a
// periodic save is submitted right after the optim_step of the last
// batch it covers and before the next batch is submitted, and its record
// names the NEXT batch to train. Because a training client executes
// operations in submission order, the saved state holds exactly the
// batches before the recorded position.
package trainloop

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/stdlib/data"
	"github.com/cookbookc/cookbookc/stdlib/schedule"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Config is the loop's part of a supervised_train stage.
type Config struct {
	LearningRate float64
	Schedule     string // constant, linear, cosine
	WarmupSteps  int
	NumEpochs    int
	BatchSize    int
	// MaxSteps caps the number of steps (0: no cap).
	MaxSteps int
	// SaveEvery saves a checkpoint every N steps (0: final only).
	SaveEvery int
	// EvalEvery computes test/nll every N steps, before the step (0: never).
	EvalEvery int
	// SubmitAhead is how many batches are submitted before the oldest
	// pending one is awaited (0: no pipelining).
	SubmitAhead int
	// Adam holds the optimizer parameters; LearningRate is set per step.
	Adam ports.AdamParams
	// TTL is the lifetime of periodic checkpoints (0: forever).
	TTL time.Duration
	// ShuffleSeed seeds each epoch's order (the dataset's shuffle_seed).
	ShuffleSeed int64
	// Renderer is recorded in checkpoint records; a resume with another
	// renderer is refused.
	Renderer string
}

// Data is what the loop trains and evaluates on.
type Data struct {
	Train []ports.Datum
	Test  []ports.Datum
	// TokenBytes returns the UTF-8 length of a token's text, 0 for
	// special tokens; it feeds test/bpb and train_mean_bpb. Nil disables
	// both.
	TokenBytes func(id int) int
}

// Env is where the loop reports.
type Env struct {
	Log         *slog.Logger
	Metrics     stage.MetricsWriter
	Checkpoints stage.CheckpointLog
	Progress    stage.Progress
}

// Result is a finished loop.
type Result struct {
	StatePath   string
	SamplerPath string
	Steps       int
	// Metrics are the last step's metrics merged with the final
	// evaluation.
	Metrics map[string]float64
}

// Plan returns the number of full batches per epoch and the number of
// steps of the run; the last partial batch of an epoch is dropped.
func Plan(cfg Config, nTrain int) (batchesPerEpoch, totalSteps int, err error) {
	if cfg.BatchSize < 1 {
		return 0, 0, fmt.Errorf("batch_size must be >= 1, got %d", cfg.BatchSize)
	}
	batchesPerEpoch = nTrain / cfg.BatchSize
	if batchesPerEpoch == 0 {
		return 0, 0, fmt.Errorf("the training split has %d examples, fewer than batch_size = %d: no full batch to train on", nTrain, cfg.BatchSize)
	}
	epochs := max(cfg.NumEpochs, 1)
	totalSteps = batchesPerEpoch * epochs
	if cfg.MaxSteps > 0 && cfg.MaxSteps < totalSteps {
		totalSteps = cfg.MaxSteps
	}
	return batchesPerEpoch, totalSteps, nil
}

// Position is a point in the loop: the next step to train.
type Position struct {
	Step  int
	Epoch int
	Batch int
}

// PositionOf returns the record a checkpoint saved at step (steps done)
// writes: the next step and its epoch and batch.
func PositionOf(step, batchesPerEpoch int) Position {
	return Position{Step: step, Epoch: step / batchesPerEpoch, Batch: step % batchesPerEpoch}
}

// FromRecord reads the position from a checkpoint record: its step, and
// the epoch and batch that step falls in with batchesPerEpoch batches per
// epoch (the record's own epoch and batch agree unless the data changed,
// which the stage's input hash rules out).
func FromRecord(rec stage.CheckpointRecord, batchesPerEpoch int) (Position, error) {
	if rec.Step < 0 {
		return Position{}, fmt.Errorf("checkpoint record %s: negative step %d", rec.Name, rec.Step)
	}
	return PositionOf(rec.Step, batchesPerEpoch), nil
}

// OutputMetrics derives a finished run's `metrics` output from its
// metrics.jsonl records: the last training step's metrics overlaid with the
// final evaluation's (whose epoch and progress are not step metrics). A
// normal finish and a resumed stage that had already finished both use it,
// so the output is the same either way.
func OutputMetrics(recs []map[string]any, total int) map[string]float64 {
	var last, final map[string]any
	for _, r := range recs {
		switch s, _ := Number(r["step"]); int(s) {
		case total - 1:
			last = r
		case total:
			final = r
		}
	}
	out := map[string]float64{}
	for k, v := range last {
		if f, ok := Number(v); ok && k != "step" {
			out[k] = f
		}
	}
	for k, v := range final {
		if f, ok := Number(v); ok && k != "step" && k != "epoch" && k != "progress" {
			out[k] = f
		}
	}
	return out
}

// Number converts a decoded JSON or Go numeric value to float64.
func Number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// pending is a submitted, not yet finished step.
type pending struct {
	pos     Position
	lr      float64
	batch   []ports.Datum
	fb      ports.Future[ports.ForwardBackwardOutput]
	opt     ports.Future[ports.OptimStepResult]
	save    *pendingSave
	metrics map[string]any // evaluation metrics gathered before the step
}

type pendingSave struct {
	name    string
	state   ports.Future[string]
	sampler ports.Future[string]
	next    Position
}

// loop is one run of the training loop.
type loop struct {
	cfg    Config
	data   Data
	env    Env
	tc     ports.TrainingClient
	nb     int
	total  int
	sched  schedule.Schedule
	orders map[int][]int
	last   time.Time
}

// Run trains from position start (Step 0 for a fresh run; a resumed
// run passes the position of its last checkpoint after loading it) to
// the end, and saves the final checkpoint.
func Run(ctx context.Context, tc ports.TrainingClient, cfg Config, d Data, env Env, start int) (Result, error) {
	nb, total, err := Plan(cfg, len(d.Train))
	if err != nil {
		return Result{}, err
	}
	sched, err := schedule.New(cfg.Schedule, total, cfg.WarmupSteps)
	if err != nil {
		return Result{}, err
	}
	if start < 0 || start > total {
		return Result{}, fmt.Errorf("resume position step %d is outside the run's %d steps", start, total)
	}
	l := &loop{cfg: cfg, data: d, env: env, tc: tc, nb: nb, total: total, sched: sched, orders: map[int][]int{}}
	if env.Progress != nil {
		env.Progress.Start(total, "steps")
		if start > 0 {
			env.Progress.Update(start, nil)
		}
	}
	l.last = time.Now()
	var queue []*pending
	for step := start; step < total; step++ {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		p := &pending{pos: PositionOf(step, nb), metrics: map[string]any{}}
		if cfg.EvalEvery > 0 && step%cfg.EvalEvery == 0 && len(d.Test) > 0 {
			m, err := l.evaluate(ctx)
			if err != nil {
				return Result{}, fmt.Errorf("step %d: evaluation: %w", step, err)
			}
			for k, v := range m {
				p.metrics[k] = v
			}
		}
		p.batch = l.batch(p.pos)
		p.lr = cfg.LearningRate * sched.Multiplier(step)
		adam := cfg.Adam
		adam.LearningRate = p.lr
		p.fb = tc.ForwardBackward(ctx, p.batch, ports.LossCrossEntropy, nil)
		p.opt = tc.OptimStep(ctx, adam)
		if cfg.SaveEvery > 0 && (step+1)%cfg.SaveEvery == 0 && step+1 < total {
			// Submitted now, before batch step+1, so the saved state
			// holds batches 0..step and nothing more.
			name := fmt.Sprintf("%06d", step+1)
			opts := ports.SaveOptions{TTL: cfg.TTL}
			p.save = &pendingSave{
				name:    name,
				state:   tc.SaveState(ctx, name, opts),
				sampler: tc.SaveSamplerWeights(ctx, name, opts),
				next:    PositionOf(step+1, nb),
			}
		}
		queue = append(queue, p)
		for len(queue) > cfg.SubmitAhead {
			if err := l.finish(ctx, queue[0]); err != nil {
				return Result{}, err
			}
			queue = queue[1:]
		}
	}
	for _, p := range queue {
		if err := l.finish(ctx, p); err != nil {
			return Result{}, err
		}
	}
	return l.end(ctx)
}

// end runs the final evaluation and saves the final checkpoint.
func (l *loop) end(ctx context.Context) (Result, error) {
	if l.cfg.EvalEvery > 0 && len(l.data.Test) > 0 {
		m, err := l.evaluate(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("final evaluation: %w", err)
		}
		rec := map[string]any{"epoch": float64(l.total) / float64(l.nb), "progress": 1.0}
		for k, v := range m {
			rec[k] = v
		}
		if err := l.env.Metrics.Write(l.total, rec); err != nil {
			return Result{}, fmt.Errorf("metrics: %w", err)
		}
		l.env.Log.Info("final evaluation", "step", l.total, "test/nll", m["test/nll"])
	}
	state := l.tc.SaveState(ctx, "final", ports.SaveOptions{})
	sampler := l.tc.SaveSamplerWeights(ctx, "final", ports.SaveOptions{})
	statePath, err := state.Await(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("saving the final state: %w", err)
	}
	samplerPath, err := sampler.Await(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("saving the final sampler weights: %w", err)
	}
	end := PositionOf(l.total, l.nb)
	rec := stage.CheckpointRecord{
		Name: "final", StatePath: statePath, SamplerPath: samplerPath,
		Epoch: end.Epoch, Batch: end.Batch, Step: l.total, Final: true, Renderer: l.cfg.Renderer,
	}
	if err := l.env.Checkpoints.Append(rec); err != nil {
		return Result{}, fmt.Errorf("checkpoints: %w", err)
	}
	recs, err := l.env.Metrics.Records()
	if err != nil {
		return Result{}, fmt.Errorf("metrics: %w", err)
	}
	return Result{StatePath: statePath, SamplerPath: samplerPath, Steps: l.total, Metrics: OutputMetrics(recs, l.total)}, nil
}

// batch returns the datums of a position: a contiguous slice of the
// epoch's shuffled order.
func (l *loop) batch(pos Position) []ports.Datum {
	order, ok := l.orders[pos.Epoch]
	if !ok {
		order = data.EpochOrder(len(l.data.Train), l.cfg.ShuffleSeed, pos.Epoch)
		l.orders = map[int][]int{pos.Epoch: order} // keep one epoch's order
	}
	bs := l.cfg.BatchSize
	out := make([]ports.Datum, bs)
	for i := range out {
		out[i] = l.data.Train[order[pos.Batch*bs+i]]
	}
	return out
}

// finish awaits a step, writes its metrics line and then, if the step
// carries a save, its checkpoint record. Metrics come first: a crash
// between the two leaves a metrics line after the last checkpoint,
// which a resume truncates and redoes.
func (l *loop) finish(ctx context.Context, p *pending) error {
	fb, err := p.fb.Await(ctx)
	if err != nil {
		return fmt.Errorf("step %d: forward_backward: %w", p.pos.Step, err)
	}
	opt, err := p.opt.Await(ctx)
	if err != nil {
		return fmt.Errorf("step %d: optim_step: %w", p.pos.Step, err)
	}
	s, err := summarize(p.batch, fb, l.data.TokenBytes)
	if err != nil {
		return fmt.Errorf("step %d: %w", p.pos.Step, err)
	}
	now := time.Now()
	m := p.metrics
	m["epoch"] = p.pos.Epoch
	m["progress"] = float64(p.pos.Step+1) / float64(l.total)
	m["learning_rate"] = p.lr
	m["num_sequences"] = len(p.batch)
	m["num_tokens"] = s.tokens
	m["num_loss_tokens"] = s.lossTokens
	m["train_mean_nll"] = s.nll()
	if l.data.TokenBytes != nil && s.bytes > 0 {
		m["train_mean_bpb"] = s.bpb()
	}
	m["time/step"] = now.Sub(l.last).Seconds()
	l.last = now
	for k, v := range opt.Metrics {
		m[k] = v
	}
	if err := l.env.Metrics.Write(p.pos.Step, m); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if l.env.Progress != nil {
		key := map[string]float64{"train_mean_nll": s.nll()}
		if v, ok := p.metrics["test/nll"].(float64); ok {
			key["test/nll"] = v
		}
		l.env.Progress.Update(p.pos.Step+1, key)
	}
	if p.save != nil {
		statePath, err := p.save.state.Await(ctx)
		if err != nil {
			return fmt.Errorf("step %d: saving checkpoint %s: %w", p.pos.Step, p.save.name, err)
		}
		samplerPath, err := p.save.sampler.Await(ctx)
		if err != nil {
			return fmt.Errorf("step %d: saving sampler weights %s: %w", p.pos.Step, p.save.name, err)
		}
		rec := stage.CheckpointRecord{
			Name: p.save.name, StatePath: statePath, SamplerPath: samplerPath,
			Epoch: p.save.next.Epoch, Batch: p.save.next.Batch, Step: p.save.next.Step,
			Renderer: l.cfg.Renderer,
		}
		if err := l.env.Checkpoints.Append(rec); err != nil {
			return fmt.Errorf("checkpoints: %w", err)
		}
	}
	return nil
}

// summary aggregates a forward pass over datums. It keeps sums, so the
// summaries of several passes add up exactly.
type summary struct {
	tokens, lossTokens int
	wsum, wlp          float64 // Σw and Σw·logp over weighted targets
	countedLP          float64 // Σlogp over weighted targets with text
	bytes              int     // UTF-8 bytes of those targets
}

// nll is the weighted mean negative log-likelihood -Σw·logp/Σw.
func (s summary) nll() float64 {
	if s.wsum == 0 {
		return 0
	}
	return -s.wlp / s.wsum
}

// bpb is bits per byte of the weighted targets' text.
func (s summary) bpb() float64 {
	if s.bytes == 0 {
		return 0
	}
	return -s.countedLP / (math.Ln2 * float64(s.bytes))
}

func (s *summary) add(o summary) {
	s.tokens += o.tokens
	s.lossTokens += o.lossTokens
	s.wsum += o.wsum
	s.wlp += o.wlp
	s.countedLP += o.countedLP
	s.bytes += o.bytes
}

func summarize(batch []ports.Datum, out ports.ForwardBackwardOutput, tokenBytes func(int) int) (summary, error) {
	if len(out.LossFnOutputs) != len(batch) {
		return summary{}, fmt.Errorf("training client returned %d outputs for %d datums", len(out.LossFnOutputs), len(batch))
	}
	var s summary
	for i, d := range batch {
		lp := out.LossFnOutputs[i]["logprobs"].Floats
		w := d.LossFnInputs["weights"].Floats
		tg := d.LossFnInputs["target_tokens"].Ints
		if len(lp) != len(w) || len(tg) != len(w) {
			return summary{}, fmt.Errorf("datum %d: %d logprobs and %d target tokens for %d weights", i, len(lp), len(tg), len(w))
		}
		s.tokens += d.ModelInput.Len()
		for j := range w {
			if w[j] <= 0 {
				continue
			}
			s.lossTokens++
			s.wsum += float64(w[j])
			s.wlp += float64(w[j]) * float64(lp[j])
			if tokenBytes != nil {
				if n := tokenBytes(int(tg[j])); n > 0 {
					s.bytes += n
					s.countedLP += float64(lp[j])
				}
			}
		}
	}
	return s, nil
}

// evaluate computes test/nll and test/bpb with forward passes over the
// test split, in batch-size chunks submitted together.
func (l *loop) evaluate(ctx context.Context) (map[string]float64, error) {
	return EvalNLL(ctx, l.tc, l.data.Test, max(l.cfg.BatchSize, 1), l.data.TokenBytes, "test")
}

// EvalNLL computes <prefix>/nll (the weighted mean NLL, as for
// train_mean_nll) and <prefix>/bpb over datums with forward passes of at
// most chunk datums each.
func EvalNLL(ctx context.Context, tc ports.TrainingClient, datums []ports.Datum, chunk int, tokenBytes func(int) int, prefix string) (map[string]float64, error) {
	type part struct {
		datums []ports.Datum
		fut    ports.Future[ports.ForwardBackwardOutput]
	}
	var parts []part
	for i := 0; i < len(datums); i += chunk {
		ds := datums[i:min(i+chunk, len(datums))]
		parts = append(parts, part{ds, tc.Forward(ctx, ds, ports.LossCrossEntropy, nil)})
	}
	var total summary
	for _, p := range parts {
		out, err := p.fut.Await(ctx)
		if err != nil {
			return nil, fmt.Errorf("forward: %w", err)
		}
		s, err := summarize(p.datums, out, tokenBytes)
		if err != nil {
			return nil, err
		}
		total.add(s)
	}
	m := map[string]float64{}
	if total.wsum > 0 {
		m[prefix+"/nll"] = total.nll()
	}
	if tokenBytes != nil && total.bytes > 0 {
		m[prefix+"/bpb"] = total.bpb()
	}
	return m, nil
}
