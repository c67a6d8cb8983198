// Command shakespeare benchmarks the local training engine against a
// PyTorch reference on nanoGPT's CPU configuration for tiny Shakespeare
// (char-level, 4 layers, 4 heads, width 128, context 64, batch 12, 2000
// iterations, lr 1e-3 with 100 warmup steps and cosine decay to 1e-4,
// AdamW betas 0.9/0.99, weight decay 0.1, gradient clip 1.0, 90/10
// split). Both sides draw the same batches from the same generator.
//
//	go run ./bench/shakespeare                    # ours and PyTorch, 1 and 2 threads, table
//	go run ./bench/shakespeare -only ours -threads 2 -iters 200
//
// PyTorch runs through Debian's python3-torch (/usr/bin/python3
// reference.py); the benchmark is not part of CI.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/local/engine"
	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// Run is one training run's measurements (the JSON both sides print).
type Run struct {
	Impl          string    `json:"impl"`
	Threads       int       `json:"threads"`
	Iters         int       `json:"iters"`
	TrainSeconds  float64   `json:"train_seconds"`
	TokensPerSec  float64   `json:"tokens_per_sec"`
	TimeTo19      float64   `json:"time_to_1_9"` // -1 if never reached
	FinalValLoss  float64   `json:"final_val_loss"`
	FinalTrain    float64   `json:"final_train_loss"`
	GFLOPs        float64   `json:"gflops"`
	PeakRSSMB     float64   `json:"peak_rss_mb"`
	AllocsPerStep float64   `json:"allocs_per_step"` // -1: not measurable
	ValCurve      []float64 `json:"val_curve"`
	Params        int       `json:"params"`
}

const (
	blockSize = 64
	batchSize = 12
	evalEvery = 100
	evalBatch = 20
	warmup    = 100
	lrMax     = 1e-3
	lrMin     = 1e-4
)

// lcg is the batch generator shared with reference.py.
type lcg struct{ s uint64 }

func (l *lcg) next(n int) int {
	l.s = l.s*6364136223846793005 + 1442695040888963407
	return int((l.s >> 33) % uint64(n))
}

func lr(it, iters int) float64 {
	if it < warmup {
		return lrMax * float64(it+1) / float64(warmup+1)
	}
	ratio := float64(it-warmup) / float64(iters-warmup)
	return lrMin + 0.5*(1+math.Cos(math.Pi*ratio))*(lrMax-lrMin)
}

func loadData(path string) (train, val []int32, vocab int, err error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	seen := map[byte]bool{}
	for _, c := range text {
		seen[c] = true
	}
	chars := make([]int, 0, len(seen))
	for c := range seen {
		chars = append(chars, int(c))
	}
	sort.Ints(chars)
	id := map[byte]int32{}
	for i, c := range chars {
		id[byte(c)] = int32(i)
	}
	all := make([]int32, len(text))
	for i, c := range text {
		all[i] = id[c]
	}
	n := len(all) * 9 / 10
	return all[:n], all[n:], len(chars), nil
}

func fillBatch(b *engine.Batch, data []int32, g *lcg) {
	b.Tokens, b.Targets = b.Tokens[:0], b.Targets[:0]
	for s := 0; s < batchSize; s++ {
		off := g.next(len(data) - blockSize)
		b.Tokens = append(b.Tokens, data[off:off+blockSize]...)
		b.Targets = append(b.Targets, data[off+1:off+blockSize+1]...)
	}
}

func newBatch() *engine.Batch {
	b := &engine.Batch{K: 1, Weights: make([]float32, batchSize*blockSize)}
	for s := 0; s <= batchSize; s++ {
		b.SeqStart = append(b.SeqStart, s*blockSize)
	}
	for i := range b.Weights {
		b.Weights[i] = 1 / float32(batchSize*blockSize)
	}
	return b
}

func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

func runOurs(dataPath string, threads, iters int) (*Run, error) {
	train, val, vocab, err := loadData(dataPath)
	if err != nil {
		return nil, err
	}
	cfg := engine.Config{Name: "bench/nanogpt-shakespeare-char", Vocab: vocab, Context: blockSize, Dim: 128, Layers: 4, Heads: 4, Hidden: 512, Seed: 1337}
	pool := kern.NewPool(threads)
	defer pool.Close()
	m, err := engine.New[float32](cfg, engine.LoRA{}, pool)
	if err != nil {
		return nil, err
	}
	b := newBatch()
	var res engine.Result
	ce := engine.DefaultLoss(engine.CrossEntropy)
	evalLoss := func() float64 {
		g := &lcg{s: 4242}
		var sum float64
		for i := 0; i < evalBatch; i++ {
			fillBatch(b, val, g)
			if err := m.Forward(b, ce, &res); err != nil {
				panic(err)
			}
			sum += res.LossSum
		}
		return sum / evalBatch
	}
	run := &Run{Impl: "ours (Go)", Threads: pool.Threads(), Iters: iters, TimeTo19: -1, Params: cfg.NumParams()}
	g := &lcg{s: 1337}
	var trainTime time.Duration
	var ms runtime.MemStats
	var mallocs uint64
	for it := 0; it < iters; it++ {
		if it%evalEvery == 0 && it > 0 {
			v := evalLoss()
			run.ValCurve = append(run.ValCurve, v)
			if v <= 1.9 && run.TimeTo19 < 0 {
				run.TimeTo19 = trainTime.Seconds()
			}
		}
		fillBatch(b, train, g)
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		start := time.Now()
		if err := m.ForwardBackward(b, ce, &res); err != nil {
			return nil, err
		}
		if _, err := m.OptimStep(engine.AdamParams{LearningRate: lr(it, iters), Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, GradClipNorm: 1}); err != nil {
			return nil, err
		}
		trainTime += time.Since(start)
		runtime.ReadMemStats(&ms)
		if it >= 10 { // the first steps grow the workspace
			mallocs += ms.Mallocs - before
		}
		run.FinalTrain = res.LossSum
	}
	run.AllocsPerStep = float64(mallocs) / float64(max(1, iters-10))
	v := evalLoss()
	run.ValCurve = append(run.ValCurve, v)
	if v <= 1.9 && run.TimeTo19 < 0 {
		run.TimeTo19 = trainTime.Seconds()
	}
	run.FinalValLoss = v
	run.TrainSeconds = trainTime.Seconds()
	run.TokensPerSec = float64(iters*batchSize*blockSize) / run.TrainSeconds
	run.GFLOPs = run.TokensPerSec * cfg.FLOPsPerToken(blockSize) / 1e9
	run.PeakRSSMB = peakRSSMB()
	return run, nil
}

