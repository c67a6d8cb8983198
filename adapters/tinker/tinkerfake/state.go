package tinkerfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// AppliedOp is one operation the fake applied to a model: the witness of
// exactly-once, in-order execution.
type AppliedOp struct {
	ModelID string
	SeqID   int
	// Type is the endpoint: forward_backward, forward, optim_step,
	// save_weights, save_weights_for_sampler, load_weights.
	Type string
	// DataDigest identifies the datums of a forward/backward chunk
	// (DatumsDigest of them).
	DataDigest   string
	NumDatums    int
	LossFn       string
	LearningRate float64
	// Path is the checkpoint saved or loaded.
	Path string
	// Updates is the number of optimizer steps applied after this op.
	Updates int
}

// DatumsDigest returns a digest of the datums' tokens and loss inputs;
// tests compare it with AppliedOp.DataDigest.
func DatumsDigest(data []ports.Datum) string {
	h := sha256.New()
	for _, d := range data {
		fmt.Fprintf(h, "%v|", d.ModelInput.Tokens())
		for _, k := range slices.Sorted(maps.Keys(d.LossFnInputs)) {
			t := d.LossFnInputs[k]
			fmt.Fprintf(h, "%s=%v%v%v;", k, t.Shape, t.Ints, t.Floats)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Logprob is the fake's log-probability of token target after updates
// optimizer steps: deterministic, and rising towards 0 as training goes
// on, so losses fall.
func Logprob(target, updates int) float32 {
	base := -math.Log(ports.ByteVocabSize) * (1 + float64(((target%7)+7)%7)/10)
	return float32(base / (1 + 0.1*float64(updates)))
}

// CrossEntropyLoss is the fake's loss:sum for one datum of a
// cross_entropy call after updates steps.
func CrossEntropyLoss(targets []int64, weights []float32, updates int) float64 {
	var loss float64
	for i, t := range targets {
		w := float32(1)
		if weights != nil {
			w = weights[i]
		}
		loss -= float64(w) * float64(Logprob(int(t), updates))
	}
	return loss
}

// SampleToken is the j-th generated token of sample i for a prompt whose
// tokens sum to promptSum, after updates steps, with seed.
func SampleToken(promptSum, i, j, updates int, seed int64) int {
	v := int64(promptSum) + 31*int64(j) + 7*int64(i) + int64(updates) + seed
	return int(((v % 256) + 256) % 256)
}

type session struct {
	id         string
	heartbeats int
	nextModel  int
}

// weights is the trainable state the fake tracks.
type weights struct {
	BaseModel string
	Rank      int
	Updates   int // optimizer steps applied to the weights
	AdamSteps int // optimizer state (reset by a load without optimizer)
}

type model struct {
	id       string
	session  string
	w        weights
	nextSeq  int
	bySeq    map[int]*submission
	jobs     chan modelJob
	grad     float64 // accumulated gradient mass since the last step
	unloaded bool
}

type modelJob struct {
	seq     int
	kind    string
	compute time.Duration
	exec    func(m *model) opResult
	op      *opState
}

// submission is an accepted submit; retries with the same key map back
// to it.
type submission struct {
	key string
	op  *opState
	ep  string
	// future is the latest future created for it.
	future *future
}

// opResult is a completed operation's result.
type opResult struct {
	json     any
	fwd      *ports.ForwardBackwardOutput
	sample   *ports.SampleResponse
	errMsg   string
	category string
}

type opState struct {
	done chan struct{}
	res  opResult
}

func newOp() *opState { return &opState{done: make(chan struct{})} }

func (o *opState) complete(r opResult) {
	o.res = r
	close(o.done)
}

type future struct {
	id           string
	op           *opState
	ep           string
	expired      bool
	expireOnDone bool
	tryAgainLeft int
	metaSent     bool
}

type checkpoint struct {
	path    string
	kind    string // "training" or "sampler"
	model   string
	name    string
	w       weights
	created time.Time
	ttl     int64
}

type samplerState struct {
	id        string
	baseModel string
	modelPath string
	w         weights
	seqs      map[int]*submission
}

// newID returns a fresh id with prefix, under s.mu.
func (s *Server) newID(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s-%d", prefix, s.nextID)
}

// newFuture registers a future for op, applying future fault rules
// unless it replaces an expired one.
func (s *Server) newFuture(op *opState, ep string, replay bool) *future {
	f := &future{id: s.newID("req"), op: op, ep: ep}
	if !replay {
		for _, r := range s.rules {
			if !r.isFutureFault() || !r.match(ep) {
				continue
			}
			switch r.Kind {
			case FaultTryAgain:
				f.tryAgainLeft = max(r.TryAgain, 1)
			case FaultExpire:
				f.expireOnDone = true
			}
		}
	}
	s.futures[f.id] = f
	return f
}

// runModel executes a model's operations in seq order.
func (s *Server) runModel(m *model) {
	for {
		select {
		case <-s.closed:
			return
		case job := <-m.jobs:
			if s.opts.BeforeApply != nil {
				s.opts.BeforeApply(m.id, job.seq, job.kind)
			}
			if job.compute > 0 {
				select {
				case <-time.After(job.compute):
				case <-s.closed:
					return
				}
			}
			s.mu.Lock()
			res := job.exec(m)
			s.mu.Unlock()
			job.op.complete(res)
		}
	}
}

func unzstd(b []byte) ([]byte, error) {
	dec, err := zstd.NewReader(nil)
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	return dec.DecodeAll(b, nil)
}
