package progress

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/interp"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func feed(d interface{ Event(interp.Event) }, c *clock) {
	d.Event(interp.Event{Type: interp.EventStageStarted, Stage: "train", Kind: "supervised_train"})
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "train", Total: 100, Unit: "steps"})
	for i := 1; i <= 100; i++ {
		c.t = c.t.Add(500 * time.Millisecond)
		d.Event(interp.Event{Type: interp.EventProgress, Stage: "train", Done: i, Total: 100, Unit: "steps",
			Metrics: map[string]float64{"lr": 1e-4, "train_mean_nll": 3 - float64(i)/50}})
	}
	d.Event(interp.Event{Type: interp.EventStageFinished, Stage: "train", DurationMS: 50000})
	d.Event(interp.Event{Type: interp.EventStageFailed, Stage: "eval", DurationMS: 12, Error: "training_client (fake): boom"})
}

func TestPlainPrintsBoundedProgressLines(t *testing.T) {
	var out bytes.Buffer
	d := NewPlain(&out)
	c := &clock{t: time.Unix(0, 0)}
	d.now = c.now
	d.PlainEvery = time.Hour
	feed(d, c)
	text := out.String()
	require.NotContains(t, text, "\x1b", "no escape codes outside a terminal")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.Equal(t, "train (supervised_train) started", lines[0])
	// One line at the first update and per 10% (plus start/end), not one per step.
	require.Equal(t, 14, len(lines), text)
	require.Contains(t, text, "train: 10/100 steps")
	require.Contains(t, text, "train: 50/100 steps  2.00 steps/s  ETA 25.0s  train_mean_nll=2")
	require.Contains(t, text, "train finished in 50.0s (train_mean_nll=1)")
	require.Contains(t, text, "eval FAILED in 12ms: training_client (fake): boom")
}

func TestLiveRedrawsOneLinePerRunningStage(t *testing.T) {
	var out bytes.Buffer
	d := &Display{w: &out, live: true, running: map[string]*stageState{}, width: func() int { return 100 }}
	c := &clock{t: time.Unix(0, 0)}
	d.now = c.now
	d.Event(interp.Event{Type: interp.EventStageStarted, Stage: "a", Kind: "noop"})
	d.Event(interp.Event{Type: interp.EventStageStarted, Stage: "b", Kind: "noop"})
	c.t = c.t.Add(time.Second)
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "a", Done: 1, Total: 10})
	c.t = c.t.Add(time.Second)
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "a", Done: 5, Total: 10, Metrics: map[string]float64{"loss": 0.5}})
	require.Equal(t, 2, d.drawn)
	text := out.String()
	require.Contains(t, text, "a [##########..........] 5/10 steps  4.00 steps/s  ETA 1.2s  loss=0.5")
	require.Contains(t, text, "\x1b[2A", "moves up over the previous block to redraw it")
	d.Event(interp.Event{Type: interp.EventStageFinished, Stage: "a", DurationMS: 2000})
	require.Equal(t, 1, d.drawn, "finished stages leave the live block")
	require.Contains(t, out.String(), "a finished in 2.0s (loss=0.5)\n")
	d.Close()
	require.Equal(t, 0, d.drawn)
}

// screen renders what a terminal shows for out: it understands the few
// control sequences the live display writes (cursor up, carriage return,
// erase line).
func screen(out string) []string {
	lines := []string{""}
	row, col := 0, 0
	for i := 0; i < len(out); i++ {
		switch c := out[i]; {
		case c == '\n':
			row, col = row+1, 0
			if row == len(lines) {
				lines = append(lines, "")
			}
		case c == '\r':
			col = 0
		case strings.HasPrefix(out[i:], "\x1b[2K"):
			lines[row] = ""
			i += len("\x1b[2K") - 1
		case c == '\x1b':
			j := strings.IndexByte(out[i:], 'A')
			n, _ := strconv.Atoi(out[i+2 : i+j])
			row = max(0, row-n)
			i += j
		default:
			if col < len(lines[row]) {
				lines[row] = lines[row][:col] + string(c) + lines[row][col+1:]
			} else {
				lines[row] += string(c)
			}
			col++
		}
	}
	return lines
}

// A message from the CLI (the signal notice) stays on screen above the
// live lines instead of being erased by the next redraw.
func TestLiveMessageIsNotErased(t *testing.T) {
	var out bytes.Buffer
	d := &Display{w: &out, live: true, running: map[string]*stageState{}, width: func() int { return 100 }}
	c := &clock{t: time.Unix(0, 0)}
	d.now = c.now
	d.Event(interp.Event{Type: interp.EventStageStarted, Stage: "a", Kind: "noop"})
	c.t = c.t.Add(time.Second)
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "a", Done: 1, Total: 10})
	d.Message("cookbookc: interrupt: stopping stages at a safe point")
	c.t = c.t.Add(time.Second)
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "a", Done: 2, Total: 10})
	d.Event(interp.Event{Type: interp.EventStageInterrupted, Stage: "a", DurationMS: 2000})
	d.Close()
	require.Equal(t, []string{
		"a (noop) started",
		"cookbookc: interrupt: stopping stages at a safe point",
		"a interrupted in 2.0s",
		"",
	}, screen(out.String()))
}

func TestJSONStreamsEveryEvent(t *testing.T) {
	var out bytes.Buffer
	j := NewJSON(&out)
	feed(j, &clock{t: time.Unix(0, 0)})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Equal(t, 104, len(lines))
	var e interp.Event
	require.NoError(t, json.Unmarshal([]byte(lines[2]), &e))
	require.Equal(t, interp.EventProgress, e.Type)
	require.Equal(t, 1, e.Done)
}

func TestKeyMetricPrefersTrainingLoss(t *testing.T) {
	cases := []struct {
		m    map[string]float64
		want string
	}{
		{map[string]float64{"test/nll": 1, "train_mean_nll": 2, "lr": 3}, "train_mean_nll"},
		{map[string]float64{"test/nll": 1, "lr": 3}, "test/nll"},
		{map[string]float64{"loss": 1, "train_mean_nll": 2}, "loss"},
		{map[string]float64{"accuracy": 1, "lr": 3}, "accuracy"},
		{map[string]float64{"env/reward_mean": 1, "lr": 3}, "env/reward_mean"},
	}
	for _, tc := range cases {
		k, _, ok := keyMetric(tc.m)
		require.True(t, ok)
		require.Equal(t, tc.want, k)
	}
	_, _, ok := keyMetric(nil)
	require.False(t, ok)
}

func TestResumedStageRateIgnoresTheJump(t *testing.T) {
	var out bytes.Buffer
	d := NewPlain(&out)
	c := &clock{t: time.Unix(0, 0)}
	d.now = c.now
	d.Event(interp.Event{Type: interp.EventStageStarted, Stage: "train"})
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "train", Total: 100})
	c.t = c.t.Add(100 * time.Millisecond)
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "train", Done: 40, Total: 100})
	c.t = c.t.Add(10 * time.Second)
	d.Event(interp.Event{Type: interp.EventProgress, Stage: "train", Done: 60, Total: 100})
	require.Contains(t, out.String(), "train: 60/100 steps  2.00 steps/s  ETA 20.0s")
}