func main() {
	only := flag.String("only", "", "run one side only: ours or torch (prints its JSON)")
	threads := flag.String("threads", "1,2", "thread counts to run (comma-separated)")
	iters := flag.Int("iters", 2000, "training iterations")
	data := flag.String("data", "", "path to tinyshakespeare input.txt (default ../shared/data/tinyshakespeare/input.txt beside the repo)")
	python := flag.String("python", "/usr/bin/python3", "python with torch (Debian's python3-torch)")
	flag.Parse()
	if *data == "" {
		*data = defaultData()
	}
	if _, err := os.Stat(*data); err != nil {
		fmt.Fprintf(os.Stderr, "tiny shakespeare not found at %s (pass -data): %v\n", *data, err)
		os.Exit(1)
	}
	if *only == "ours" {
		n, _ := strconv.Atoi(*threads)
		r, err := runOurs(*data, n, *iters)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ref := filepath.Join(sourceDir(), "reference.py")
	var runs []*Run
	for _, t := range strings.Split(*threads, ",") {
		for _, side := range []string{"ours", "torch"} {
			if *only != "" && *only != side {
				continue
			}
			var cmd *exec.Cmd
			if side == "ours" {
				cmd = exec.Command(self, "-only", "ours", "-threads", t, "-iters", strconv.Itoa(*iters), "-data", *data)
			} else {
				cmd = exec.Command(*python, ref, "--threads", t, "--iters", strconv.Itoa(*iters), "--data", *data)
				// Debian's torch calls the system BLAS (OpenBLAS when
				// libopenblas0 is installed); keep its threads in step.
				cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS="+t, "OMP_NUM_THREADS="+t)
			}
			fmt.Fprintf(os.Stderr, "running %s with %s thread(s)...\n", side, t)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "%s (%s threads) failed: %v\n", side, t, err)
				os.Exit(1)
			}
			var r Run
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				fmt.Fprintf(os.Stderr, "%s output: %v\n%s", side, err, out.String())
				os.Exit(1)
			}
			runs = append(runs, &r)
		}
	}
	printTable(runs)
}

func printTable(runs []*Run) {
	fmt.Println("| impl | threads | tokens/s | time to val 1.9 | final val loss | GFLOP/s | peak RSS MB | allocs/step |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	var bestTorch float64
	for _, r := range runs {
		if r.Impl != "ours (Go)" {
			bestTorch = math.Max(bestTorch, r.TokensPerSec)
		}
	}
	for _, r := range runs {
		t19 := "not reached"
		if r.TimeTo19 >= 0 {
			t19 = fmt.Sprintf("%.1f s", r.TimeTo19)
		}
		allocs := "n/a"
		if r.AllocsPerStep >= 0 {
			allocs = fmt.Sprintf("%.2f", r.AllocsPerStep)
		}
		fmt.Printf("| %s | %d | %.0f | %s | %.4f | %.1f | %.0f | %s |\n", r.Impl, r.Threads, r.TokensPerSec, t19, r.FinalValLoss, r.GFLOPs, r.PeakRSSMB, allocs)
	}
	if bestTorch > 0 {
		fmt.Println()
		for _, r := range runs {
			if r.Impl == "ours (Go)" {
				fmt.Printf("ours/PyTorch throughput, ours with %d thread(s) vs PyTorch's best: %.2fx\n", r.Threads, r.TokensPerSec/bestTorch)
			}
		}
	}
}

func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if ok {
		if _, err := os.Stat(filepath.Join(filepath.Dir(file), "reference.py")); err == nil {
			return filepath.Dir(file)
		}
	}
	return filepath.Join("bench", "shakespeare")
}

func defaultData() string {
	// The repository root is two levels above this file.
	root := filepath.Join(sourceDir(), "..", "..")
	return filepath.Join(root, "..", "shared", "data", "tinyshakespeare", "input.txt")
}
